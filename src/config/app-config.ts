import { randomUUID } from 'node:crypto';
import { plainToInstance, Transform } from 'class-transformer';
import { getMetadataStorage, IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, validateSync } from 'class-validator';
import { SNAPSHOT_EVERY_PATTERN } from '../event-store/snapshot-settings.js';
import { describeSettings, readEnvironment, type Environment, type SettingSource } from './settings-sources.js';

export const DEVELOPMENT_JWT_SECRET = 'eventshop-development-secret-do-not-use-in-production';

export type ProjectionsMode = 'worker' | 'inline' | 'off';

const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));

/** Every setting the service reads, with its default. Read from the environment once, at start-up. */
export class AppConfig {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsOptional()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// connection string' })
  DATABASE_URL?: string;

  @IsString()
  EMBEDDED_PG_DIR = '.data/postgres';

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65535)
  EMBEDDED_PG_PORT = 54329;

  @IsString()
  @MinLength(16)
  JWT_SECRET = DEVELOPMENT_JWT_SECRET;

  /** A bearer token that may read /metrics. Unset: in production only admins may; elsewhere anyone. */
  @IsOptional()
  @IsString()
  @MinLength(16)
  METRICS_TOKEN?: string;

  @Matches(/^[A-Z]{3}$/, { message: 'STORE_CURRENCY must be an ISO 4217 code such as USD' })
  STORE_CURRENCY = 'USD';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  RATE_LIMIT_PER_MINUTE = 1200;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  DATABASE_POOL_SIZE = 20;

  /**
   * How long a pooled connection may sit idle before it is closed (ms; 0: never). Long, because a new
   * connection is dear: a backend forked, a SCRAM login and our named statements prepared again. Here one
   * took 26 ms to open, and 19 opened at once took 250 ms, on an idle machine. With pg's default of 10 s
   * the pools emptied between bursts, and in the bench the next burst's new connections came with stalls
   * of 290-430 ms for every request (Dec 1).
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  DATABASE_POOL_IDLE_TIMEOUT_MS = 300_000;

  /**
   * The projector thread's young generation, in MB (PROJECTIONS=worker): memory traded for rebuild speed.
   * A rebuild keeps its batches alive longer than a young generation of 24 MB lasts between collections,
   * so nearly every event it reads is copied into the old generation. In the bench (two instances on one
   * database, runs interleaved), 96 MB rebuilt carts from 1M events at 1.10-1.18x the default's rate (the
   * medians of two benches; runs from 1.01 to 1.23; 1.07x from 300k events), and the service's peak RSS
   * rose: about 305 MB instead of 260 during the rebuild, and 330 MB (326-341) instead of about 285 under the
   * add-item load, since the thread's young generation grows under that load too (Dec 1).
   */
  @Transform(toInt)
  @IsInt()
  @Min(8)
  @Max(1024)
  PROJECTOR_YOUNG_GENERATION_MB = 24;

  /**
   * Proxies trusted to report the client address in X-Forwarded-For: a hop count, or a comma list of
   * addresses/CIDRs. Unset: the socket's address is the client's, and X-Forwarded-For is ignored.
   */
  @IsOptional()
  @Matches(/^(\d+|[\w.:/]+(\s*,\s*[\w.:/]+)*)$/, { message: 'TRUST_PROXY must be a hop count or a comma list of addresses/CIDRs' })
  TRUST_PROXY?: string;

  /** Browser origins allowed to call the API (comma list). Unset: no CORS headers at all. */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s,]+(\s*,\s*https?:\/\/[^\s,]+)*$/, { message: 'CORS_ORIGINS must be a comma list of origins such as https://shop.example' })
  CORS_ORIGINS?: string;

  /** Longest token lifetime accepted: `exp` minus `iat` (or minus now, without `iat`). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  JWT_MAX_TTL_SECONDS = 86_400;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** Allow webhook URLs that resolve to loopback, link-local or private addresses (tests, private networks). */
  @Transform(({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : value === 'true' || value === true))
  @IsBoolean()
  WEBHOOK_ALLOW_PRIVATE = false;

  /** How long one delivery attempt may take (connect to answer); the contract's 10 s. Lower only in tests. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(60_000)
  WEBHOOK_TIMEOUT_MS = 10_000;

  /** The first retry's delay; each failed attempt doubles it, up to WEBHOOK_RETRY_MAX_MS. Contract: 1 s and 1 h. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  WEBHOOK_RETRY_BASE_MS = 1_000;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  WEBHOOK_RETRY_MAX_MS = 3_600_000;

  /** Delivery log rows (GET /admin/webhooks/:id/deliveries) older than this are purged. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  WEBHOOK_DELIVERY_LOG_DAYS = 7;

  /** A live stream sends a `: ping` comment this often. */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  LIVE_HEARTBEAT_MS = 15_000;

  /** A live stream whose client has not taken what was sent within this long is disconnected. */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  LIVE_STALL_TIMEOUT_MS = 10_000;

  /** An order still `placed` this long after it was placed is cancelled by the system; 0: never. At most ten years. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(5_256_000)
  ORDER_PAYMENT_TIMEOUT_MINUTES = 60;

  /**
   * Where projections, reactions, timers and webhook delivery run: `worker` (a worker thread with its own
   * event loop, so an HTTP stall does not delay them), `inline` (the request event loop), `off` (not in
   * this process: `npm run projector` runs them). Unset: `worker`, but `inline` under NODE_ENV=test, where
   * tests drive timers with a ManualClock a thread cannot share. See src/projections/README.md.
   */
  @IsOptional()
  @IsIn(['worker', 'inline', 'off'])
  PROJECTIONS?: ProjectionsMode;

  get projectionsMode(): ProjectionsMode {
    return this.PROJECTIONS ?? (this.NODE_ENV === 'test' ? 'inline' : 'worker');
  }

  /** Whether this process runs the projections, reactions, timers and webhook delivery on its own event loop. */
  get runsBackgroundWork(): boolean {
    return this.projectionsMode === 'inline';
  }

  /**
   * A stream's folded state is stored every this many events (src/event-store/snapshot-store.ts), so a
   * cold command on a long stream reads the snapshot and the events after it: a number for every
   * stream type, and/or `type=number` per stream type (`100,product=500`); 0: never.
   */
  @Matches(SNAPSHOT_EVERY_PATTERN, { message: 'SNAPSHOT_EVERY must be a number and/or type=number items, comma separated (100,product=500)' })
  SNAPSHOT_EVERY = '100';

  /**
   * This instance's id in its append notifications: not a setting, made at load. The projector thread
   * loads the main thread's configuration, id included, so both threads ignore the instance's own NOTIFYs
   * (they tell each other of their appends directly).
   */
  instanceId: string = randomUUID();

  get usesDevelopmentSecret(): boolean {
    return this.JWT_SECRET === DEVELOPMENT_JWT_SECRET;
  }
}

