import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { JwtService } from '@nestjs/jwt';
import request from 'supertest';
import { createApp } from '../../src/app.setup.js';
import { loadConfig } from '../../src/config/app-config.js';
import { createTestDatabase } from './database.js';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256';

export interface TestApp {
  readonly app: NestFastifyApplication;
  readonly databaseUrl: string;
  /** A supertest client on the app. */
  http(): ReturnType<typeof request>;
  /** A bearer header value for a caller. */
  token(sub: string, roles?: string[], extra?: Record<string, unknown>): string;
  close(): Promise<void>;
}

/** The real application, on its own fresh database, as a client would meet it. */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  // Pass DATABASE_URL to run a second instance on another app's database.
  const databaseUrl = env.DATABASE_URL ?? (await createTestDatabase());
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    JWT_SECRET: TEST_JWT_SECRET,
    RATE_LIMIT_PER_MINUTE: '0',
    LOG_LEVEL: 'silent',
    DATABASE_POOL_SIZE: '30',
    ...env,
  });
  const app = await createApp(config);
  await app.getHttpAdapter().getInstance().ready();
  const jwt = new JwtService({ secret: TEST_JWT_SECRET });
  return {
    app,
    databaseUrl,
    http: () => request(app.getHttpServer()),
    token: (sub, roles = ['customer'], extra = {}) =>
      `Bearer ${jwt.sign({ sub, roles, ...extra }, { algorithm: 'HS256', expiresIn: '1h' })}`,
    close: () => app.close(),
  };
}
