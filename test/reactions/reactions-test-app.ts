import { Inject, Injectable, Module, type INestApplicationContext, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import pg from 'pg';
import { loadConfig } from '../../src/config/app-config.js';
import { ConfigModule } from '../../src/config/config.module.js';
import { DatabaseModule } from '../../src/database/database.module.js';
import { PG_POOL } from '../../src/database/database.tokens.js';
import { CommandRunner } from '../../src/event-store/command-runner.js';
import type { NewEvent, StoredEvent } from '../../src/event-store/event.js';
import { EventStore } from '../../src/event-store/event-store.js';
import { EventStoreModule } from '../../src/event-store/event-store.module.js';
import type { ManualClock } from '../../src/reactions/clock.js';
import { effectId, ReactionProvider, type Reaction, type ReactionHandlers } from '../../src/reactions/reaction.js';
import { ReactionRunner } from '../../src/reactions/reaction-runner.js';
import { ReactionsModule } from '../../src/reactions/reactions.module.js';
import { TimerProvider, type TimerContext, type TimerHandler } from '../../src/reactions/timer.js';
import { Timers } from '../../src/reactions/timers.js';
import { TEST_JWT_SECRET } from '../support/app.js';

/**
 * Injected failures are expected here: keep them out of the test output. The last lines are kept for a
 * test that times out to tell why (reactionDiagnostics).
 */
const recentLogs: string[] = [];
const keep = (level: string) => (message: unknown) => {
  recentLogs.push(`${new Date().toISOString()} ${level} ${String(message)}`);
  if (recentLogs.length > 40) recentLogs.shift();
};
const quiet: LoggerService = { log: keep('log'), error: keep('error'), warn: keep('warn'), debug: () => {}, verbose: () => {}, fatal: keep('fatal') };

/**
 * What a test waiting on a reaction reports when it gives up: the checkpoint row, the log's end in log
 * order and its highest position (not the same event when appends overlapped), what holds the log's
 * horizon (the snapshot, the append locks and transaction ids in pg_locks, the client backends of every
 * database with their transaction ids), and the reaction runners' last log lines.
 */
export async function reactionDiagnostics(pool: pg.Pool, name: string): Promise<string> {
  const rows = async (sql: string) => JSON.stringify((await pool.query(sql)).rows);
  return [
    `checkpoint: ${JSON.stringify((await pool.query(`SELECT transaction_id::text, position, status, last_error FROM reaction_checkpoints WHERE name = $1`, [name])).rows[0])}`,
    `log end (in log order): ${await logEnd(pool)}`,
    `highest position: ${await rows(`SELECT transaction_id::text, global_position FROM events ORDER BY global_position DESC LIMIT 1`)}`,
    `snapshot: ${await rows(`SELECT pg_current_snapshot()::text AS snapshot`)}`,
    `locks: ${await rows(`SELECT locktype, database, objid, transactionid::text, pid, mode FROM pg_locks WHERE granted AND locktype IN ('transactionid', 'advisory')`)}`,
    `backends: ${await rows(`SELECT datname, pid, state, backend_xid::text, application_name, (now() - xact_start)::text AS in_transaction, left(query, 100) AS query FROM pg_stat_activity WHERE backend_type = 'client backend'`)}`,
    `logs:\n${recentLogs.join('\n')}`,
  ].join('\n');
}

/** The position of the last event in log order (transaction, then position): where a reader that has read everything stands. */
export async function logEnd(pool: pg.Pool): Promise<string> {
  const { rows } = await pool.query<{ position: string }>(`SELECT global_position AS position FROM events ORDER BY transaction_id DESC, global_position DESC LIMIT 1`);
  return rows[0].position;
}

type TestEvent = NewEvent<'Poked', { n: number }> | NewEvent<'Ignored', { n: number }>;

/**
 * A test reaction: on each `Poked` event, one row in `test_effects` keyed by the effect's id (so the
 * effect happens once however often the event is handed over), and a note of every delivery.
 */
@ReactionProvider()
@Injectable()
export class TestEffectsReaction implements Reaction<TestEvent> {
  readonly name = 'test-effects';
  /** Every delivery, in order, by event position. */
  readonly deliveries: string[] = [];
  /** Failure injection: the handler throws, after its effect, for events this matches. */
  failAfterEffect: ((event: StoredEvent) => boolean) | undefined;

  readonly handlers: ReactionHandlers<TestEvent> = {
    Poked: async (event) => {
      this.deliveries.push(event.position);
      await this.pool.query(`INSERT INTO test_effects (effect_id, position) VALUES ($1, $2) ON CONFLICT (effect_id) DO NOTHING`, [
        effectId(event, 'test-effect'),
        event.position,
      ]);
      if (this.failAfterEffect?.(event)) throw new Error(`injected failure at ${event.position}`);
    },
  };

  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}
}

