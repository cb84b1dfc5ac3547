import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminToken,
  ensureBuilt,
  isAlive,
  launch,
  postmasterPid,
  run,
  serviceEnv,
  stopLeftovers,
  tempFolder,
  waitHealthy,
  type RunningProcess,
} from './service-process.js';

// The README's maintenance commands as a user types them, with the service running and without it.
const folder = tempFolder('eventshop-cli-');
const dataDir = path.join(folder.dir, 'data');
const services = new Set<number>();
const postmasters = new Set<number>();
let env: Record<string, string>;
let service: RunningProcess;

beforeAll(async () => {
  ensureBuilt();
  env = await serviceEnv(dataDir);
  service = launch(process.execPath, ['dist/main.js'], env);
  services.add(service.child.pid!);
  await waitHealthy(service, env.PORT);
  postmasters.add(postmasterPid(dataDir)!);
  const created = await fetch(`http://127.0.0.1:${env.PORT}/products`, {
    method: 'POST',
    headers: { authorization: adminToken(), 'content-type': 'application/json' },
    body: JSON.stringify({ sku: 'CLI-1', name: 'Something to project', priceCents: 700, stock: 5 }),
  });
  expect(created.status).toBe(201);
}, 300_000);
afterAll(() => {
  stopLeftovers(services, postmasters);
  folder.remove();
});

const npm = (...args: string[]) => run('npm', ['run', '--silent', ...args], env);

function expectEveryReadModelMatches(stdout: string) {
  const lines = stdout.trim().split('\n');
  expect(lines.length).toBeGreaterThanOrEqual(4);
  for (const line of lines) expect(line).toMatch(/^[a-z-]+: matches a fresh rebuild from the log$/);
  expect(stdout).toContain('catalog: matches');
}

describe('with the service running', () => {
  it('npm run token prints a token the service accepts', async () => {
    const result = await npm('token', '--', '--sub', 'alice', '--role', 'customer');
    expect(result.code).toBe(0);
    const token = result.stdout.trim();
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const res = await fetch(`http://127.0.0.1:${env.PORT}/orders`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
  });

  it('npm run verify finds every read model equal to a replay, using the running database', async () => {
    const result = await npm('verify');
    expect(result.stderr).not.toMatch(/TypeError|^\s+at /m);
    expect(result.code).toBe(0);
    expectEveryReadModelMatches(result.stdout);
    expect(result.stderr).toContain('using the embedded PostgreSQL already running');
  });

  it('npm run projections:rebuild rebuilds one read model', async () => {
    const result = await npm('projections:rebuild', '--', 'catalog');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/rebuilt catalog from \d+ events in [\d.]+ s; it is at position \d+/);
    const res = await fetch(`http://127.0.0.1:${env.PORT}/products?q=CLI-1`);
    expect(((await res.json()) as { items: { name: string }[] }).items.map((p) => p.name)).toEqual(['Something to project']);
  });

  it('says what is wrong with a bad argument, with exit code 2', async () => {
    const verify = await npm('verify', '--', 'no-such-model');
    expect(verify.code).toBe(2);
    expect(verify.stderr).toMatch(/no projection named no-such-model; there are: .*catalog/);
    const rebuild = await npm('projections:rebuild');
    expect(rebuild.code).toBe(2);
    expect(rebuild.stderr).toContain('usage: npm run projections:rebuild -- <projection name>');
    const token = await npm('token');
    expect(token.code).toBe(2);
    expect(token.stderr).toContain('usage: npm run token -- --sub');
  });
});

describe('with the service stopped', () => {
  beforeAll(async () => {
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
  }, 60_000);

  it('npm run verify starts the database itself, checks, and stops it again', async () => {
    const result = await npm('verify');
    expect(result.code).toBe(0);
    expectEveryReadModelMatches(result.stdout);
    expect(postmasterPid(dataDir)).toBeUndefined();
  });

  it('npm run projections:rebuild starts the database itself, rebuilds, and stops it again', async () => {
    const result = await npm('projections:rebuild', '--', 'order-summary');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/rebuilt order-summary from \d+ events/);
    expect(postmasterPid(dataDir)).toBeUndefined();
    for (const pid of postmasters) expect(isAlive(pid)).toBe(false);
  });

  it('npm run token needs no database', async () => {
    const result = await npm('token', '--', '--sub', 'root', '--role', 'admin', '--hours', '1');
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  });
});
