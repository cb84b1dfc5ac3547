import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import pg from 'pg';
import { PG_POOL } from '../../database/database.tokens.js';
import { LOG_START, type LogCheckpoint, type StoredEvent } from '../../event-store/event.js';
import { EventStore } from '../../event-store/event-store.js';
import { HORIZON_CTES } from '../../event-store/log-horizon.js';
import { checkpointOfEvent } from '../../projections/checkpoint-store.js';
import { ListenSession } from '../../projections/listen-session.js';
import { WakeSignal } from '../../projections/wake-signal.js';
import { AppConfig } from '../../config/app-config.js';

/** Events per read: with events of at most 64 KiB, a stream holds at most a few MiB at a time (and caught-up streams share the read). */
const BATCH_SIZE = 50;
/** Fallback when no notification arrives; and how soon to look again when an older append holds events back. */
const POLL_MS = 500;
const HELD_BACK_MS = 20;

/**
 * The log as live streams follow it: in the same gap-safe `(transaction_id, position)` order as the
 * projections (EventStore.readLogBatch), each stream from its own checkpoint. Streams that are caught up
 * sit at the same checkpoint and share one read (SharedLogReads); all are woken by this instance's
 * appends and, through a LISTEN connection, by other instances'.
 */
@Injectable()
export class LiveLog implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('LiveStreams');
  private readonly followers = new Map<WakeSignal, () => void>();
  private readonly session: ListenSession;
  private unsubscribe: (() => void) | undefined;
  private stopping = false;

  constructor(
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    private readonly store: EventStore,
    config: AppConfig,
  ) {
    const events = { onNotify: () => this.wakeAll(), onLost: () => undefined };
    this.session = new ListenSession({ ...pool.options, application_name: 'eventshop-live' }, events, undefined, config.instanceId);
    this.unsubscribe = store.onAppended(() => this.wakeAll());
  }

  get open(): number {
    return this.followers.size;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.session.open();
  }

  /**
   * Ends every stream (their clients reconnect, to another instance), so that shutdown is not held up by
   * them, even by one waiting for a slow client to take its last event.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.unsubscribe?.();
    for (const [signal, cutOff] of this.followers) {
      signal.close();
      cutOff();
    }
    await this.session.close();
  }

  /**
   * Hands `send` every event after `from` that `keep` accepts, in log order, then each new one, until
   * `send` answers false (the client is gone), the stream closes, the service stops (it cuts the stream
   * off), or the database fails (the stream then ends and its client reconnects with Last-Event-ID).
   */
  async follow(
    from: LogCheckpoint,
    keep: (event: StoredEvent) => boolean,
    send: (event: StoredEvent) => Promise<boolean>,
    stream: { readonly closed: Promise<void>; cutOff(): void },
  ): Promise<void> {
    if (this.stopping) return;
    const signal = new WakeSignal();
    this.followers.set(signal, () => stream.cutOff());
    void stream.closed.then(() => signal.close());
    let checkpoint = from;
    try {
      while (!signal.closed) {
        const read = await this.store.readLogBatch(checkpoint, BATCH_SIZE);
        for (const event of read.events) {
          if (keep(event) && !(await send(event))) return;
          checkpoint = checkpointOfEvent(event);
        }
        if (read.events.length < BATCH_SIZE) await signal.wait(read.heldBack ? HELD_BACK_MS : POLL_MS);
      }
    } catch (error) {
      this.logger.warn(`a live stream ends: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      signal.close();
      this.followers.delete(signal);
    }
  }

  /** Where a stream that starts now begins: the last event below the horizon (every later one is still to come). */
  async end(): Promise<LogCheckpoint> {
    const { rows } = await this.pool.query<{ transaction_id: string; global_position: string }>(
      `WITH ${HORIZON_CTES}
       SELECT transaction_id, global_position FROM events WHERE transaction_id < (SELECT xid FROM horizon)
       ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
    );
    return rows[0] ? { transactionId: rows[0].transaction_id, position: rows[0].global_position } : LOG_START;
  }

  /**
   * Where a stream resumes after the event at `position` (a Last-Event-ID, which names an event the client
   * got): that event's place in log order, so it gets exactly the events after it. For a position no event
   * holds (an `after` picked by hand): just before the earliest later event in log order.
   */
  async after(position: string): Promise<LogCheckpoint> {
    const { rows } = await this.pool.query<{ transaction_id: string | null }>(
      `SELECT coalesce((SELECT transaction_id FROM events WHERE global_position = $1),
                       (SELECT min(transaction_id) FROM events WHERE global_position > $1)) AS transaction_id`,
      [position],
    );
    const transactionId = rows[0].transaction_id;
    return transactionId === null ? this.end() : { transactionId, position };
  }

  private wakeAll(): void {
    for (const signal of this.followers.keys()) signal.wake();
  }
}
