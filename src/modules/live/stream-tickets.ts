import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import pg from 'pg';
import { PG_POOL } from '../../database/database.tokens.js';
import type { Caller } from '../../http/auth.js';

/** The contract: a ticket is valid 60 s, once. */
const TICKET_TTL_SECONDS = 60;

const hash = (ticket: string) => createHash('sha256').update(ticket).digest('hex');

/** Single-use stream tickets (see the stream_tickets migration). */
@Injectable()
export class StreamTickets {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /** A ticket standing for `caller` on one live stream request within 60 s. Expired tickets are cleared on the way. */
  async issue(caller: Caller): Promise<{ ticket: string; expiresAt: string }> {
    const ticket = randomBytes(32).toString('base64url');
    const { rows } = await this.pool.query<{ expires_at: Date }>(
      `WITH cleared AS (DELETE FROM stream_tickets WHERE expires_at < now())
       INSERT INTO stream_tickets (ticket_hash, caller, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3)) RETURNING expires_at`,
      [hash(ticket), JSON.stringify({ id: caller.id, roles: caller.roles }), TICKET_TTL_SECONDS],
    );
    return { ticket, expiresAt: rows[0].expires_at.toISOString() };
  }

  /** The caller a ticket stands for, if it is unexpired and unused; it is used up either way. */
  async redeem(ticket: string): Promise<Caller | undefined> {
    const { rows } = await this.pool.query<{ caller: { id: string; roles: Caller['roles'] }; valid: boolean }>(
      `DELETE FROM stream_tickets WHERE ticket_hash = $1 RETURNING caller, expires_at > now() AS valid`,
      [hash(ticket)],
    );
    const row = rows[0];
    if (!row?.valid) return undefined;
    return { id: row.caller.id, roles: row.caller.roles, isAdmin: row.caller.roles.includes('admin') };
  }
}
