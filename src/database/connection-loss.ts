import { Logger } from '@nestjs/common';
import pg from 'pg';

/** Socket errors and SQLSTATEs that mean "the database cannot be reached right now", not a bug. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  // admin_shutdown (a fast shutdown, pg_terminate_backend), crash_shutdown, cannot_connect_now (starting
  // up, shutting down, recovering), too_many_connections.
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);

/**
 * What pg and pg-pool throw, without a code, when a connection is refused, cut or not to be had: the
 * pool's acquire timeout, a connection that ended mid-query, a client already known to be broken, a pool
 * that is shutting down.
 */
const UNAVAILABLE_MESSAGES =
  /^(timeout exceeded when trying to connect|Connection terminated|Client has encountered a connection error|Client was closed and is not queryable|Cannot use a pool after calling end)/i;

/**
 * Whether `error` says the database is unreachable (down, restarting, or every connection busy) rather
 * than that the statement was wrong. Looks through TypeORM's QueryFailedError (`driverError`) and
 * `cause` chains. SQLSTATE class 08 is "connection exception".
 */
export function isConnectionError(error: unknown): boolean {
  for (let e = error as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; depth++) {
    if (typeof e.code === 'string' && (UNAVAILABLE_CODES.has(e.code) || e.code.startsWith('08'))) return true;
    if (typeof e.message === 'string' && UNAVAILABLE_MESSAGES.test(e.message)) return true;
    e = (e.driverError ?? e.cause) as typeof e;
  }
  return false;
}

const logger = new Logger('Database');
/** A restart cuts every connection at once: one line per outage is enough. */
const LOG_EVERY_MS = 10_000;
let lastLogged = 0;

/** Logs that a connection was lost, at most once every 10 s. */
export function logConnectionLoss(error: Error): void {
  const now = Date.now();
  if (now - lastLogged < LOG_EVERY_MS) return;
  lastLogged = now;
  logger.warn(`database connection lost: ${error.message} (connections are reopened as they are needed)`);
}

/**
 * The pg.Client of every pool the service holds (`Client` in the pool's options). pg emits 'error' on
 * a client whose connection is cut (a database restart: "terminating connection due to administrator
 * command"), and pg-pool listens for it only while the client is idle in the pool: a checked-out client
 * (a transaction between statements, a rebuild's lock session) had no listener, and an unhandled 'error'
 * event ends the process. Whoever holds the client learns of the loss from its next query, and the pool
 * drops the broken client when it is released.
 */
export class ResilientClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    this.on('error', logConnectionLoss);
  }
}
