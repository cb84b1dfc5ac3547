import { Logger } from '@nestjs/common';
import pg from 'pg';
import type { AdvisoryLockKey } from './projection-locks.js';

/** Instances tell each other about appends on this channel (see AppendBroadcast). */
export const CHANNEL = 'events_appended';
/**
 * Reconnect backoff: doubling from 500 ms to 2 s. One connection attempt every 2 s costs a server nothing,
 * and bounds how long after the database returns this instance's projections resume.
 */
const RECONNECT_BASE_MS = 500;
const RECONNECT_CAP_MS = 2_000;

export interface ListenSessionEvents {
  /** A notification on `channel` with its payload, or we (re)connected and may have missed some (no channel). */
  onNotify(channel?: string, payload?: string): void;
  /** The connection dropped: every session lock it held is gone. */
  onLost(): void;
}

/**
 * The runner's one dedicated connection, outside the pool: it LISTENs for appends and holds the session
 * advisory locks that make this instance the applier of its projections. Each connection gets a new
 * `generation`; a lock is held only while the generation it was taken in is current. A dropped
 * connection is reopened with backoff.
 */
export class ListenSession {
  private readonly logger = new Logger('ProjectionRunner');
  private client: pg.Client | undefined;
  private generationCounter = 0;
  private closing = false;
  private connecting: Promise<void> | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private failedConnects = 0;
  /** pg wants one query at a time per client; the appliers' lock requests queue here. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly events: ListenSessionEvents,
    /** The channels to LISTEN to. */
    private readonly channels: readonly string[] = [CHANNEL],
    /**
     * This instance's id (AppConfig.instanceId): its own append notifications are dropped, since its
     * appends wake its readers in process (see AppendBroadcast).
     */
    private readonly instanceId?: string,
  ) {}

  /** Identifies the current connection; undefined while disconnected. */
  get generation(): number | undefined {
    return this.client ? this.generationCounter : undefined;
  }

  open(): Promise<void> {
    this.connecting = this.connect();
    return this.connecting;
  }

  /** Takes a session lock on the current connection; its generation if taken, undefined if not. */
  async tryLock(key: AdvisoryLockKey): Promise<number | undefined> {
    const client = this.client;
    const generation = this.generation;
    if (!client || generation === undefined) return undefined;
    try {
      const { rows } = await this.serially(() => client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', key.args));
      return rows[0].ok && this.generation === generation ? generation : undefined;
    } catch {
      return undefined;
    }
  }

  async unlock(key: AdvisoryLockKey, generation: number): Promise<void> {
    const client = this.client;
    if (!client || this.generation !== generation) return;
    await this.serially(() => client.query('SELECT pg_advisory_unlock($1, $2)', key.args)).catch(() => undefined);
  }

  /** Closes the connection, which releases every session lock it held. */
  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.reconnectTimer);
    await this.connecting;
    await this.queue;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private serially<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task, task);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(this.config);
    client.on('notification', (message) => {
      if (message.channel === CHANNEL && this.instanceId !== undefined && message.payload === this.instanceId) return;
      this.events.onNotify(message.channel, message.payload);
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      for (const channel of this.channels) await client.query(`LISTEN ${channel}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      if (this.closing) return;
      // Once per outage, not at every attempt.
      if (this.failedConnects === 0) this.logger.warn(`projection listener could not connect: ${error instanceof Error ? error.message : String(error)}; retrying`);
      this.scheduleReconnect();
      return;
    }
    if (this.closing) {
      await client.end().catch(() => undefined);
      return;
    }
    if (this.failedConnects > 0 || this.generationCounter > 0) this.logger.log('projection listener reconnected');
    this.failedConnects = 0;
    this.generationCounter++;
    this.client = client;
    // Appends made while we were not listening woke nobody.
    this.events.onNotify();
  }

  private lost(client: pg.Client, error?: Error): void {
    if (this.client !== client) return;
    this.client = undefined;
    void client.end().catch(() => undefined);
    if (this.closing) return;
    this.logger.warn(`projection listener connection lost${error ? `: ${error.message}` : ''}; reconnecting`);
    this.events.onLost();
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const delay = Math.min(RECONNECT_CAP_MS, RECONNECT_BASE_MS * 2 ** this.failedConnects++);
    this.reconnectTimer = setTimeout(() => {
      this.connecting = this.connect();
    }, delay);
  }
}
