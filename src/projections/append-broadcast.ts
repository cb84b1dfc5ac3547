import type pg from 'pg';
import { CHANNEL } from './listen-session.js';

/** Appends within this window share one NOTIFY. */
const COALESCE_MS = 5;

/**
 * Tells the other instances that this one appended: one NOTIFY per 5 ms at most, sent in its own
 * statement, with the instance's id, so that its own listeners ignore it. (A NOTIFY inside the appending transaction would make every append commit one at a time:
 * PostgreSQL serialises the commits of notifying transactions.) A lost notification only costs the
 * other instances their 500 ms poll.
 */
export class AppendBroadcast {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly instanceId: string,
  ) {}

  appended(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.pool.query('SELECT pg_notify($1, $2)', [CHANNEL, this.instanceId]).catch(() => undefined);
    }, COALESCE_MS);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
