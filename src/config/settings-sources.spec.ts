import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeConfig, loadConfig, loadConfigFrom } from './app-config.js';
import { readEnvironment } from './settings-sources.js';

describe('settings from the environment and .env', () => {
  const folders: string[] = [];
  afterEach(() => folders.splice(0).forEach((folder) => rmSync(folder, { recursive: true, force: true })));
  const folderWith = (dotenv?: string) => {
    const folder = mkdtempSync(join(tmpdir(), 'eventshop-settings-'));
    folders.push(folder);
    if (dotenv !== undefined) writeFileSync(join(folder, '.env'), dotenv);
    return folder;
  };

  const dotenv = [
    '# copied from .env.example',
    'PORT=4100',
    'STORE_CURRENCY=EUR',
    'JWT_SECRET="a-secret-from-the-dotenv-file"',
    'DATABASE_URL=postgres://shop:dotenv-db-password@db.internal:5432/shop',
    "METRICS_TOKEN='metrics-token-from-dotenv'",
    'RATE_LIMIT_PER_MINUTE=',
  ].join('\n');

  it('reads .env, lets the environment win, and leaves the rest to the defaults', () => {
    const cwd = folderWith(dotenv);
    const config = loadConfigFrom(readEnvironment({ cwd, env: { PORT: '5000', RATE_LIMIT_PER_MINUTE: '60', NODE_ENV: 'test' } }));
    expect(config.PORT).toBe(5000);
    expect(config.RATE_LIMIT_PER_MINUTE).toBe(60);
    expect(config.STORE_CURRENCY).toBe('EUR');
    expect(config.JWT_SECRET).toBe('a-secret-from-the-dotenv-file');
    expect(config.METRICS_TOKEN).toBe('metrics-token-from-dotenv');
    expect(config.DATABASE_URL).toBe('postgres://shop:dotenv-db-password@db.internal:5432/shop');
    expect(config.EMBEDDED_PG_DIR).toBe('.data/postgres');
  });

  it('takes .env over an empty environment variable, and works without any .env', () => {
    expect(loadConfigFrom(readEnvironment({ cwd: folderWith(dotenv), env: { PORT: '' } })).PORT).toBe(4100);
    const bare = loadConfigFrom(readEnvironment({ cwd: folderWith(), env: {} }));
    expect(bare.PORT).toBe(3000);
    expect(bare.usesDevelopmentSecret).toBe(true);
  });

  it('says where each setting came from, and never a secret', () => {
    const cwd = folderWith(dotenv);
    const line = describeConfig(loadConfigFrom(readEnvironment({ cwd, env: { PORT: '5000', NODE_ENV: 'test' } })));
    expect(line).toContain(`read ${join(cwd, '.env')}`);
    expect(line).toMatch(/from the environment: [^;]*NODE_ENV=test[^;]*PORT=5000/);
    expect(line).toMatch(/from \.env: [^;]*DATABASE_URL=postgres:\/\/shop:\*\*\*@db\.internal:5432\/shop/);
    expect(line).toMatch(/from \.env: [^;]*JWT_SECRET=\(set\)[^;]*METRICS_TOKEN=\(set\)[^;]*STORE_CURRENCY=EUR/);
    expect(line).toMatch(/defaults: [^;]*EMBEDDED_PG_DIR=\.data\/postgres[^;]*RATE_LIMIT_PER_MINUTE=1200/);
    for (const secret of ['a-secret-from-the-dotenv-file', 'dotenv-db-password', 'metrics-token-from-dotenv']) expect(line).not.toContain(secret);
  });

  it('keeps the development secret out of the log too', () => {
    const line = describeConfig(loadConfigFrom(readEnvironment({ cwd: folderWith(), env: {} })));
    expect(line).toContain('no .env file');
    expect(line).toMatch(/defaults: [^;]*JWT_SECRET=\(set\)/);
    expect(line).not.toContain('eventshop-development-secret');
  });

  it("is what loadConfig() reads by default: the working folder's .env", () => {
    const previous = process.cwd();
    process.chdir(folderWith('STORE_CURRENCY=JPY\n'));
    try {
      expect(loadConfig().STORE_CURRENCY).toBe(process.env.STORE_CURRENCY || 'JPY');
    } finally {
      process.chdir(previous);
    }
  });
});
