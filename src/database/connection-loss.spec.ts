import pg from 'pg';
import { QueryFailedError } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { isConnectionError } from './connection-loss.js';

/** An error as pg builds one from a server's ErrorResponse. */
function serverError(code: string, message: string, severity = 'ERROR'): pg.DatabaseError {
  const error = new pg.DatabaseError(message, message.length, 'error');
  error.code = code;
  error.severity = severity;
  return error;
}

const withCode = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code });

describe('isConnectionError: what answers 503 UNAVAILABLE', () => {
  it.each([
    ['the pool acquire timeout', new Error('timeout exceeded when trying to connect')],
    ['a connection cut mid-query', new Error('Connection terminated unexpectedly')],
    ['a connect timeout, with its cause', new Error('Connection terminated due to connection timeout', { cause: new Error('Connection terminated unexpectedly') })],
    ['a client already broken', new Error('Client has encountered a connection error and is not queryable')],
    ['a refused connection', withCode('ECONNREFUSED')],
    ['a reset connection', withCode('ECONNRESET')],
    ['a fast shutdown', serverError('57P01', 'terminating connection due to administrator command', 'FATAL')],
    ['a server starting up', serverError('57P03', 'the database system is starting up', 'FATAL')],
    ['too many connections', serverError('53300', 'sorry, too many clients already', 'FATAL')],
    ['a connection exception (class 08)', serverError('08006', 'connection failure')],
    ['TypeORM wrapping a cut connection', new QueryFailedError('SELECT 1', [], new Error('Connection terminated unexpectedly'))],
    ['TypeORM wrapping a fast shutdown', new QueryFailedError('SELECT 1', [], serverError('57P01', 'terminating connection due to administrator command', 'FATAL'))],
  ])('%s', (_, error) => {
    expect(isConnectionError(error)).toBe(true);
  });

  it.each([
    ['a unique violation', serverError('23505', 'duplicate key value violates unique constraint')],
    ['a syntax error, wrapped by TypeORM', new QueryFailedError('SELEC 1', [], serverError('42601', 'syntax error at or near "SELEC"'))],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['nothing', undefined],
  ])('not %s', (_, error) => {
    expect(isConnectionError(error)).toBe(false);
  });
});
