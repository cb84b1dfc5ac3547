import { Module, type LoggerService, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type pg from 'pg';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '../../src/config/app-config.js';
import { ConfigModule } from '../../src/config/config.module.js';
import { DatabaseModule } from '../../src/database/database.module.js';
import { EventStore } from '../../src/event-store/event-store.js';
import { EventStoreModule } from '../../src/event-store/event-store.module.js';
import { HttpModule } from '../../src/http/http.module.js';
import { createValidationPipe } from '../../src/http/validation.pipe.js';
import { ProjectionRunner } from '../../src/projections/projection-runner.js';
import { ProjectionsModule } from '../../src/projections/projections.module.js';
import { TEST_JWT_SECRET } from '../support/app.js';
import { TestCountsProjection, TestTypesProjection } from './test-counts.projection.js';

/** Injected failures are expected here: keep them out of the test output. */
const quiet: LoggerService = { log: () => {}, error: () => {}, warn: () => {}, debug: () => {}, verbose: () => {}, fatal: () => {} };

export interface ProjectionsTestApp {
  readonly app: NestFastifyApplication;
  readonly runner: ProjectionRunner;
  readonly counts: TestCountsProjection;
  readonly store: EventStore;
  close(): Promise<void>;
}

/**
 * The real ProjectionsModule (discovery, lifecycle, interceptor, admin routes) with the infrastructure it
 * needs and the test projections (and `providers`), on `databaseUrl`. The test read-model tables must exist already.
 */
export async function startProjectionsApp(databaseUrl: string, controllers: Type[] = [], providers: Type[] = []): Promise<ProjectionsTestApp> {
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    JWT_SECRET: TEST_JWT_SECRET,
    RATE_LIMIT_PER_MINUTE: '0',
    LOG_LEVEL: 'silent',
    DATABASE_POOL_SIZE: '20',
  });
  @Module({
    imports: [ConfigModule.forRoot(config), DatabaseModule.forRoot(), EventStoreModule, HttpModule, ProjectionsModule],
    controllers,
    providers: [TestCountsProjection, TestTypesProjection, ...providers],
  })
  class ProjectionsTestModule {}
  const app = await NestFactory.create<NestFastifyApplication>(ProjectionsTestModule, new FastifyAdapter(), { logger: quiet });
  app.useGlobalPipes(createValidationPipe());
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    runner: app.get(ProjectionRunner),
    counts: app.get(TestCountsProjection),
    store: app.get(EventStore),
    close: () => app.close(),
  };
}

/** Polls `probe` until it returns something truthy, failing after `timeoutMs` (generous: a condition, not a sleep). */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Events after the projection's checkpoint, in log order (committed or not yet visible). */
export async function lagOf(pool: pg.Pool, name: string): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM events e, projection_checkpoints c
     WHERE c.name = $1 AND (e.transaction_id, e.global_position) > (c.transaction_id, c.position)`,
    [name],
  );
  return rows[0].n;
}

/** Waits until the projection has applied everything committed so far. */
export function caughtUp(pool: pg.Pool, name: string): Promise<true> {
  return waitFor(`${name} to catch up`, async () => (await lagOf(pool, name)) === 0 || undefined);
}