/** A test timer: appends one `TimerFired` event to the stream its payload names, through the command runner. */
@TimerProvider()
@Injectable()
export class TestTimerHandler implements TimerHandler<{ streamId: string }> {
  readonly name = 'test-timer';
  /** Failure injection: fire() throws for payloads this matches. */
  failWhen: ((payload: { streamId: string }) => boolean) | undefined;

  constructor(private readonly runner: CommandRunner) {}

  async fire(payload: { streamId: string }, ctx: TimerContext): Promise<void> {
    if (this.failWhen?.(payload)) throw new Error(`injected failure for ${payload.streamId}`);
    await appendFired(this.runner, payload.streamId, ctx);
  }
}

/** One `TimerFired` event on `streamId`, in a command run with the timer's context. */
export function appendFired(runner: CommandRunner, streamId: string, ctx: TimerContext) {
  return runner.execute(streamId, ctx.command, async () => ({
    appends: [{ streamId, streamType: 'test', expectedVersion: 'any', events: [{ type: 'TimerFired', data: { timer: ctx.id, at: ctx.now.toISOString() } }] }],
    result: (appended) => ({ id: streamId, version: appended?.versions.get(streamId) ?? 0, position: appended?.lastPosition ?? '0' }),
  }));
}

export interface ReactionsTestApp {
  readonly app: INestApplicationContext;
  readonly runner: ReactionRunner;
  readonly reaction: TestEffectsReaction;
  readonly timerHandler: TestTimerHandler;
  readonly timers: Timers;
  readonly store: EventStore;
  close(): Promise<void>;
}

/** The real ReactionsModule with the event store and the test reaction and timer handler, on `databaseUrl`, going by `clock`. */
export async function startReactionsApp(databaseUrl: string, clock: ManualClock): Promise<ReactionsTestApp> {
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: databaseUrl, JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'silent', DATABASE_POOL_SIZE: '10' });
  @Module({
    imports: [ConfigModule.forRoot(config), DatabaseModule.forRoot(), EventStoreModule, ReactionsModule.forRoot(clock)],
    providers: [TestEffectsReaction, TestTimerHandler],
  })
  class ReactionsTestModule {}
  const app = await NestFactory.createApplicationContext(ReactionsTestModule, { logger: quiet });
  await app.init();
  return {
    app,
    runner: app.get(ReactionRunner),
    reaction: app.get(TestEffectsReaction),
    timerHandler: app.get(TestTimerHandler),
    timers: app.get(Timers),
    store: app.get(EventStore),
    close: () => app.close(),
  };
}

export async function createTestEffectsTable(pool: pg.Pool): Promise<void> {
  await pool.query(`CREATE TABLE IF NOT EXISTS test_effects (effect_id uuid PRIMARY KEY, position bigint NOT NULL UNIQUE)`);
}

export const testMetadata = { correlationId: 'reaction-tests', actor: 'tester' };

/** Appends `count` events of `type` to a new stream in one transaction; answers the last one's position. */
export async function poke(store: EventStore, count: number, type: TestEvent['type'] = 'Poked', streamId: string = crypto.randomUUID()): Promise<string> {
  const events = Array.from({ length: count }, (_, n) => ({ type, data: { n } }));
  const result = await store.append([{ streamId, streamType: 'test', expectedVersion: 'any', events }], testMetadata);
  return result.lastPosition;
}

/** The reaction's checkpoint row. */
export async function checkpointOf(pool: pg.Pool, name: string) {
  const { rows } = await pool.query<{ position: string; status: string; last_error: string | null; failed_position: string | null }>(
    `SELECT position, status, last_error, failed_position FROM reaction_checkpoints WHERE name = $1`,
    [name],
  );
  return rows[0];
}
