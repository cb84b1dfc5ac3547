import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { auditLog, type LedgerEntry } from '../../scripts/chaos/audit.mjs';
import { createMigratedDatabase } from '../support/database.js';

const root = path.resolve(import.meta.dirname, '../..');

/** `npm run chaos` as a user runs it (node scripts/chaos.mjs), against the run's PostgreSQL. */
function runChaos(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['scripts/chaos.mjs', ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

function figure(output: string, label: string): string | undefined {
  const line = output.split('\n').find((l) => l.startsWith(`${label}  `));
  return line?.slice(label.length).trim();
}

describe('npm run chaos (external PostgreSQL)', () => {
  it('kill -9s the service twice under load: nothing acknowledged lost or doubled, no gaps, read models equal a replay', async () => {
    // The script makes (and drops) a fresh database of its own on the server DATABASE_URL names.
    const { code, output } = await runChaos(['--kills', '2', '--seconds', '5', '--concurrency', '8'], {
      DATABASE_URL: inject('postgresServerUrl'),
    });

    expect(code, output).toBe(0);
    expect(figure(output, 'kills (kill -9)'), output).toBe('2');
    expect(figure(output, 'restarts'), output).toBe('2');
    expect(Number(figure(output, '  acknowledged (2xx)')), output).toBeGreaterThan(0);
    expect(Number(figure(output, '  retried (lost connection or 5xx)')), output).toBeGreaterThan(0);
    for (const label of ['  unanswered', 'lost', 'doubled', 'refused but applied', 'gaps', 'read models behind the log', 'read-model differences']) {
      expect(figure(output, label), `${label}\n${output}`).toBe('0');
    }
    expect(output).toContain('chaos: PASSED');
  }, 180_000);
});

describe('the chaos audit', () => {
  it('finds an acknowledged command missing from the log, one applied twice, a refusal that was applied and a version gap', async () => {
    const db = await createMigratedDatabase();
    // Each call is its own transaction: a command appended twice shows as two transactions under its key.
    const append = async (streamId: string, version: number, key: string) => {
      const { rows } = await db.pool.query<{ position: string }>(
        `INSERT INTO events (event_id, stream_id, stream_type, version, type, data, metadata)
         VALUES ($1, $2, 'cart', $3, 'ItemAdded', '{}', jsonb_build_object('correlationId', $4::text))
         RETURNING global_position::text AS position`,
        [randomUUID(), streamId, version, key],
      );
      return rows[0].position;
    };
    const [kept, missing, twice, refused, gapped] = Array.from({ length: 5 }, () => randomUUID());
    const [cart, doubledCart, refusedCart, gappedCart] = Array.from({ length: 4 }, () => randomUUID());
    const command = (key: string, outcome: LedgerEntry['outcome'], answer: LedgerEntry['answer']): LedgerEntry => ({
      key,
      kind: 'add item',
      path: '/carts/x/items',
      outcome,
      answer,
    });
    const ledger = [
      command(kept, 'acknowledged', { id: cart, version: 1, position: await append(cart, 1, kept) }),
      command(missing, 'acknowledged', { id: cart, version: 2, position: '999999' }),
      command(twice, 'acknowledged', { id: doubledCart, version: 1, position: await append(doubledCart, 1, twice) }),
      command(refused, 'refused', { code: 'CART_CHECKED_OUT' }),
      command(gapped, 'acknowledged', { id: gappedCart, version: 1, position: await append(gappedCart, 1, gapped) }),
    ];
    await append(doubledCart, 2, twice);
    await append(refusedCart, 1, refused);
    await append(gappedCart, 3, randomUUID());

    const audit = await auditLog(db.url, ledger);
    await db.close();

    expect(audit.lost).toEqual([expect.objectContaining({ key: missing })]);
    expect(audit.doubled).toEqual([expect.objectContaining({ key: twice, applications: 2 })]);
    expect(audit.refusedButApplied).toEqual([expect.objectContaining({ key: refused })]);
    expect(audit.gaps).toEqual([expect.objectContaining({ stream_id: gappedCart })]);
    expect(audit.eventsOfNoCommandOfOurs).toBe(1);
  });
});
