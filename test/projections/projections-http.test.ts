import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Controller, Get, Inject, Param } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import pg from 'pg';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PG_POOL } from '../../src/database/database.tokens.js';
import { EventStore } from '../../src/event-store/event-store.js';
import { Public } from '../../src/http/auth.js';
import { UsesReadModels } from '../../src/projections/projection.js';
import { lockKey } from '../../src/projections/projection-locks.js';
import { TEST_JWT_SECRET } from '../support/app.js';
import { createMigratedDatabase } from '../support/database.js';
import { caughtUp, startProjectionsApp, waitFor, type ProjectionsTestApp } from './projections-test-app.js';
import { appendEvents, createTestReadModels } from './test-counts.projection.js';

@Public()
@Controller('test-counts')
class TestCountsController {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  @Get(':streamId')
  @UsesReadModels('test_counts', 'test_types')
  async get(@Param('streamId') streamId: string): Promise<{ count: number }> {
    const { rows } = await this.pool.query(`SELECT count FROM test_counts WHERE stream_id = $1`, [streamId]);
    return { count: rows[0]?.count ?? 0 };
  }
}

describe('read-your-writes and the projection admin routes (HTTP)', () => {
  let url: string;
  let pool: pg.Pool;
  let close: () => Promise<void>;
  let writer: EventStore;
  let t: ProjectionsTestApp;
  const jwt = new JwtService({ secret: TEST_JWT_SECRET });
  const bearer = (roles: string[]) => `Bearer ${jwt.sign({ sub: 'someone', roles }, { algorithm: 'HS256', expiresIn: '1h' })}`;
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    ({ url, pool, close } = await createMigratedDatabase());
    await createTestReadModels(pool);
    writer = new EventStore(pool);
    t = await startProjectionsApp(url, [TestCountsController]);
  });
  afterAll(async () => {
    await t?.close();
    await close();
  });

  it('answers X-Projection-Position, and with X-Min-Position reads its own write', async () => {
    const stream = randomUUID();
    const first = await http().get(`/test-counts/${stream}`).expect(200);
    expect(first.headers['x-projection-position']).toMatch(/^\d+$/);

    const position = await appendEvents(writer, stream, 3);
    const res = await http().get(`/test-counts/${stream}`).set('X-Min-Position', position).expect(200);
    expect(res.body).toEqual({ count: 3 });
    expect(BigInt(res.headers['x-projection-position'])).toBeGreaterThanOrEqual(BigInt(position));
    await http().get(`/test-counts/${stream}`).set('X-Min-Position', '0').expect(200);
  });

  it('rejects a malformed X-Min-Position with 400', async () => {
    for (const bad of ['abc', '-1', '1.5', '99999999999999999999']) {
      const res = await http().get(`/test-counts/${randomUUID()}`).set('X-Min-Position', bad).expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
  });

  it('answers 503 PROJECTION_LAGGING with Retry-After when the position is not applied within 5 s', async () => {
    const { rows } = await pool.query<{ head: string }>('SELECT max(global_position) AS head FROM events');
    const started = Date.now();
    const res = await http().get(`/test-counts/${randomUUID()}`).set('X-Min-Position', String(BigInt(rows[0].head) + 1000n)).expect(503);
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_900);
    expect(res.body).toMatchObject({ statusCode: 503, code: 'PROJECTION_LAGGING' });
    expect(res.headers['retry-after']).toBe('1');
  });

  it('answers at once for a position that will never exist (its append rolled back), after the write before it', async () => {
    const before = await appendEvents(writer, randomUUID(), 2);
    const client = await pool.connect();
    let never: string;
    try {
      await client.query('BEGIN');
      ({ rows: [{ global_position: never }] } = await client.query(
        `INSERT INTO events (event_id, stream_id, stream_type, version, type, data, metadata)
         VALUES ($1, $2, 'test', 1, 'Counted', '{}', '{}') RETURNING global_position`,
        [randomUUID(), randomUUID()],
      ));
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    const started = Date.now();
    const res = await http().get(`/test-counts/${randomUUID()}`).set('X-Min-Position', never).expect(200);
    expect(Date.now() - started).toBeLessThan(1_500);
    // The read models have applied the last write before that position.
    expect(BigInt(res.headers['x-projection-position'])).toBeGreaterThanOrEqual(BigInt(before));
  });

  it('keeps waiting for the position of an append that is still running, and answers once it commits', async () => {
    const stream = randomUUID();
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ global_position: string }>(
        `INSERT INTO events (event_id, stream_id, stream_type, version, type, data, metadata)
         VALUES ($1, $2, 'test', 1, 'Counted', '{}', '{}') RETURNING global_position`,
        [randomUUID(), stream],
      );
      let answered = false;
      const res = http().get(`/test-counts/${stream}`).set('X-Min-Position', rows[0].global_position).then((r) => ((answered = true), r));
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(answered).toBe(false);
      await client.query('COMMIT');
      expect((await res).status).toBe(200);
      expect((await res).body).toEqual({ count: 1 });
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
    }
  });

  it('lists the projections with their position, head, lag and status, for admins only', async () => {
    await appendEvents(writer, randomUUID(), 2);
    await caughtUp(pool, 'test_counts');
    await caughtUp(pool, 'test_types');
    const res = await http().get('/admin/projections').set('Authorization', bearer(['admin'])).expect(200);
    const head = (await pool.query('SELECT max(global_position)::text AS head FROM events')).rows[0].head;
    expect(res.body).toEqual([
      { name: 'test_counts', position: head, headPosition: head, lag: 0, status: 'running' },
      { name: 'test_types', position: head, headPosition: head, lag: 0, status: 'running' },
    ]);
    await http().get('/admin/projections').set('Authorization', bearer(['customer'])).expect(403);
    await http().get('/admin/projections').expect(401);
  });

  it('rebuilds in the background on POST (202), refuses a second one (409) and unknown names (404)', async () => {
    const admin = bearer(['admin']);
    const notFound = await http().post('/admin/projections/nope/rebuild').set('Authorization', admin).expect(404);
    expect(notFound.body.code).toBe('NOT_FOUND');
    await http().post('/admin/projections/test_counts/rebuild').set('Authorization', bearer(['customer'])).expect(403);

    // Another instance's rebuild: its lock is all this instance sees of it.
    const other = await pool.connect();
    try {
      await other.query('SELECT pg_advisory_lock($1, $2)', lockKey('rebuild', 'test_counts').args);
      const conflict = await http().post('/admin/projections/test_counts/rebuild').set('Authorization', admin).expect(409);
      expect(conflict.body.code).toBe('PROJECTION_REBUILDING');
      const listed = await http().get('/admin/projections').set('Authorization', admin).expect(200);
      expect(listed.body.find((p: { name: string }) => p.name === 'test_counts').status).toBe('rebuilding');
    } finally {
      await other.query('SELECT pg_advisory_unlock_all()');
      other.release();
    }

    const accepted = await http().post('/admin/projections/test_counts/rebuild').set('Authorization', admin).expect(202);
    expect(accepted.body).toEqual({ name: 'test_counts', status: 'rebuilding' });
    // 202 comes once the rebuild holds its lock, so it is listed as rebuilding until it has swapped.
    await waitFor('the rebuild to finish', async () => {
      const listed = await http().get('/admin/projections').set('Authorization', admin).expect(200);
      return listed.body.find((p: { name: string }) => p.name === 'test_counts').status === 'running';
    });
    const { rows } = await pool.query(`SELECT rebuild_started_at, to_regclass('test_counts__rebuild') AS shadow FROM projection_checkpoints WHERE name = 'test_counts'`);
    expect(rows[0]).toEqual({ rebuild_started_at: null, shadow: null });
  });
});