/** Where each setting of a loaded configuration came from (see describeConfig). */
const origins = new WeakMap<AppConfig, { readonly sources: ReadonlyMap<string, SettingSource>; readonly file?: string }>();

/**
 * Parses and validates settings; throws one error listing every bad value. Without `env`: the
 * environment, completed by the working folder's `.env` (see readEnvironment).
 */
export function loadConfig(env?: Record<string, string | undefined>): AppConfig {
  return loadConfigFrom(env ? { values: env, fromFile: new Set() } : readEnvironment());
}

export function loadConfigFrom(environment: Environment): AppConfig {
  const defined = Object.fromEntries(Object.entries(environment.values).filter(([, v]) => v !== undefined && v !== ''));
  const config = plainToInstance(AppConfig, defined, { excludeExtraneousValues: false });
  const errors = validateSync(config, { skipMissingProperties: false });
  if (errors.length > 0) {
    const lines = errors.flatMap((e) => Object.values(e.constraints ?? {}));
    throw new Error(`Invalid configuration:\n- ${lines.join('\n- ')}`);
  }
  if (config.NODE_ENV === 'production' && config.usesDevelopmentSecret) {
    throw new Error('Invalid configuration:\n- JWT_SECRET must be set when NODE_ENV=production');
  }
  const sources = new Map<string, SettingSource>();
  for (const name of settingNames()) {
    sources.set(name, !(name in defined) ? 'default' : environment.fromFile.has(name) ? '.env' : 'environment');
  }
  origins.set(config, { sources, file: environment.file });
  return config;
}

/** One log line: which setting came from the environment, from `.env` or its default; never a secret's value. */
export function describeConfig(config: AppConfig): string {
  const origin = origins.get(config);
  if (!origin) return 'settings: (not loaded by loadConfig)';
  return describeSettings(config as unknown as Record<string, unknown>, origin.sources, origin.file);
}

/** Every setting AppConfig declares: each has a validation decorator. */
function settingNames(): string[] {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(AppConfig, '', true, false);
  return [...new Set(metadata.map((m) => m.propertyName))];
}
