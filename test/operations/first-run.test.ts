import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  adminToken,
  ensureBuilt,
  freePort,
  isAlive,
  launch,
  parentPid,
  postmasterPid,
  run,
  serviceEnv,
  stopLeftovers,
  tempFolder,
  waitHealthy,
  waitUntil,
} from './service-process.js';

// `npm start` and `node dist/main.js` as a user runs them: real processes, their own PostgreSQL, free ports.
const services = new Set<number>();
const postmasters = new Set<number>();
const folder = tempFolder('eventshop-first-run-');

beforeAll(() => ensureBuilt(), 300_000);
afterAll(() => {
  stopLeftovers(services, postmasters);
  folder.remove();
});

/** One plain sentence: no stack trace, no `undefined`, and it names the setting to change. */
function expectOneSentence(output: string, names: RegExp) {
  const failure = output.split('\n').find((line) => line.startsWith('eventshop cannot start: '));
  expect(failure, output).toBeDefined();
  expect(failure).toMatch(names);
  expect(output).not.toMatch(/^\s+at /m);
  expect(output).not.toMatch(/undefined/);
}

describe('npm start', () => {
  it('serves the API, and SIGTERM to npm stops the service and its PostgreSQL within seconds', async () => {
    const dataDir = path.join(folder.dir, 'npm-start');
    const env = await serviceEnv(dataDir);
    const npm = launch('npm', ['start'], env);
    services.add(npm.child.pid!);
    await waitHealthy(npm, env.PORT);
    const postmaster = postmasterPid(dataDir)!;
    postmasters.add(postmaster);
    const service = parentPid(postmaster);
    services.add(service);

    const stoppedAt = Date.now();
    npm.child.kill('SIGTERM');
    expect(await npm.exited).toBe(0);
    await waitUntil('the service and PostgreSQL to end', () => (isAlive(service) || isAlive(postmaster) ? undefined : true), 15_000);
    expect(Date.now() - stoppedAt).toBeLessThan(15_000);
    expect(postmasterPid(dataDir)).toBeUndefined();
  });
});

describe('restart after kill -9', () => {
  it('comes up healthy on the same data folder, with what was written before', async () => {
    const dataDir = path.join(folder.dir, 'crash');
    const env = await serviceEnv(dataDir);
    const first = launch(process.execPath, ['dist/main.js'], env);
    services.add(first.child.pid!);
    await waitHealthy(first, env.PORT);
    const orphan = postmasterPid(dataDir)!;
    postmasters.add(orphan);
    const created = await fetch(`http://127.0.0.1:${env.PORT}/products`, {
      method: 'POST',
      headers: { authorization: adminToken(), 'content-type': 'application/json' },
      body: JSON.stringify({ sku: 'CRASH-1', name: 'Survivor', priceCents: 500, stock: 3 }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };

    first.child.kill('SIGKILL');
    await first.exited;
    expect(isAlive(orphan)).toBe(true); // what the crash left behind

    const second = launch(process.execPath, ['dist/main.js'], env);
    services.add(second.child.pid!);
    await waitHealthy(second, env.PORT);
    expect(isAlive(orphan)).toBe(false);
    postmasters.add(postmasterPid(dataDir)!);
    const product = await waitUntil('the product', async () => {
      const res = await fetch(`http://127.0.0.1:${env.PORT}/products/${id}`);
      return res.status === 200 ? ((await res.json()) as { name: string }) : undefined;
    });
    expect(product.name).toBe('Survivor');

    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(postmasterPid(dataDir)).toBeUndefined();
  });
});

// Concurrent: each case is mostly a process loading; they share nothing but the taken port.
describe.concurrent('a start that cannot succeed', () => {
  let taken: Server;
  let takenPort: number;
  beforeAll(async () => {
    taken = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => taken.once('listening', resolve));
    takenPort = (taken.address() as { port: number }).port;
  });
  afterAll(() => taken.close());

  it('says so in one sentence when the HTTP port is taken, and leaves no PostgreSQL behind', async () => {
    const dataDir = path.join(folder.dir, 'http-port');
    const env = await serviceEnv(dataDir, { PORT: String(takenPort) });
    const result = await run(process.execPath, ['dist/main.js'], env);
    expect(result.code).not.toBe(0);
    expectOneSentence(result.stderr, new RegExp(`port ${takenPort} .*PORT`));
    expect(postmasterPid(dataDir)).toBeUndefined();
  });

  it('says so in one sentence when the embedded PostgreSQL port is taken', async () => {
    const env = await serviceEnv(path.join(folder.dir, 'pg-port'), { EMBEDDED_PG_PORT: String(takenPort) });
    const result = await run(process.execPath, ['dist/main.js'], env);
    expect(result.code).not.toBe(0);
    expectOneSentence(result.stderr, new RegExp(`port ${takenPort} .*EMBEDDED_PG_PORT`));
  });

  it.each([
    ['nothing listens there', async () => `postgres://postgres:postgres@127.0.0.1:${await freePort()}/eventshop`, /nothing answers at 127\.0\.0\.1:\d+.*DATABASE_URL/],
    ['the password is wrong', () => withPassword(inject('postgresServerUrl'), 'wrong-password'), /refused user "postgres".*password.*DATABASE_URL/],
    ['the database does not exist', () => withDatabase(inject('postgresServerUrl'), 'no_such_database'), /database "no_such_database" does not exist.*DATABASE_URL/],
  ])('says so in one sentence when DATABASE_URL is wrong: %s', async (_case, url, sentence) => {
    const env = await serviceEnv(path.join(folder.dir, 'unused'), { DATABASE_URL: await url() });
    const result = await run(process.execPath, ['dist/main.js'], env);
    expect(result.code).not.toBe(0);
    expectOneSentence(result.stderr, sentence);
    expect(result.stderr).not.toContain('wrong-password');
  });

  it('says so in one sentence when settings are invalid', async () => {
    const env = await serviceEnv(path.join(folder.dir, 'unused'), { PORT: 'eighty', STORE_CURRENCY: 'euro' });
    const result = await run(process.execPath, ['dist/main.js'], env);
    expect(result.code).not.toBe(0);
    expectOneSentence(result.stderr, /invalid settings \(.*PORT.*STORE_CURRENCY.*\)/);
  });

  it('says so in one sentence when the data folder cannot be written', async () => {
    const env = await serviceEnv(path.join(folder.dir, 'a-file'));
    writeFileSync(path.join(folder.dir, 'a-file'), 'not a folder');
    const result = await run(process.execPath, ['dist/main.js'], { ...env, EMBEDDED_PG_DIR: path.join(folder.dir, 'a-file', 'data') });
    expect(result.code).not.toBe(0);
    expectOneSentence(result.stderr, /data folder .*a-file.*EMBEDDED_PG_DIR/);
  });
});

function withPassword(url: string, password: string): string {
  const parsed = new URL(url);
  parsed.password = password;
  return parsed.toString();
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
