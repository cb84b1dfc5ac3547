import { describe, expect, it } from 'vitest';
import { loadConfig } from './app-config.js';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ PORT: 3000, EMBEDDED_PG_DIR: '.data/postgres', STORE_CURRENCY: 'USD', RATE_LIMIT_PER_MINUTE: 1200 });
    // Pooled connections stay open through a lull of minutes, not pg's 10 s.
    expect(config.DATABASE_POOL_IDLE_TIMEOUT_MS).toBe(300_000);
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.usesDevelopmentSecret).toBe(true);
  });

  it('refuses to start in production on the development secret', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET must be set/);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'a-real-secret-of-some-length' }).usesDevelopmentSecret).toBe(false);
  });

  it('lists every bad value at once', () => {
    const attempt = () => loadConfig({ PORT: 'eighty', STORE_CURRENCY: 'dollars', DATABASE_URL: 'mysql://x' });
    expect(attempt).toThrow(/PORT/);
    expect(attempt).toThrow(/STORE_CURRENCY/);
    expect(attempt).toThrow(/DATABASE_URL/);
  });

  it('takes the projector thread\'s young generation within bounds', () => {
    expect(loadConfig({}).PROJECTOR_YOUNG_GENERATION_MB).toBe(24);
    expect(loadConfig({ PROJECTOR_YOUNG_GENERATION_MB: '96' }).PROJECTOR_YOUNG_GENERATION_MB).toBe(96);
    // V8 needs a few MB of young generation to run at all; a typo of a zero too many is refused too.
    for (const bad of ['4', '2048', 'lots']) expect(() => loadConfig({ PROJECTOR_YOUNG_GENERATION_MB: bad })).toThrow(/PROJECTOR_YOUNG_GENERATION_MB/);
  });
});
