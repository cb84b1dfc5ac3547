import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { adminToken, freePort, JWT_SECRET, launch, waitUntil, type RunningProcess } from '../operations/service-process.js';
import { IN_THIS_DATABASE } from '../../src/event-store/log-horizon.js';

/** The built service (`node dist/main.js`) on `databaseUrl`, with `PROJECTIONS` as given. */
export async function startService(databaseUrl: string, projections: string): Promise<{ process: RunningProcess; url: string }> {
  const port = String(await freePort());
  const service = launch(process.execPath, ['dist/main.js'], {
    DATABASE_URL: databaseUrl,
    PORT: port,
    JWT_SECRET,
    RATE_LIMIT_PER_MINUTE: '0',
    PROJECTIONS: projections,
    NODE_ENV: 'production',
  });
  const url = `http://127.0.0.1:${port}`;
  await waitUntil('a service answering /health/live', async () => {
    if (service.child.exitCode !== null) throw new Error(`the service exited:\n${service.output()}`);
    const res = await fetch(`${url}/health/live`).catch(() => undefined);
    return res?.status === 200 ? true : undefined;
  });
  return { process: service, url };
}

/** Creates a product as an admin; its id and the position of its event. */
export async function createProduct(url: string): Promise<{ id: string; position: string }> {
  const res = await fetch(`${url}/products`, {
    method: 'POST',
    headers: { authorization: adminToken(), 'content-type': 'application/json' },
    body: JSON.stringify({ sku: `W-${randomUUID().slice(0, 8)}`, name: 'Projected elsewhere', priceCents: 700, stock: 5 }),
  });
  if (res.status !== 201) throw new Error(`POST /products answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as { id: string; position: string };
}

/** GET /products/:id with X-Min-Position: the status, the position the read reflects, and the body. */
export async function readProduct(url: string, id: string, minPosition: string) {
  const res = await fetch(`${url}/products/${id}`, { headers: { 'x-min-position': minPosition } });
  return { status: res.status, position: res.headers.get('x-projection-position'), body: (await res.json()) as { id?: string; code?: string } };
}

/** SIGTERM, then the exit code (null if it had to be killed). */
export async function terminate(running: RunningProcess, timeoutMs = 30_000): Promise<number | null> {
  running.child.kill('SIGTERM');
  const killer = setTimeout(() => running.child.kill('SIGKILL'), timeoutMs);
  const code = await running.exited;
  clearTimeout(killer);
  return code;
}

/** The advisory locks held in this database (the appliers', reactions', timers', endpoints'), and our connections. */
export async function heldLocksAndConnections(databaseUrl: string): Promise<{ locks: number; connections: string[] }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const locks = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted AND ${IN_THIS_DATABASE}`,
    );
    const connections = await client.query<{ name: string }>(
      `SELECT application_name AS name FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name LIKE 'eventshop%' ORDER BY 1`,
    );
    return { locks: locks.rows[0].n, connections: connections.rows.map((r) => r.name) };
  } finally {
    await client.end();
  }
}
