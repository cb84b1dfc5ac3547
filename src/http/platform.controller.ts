import { Controller, Get, Header, Inject, Optional, Req, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, type HealthCheckResult } from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import type pg from 'pg';
import { DataSource } from 'typeorm';
import { PG_POOL } from '../database/database.tokens.js';
import { metricsRegistry } from '../observability/metrics.js';
import { ProjectionRunner } from '../projections/projection-runner.js';
import { ReactionRunner } from '../reactions/reaction-runner.js';
import { Public, type AuthenticatedRequest } from './auth.js';
import { MetricsAccess } from './metrics-access.js';
import { LivenessDto } from './health.dto.js';
import { ApiHealth, ApiMetrics } from './openapi/platform.decorators.js';

/** A readiness check answers within this, whatever the database does. */
const CHECK_TIMEOUT_MS = 2_000;

@ApiTags('platform')
@Public()
@Controller()
export class PlatformController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly projections: ProjectionRunner,
    private readonly metricsAccess: MetricsAccess,
    // Absent from apps without reactions (the projections' test app): their health lists none.
    @Optional() private readonly reactions?: ReactionRunner,
  ) {}

  /** The same check as /health/ready, under the name load balancers probe by default. */
  @Get('health')
  @HealthCheck({ swaggerDocumentation: false })
  @ApiHealth('getHealth', 'Readiness', 'The same as `GET /health/ready`.')
  healthAlias(): Promise<HealthCheckResult> {
    return this.ready();
  }

  /**
   * 200 once the database answers and every migration has run; 503 UNAVAILABLE otherwise. The details
   * list each projection's status, position and lag, each reaction's status and position, and the pending,
   * overdue and failing timers (informative: a lagging or failed projection or reaction does not make the
   * service unready, its reads answer for themselves).
   */
  @Get('health/ready')
  @HealthCheck({ swaggerDocumentation: false })
  @ApiHealth('getHealthReady', 'Readiness', '200 once the database answers and its migrations ran, 503 otherwise; the details list each projection.')
  async ready(): Promise<HealthCheckResult> {
    try {
      return await this.health.check([() => this.checkDatabase(), () => this.checkProjections(), ...this.checkReactions()]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const { details } = error.getResponse() as HealthCheckResult;
      throw new ServiceUnavailableException({
        code: 'UNAVAILABLE',
        message: 'Not ready: the database is unreachable or its migrations have not run',
        details: Object.entries(details).map(([check, result]) => ({ check, ...result })),
      });
    }
  }

  /** 200 while the process runs; never touches the database (a restart of it is no reason to restart us). */
  @Get('health/live')
  @ApiHealth('getHealthLive', 'Liveness', '200 while the process runs; it never touches the database.', LivenessDto)
  live(): LivenessDto {
    return { status: 'ok' };
  }

  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiMetrics()
  metrics(@Req() request: AuthenticatedRequest): Promise<string> {
    this.metricsAccess.check(request);
    return metricsRegistry.metrics();
  }

  /** Reachable, and every migration this build knows is recorded as run: one query. */
  private checkDatabase() {
    const table = this.dataSource.options.migrationsTableName ?? 'migrations';
    const names = this.dataSource.migrations.map((migration) => migration.name);
    return this.indicator
      .check('database')
      .attempt(async () => {
        const { rows } = await this.pool.query<{ ran: number }>(`SELECT count(*)::int AS ran FROM ${table} WHERE name = ANY($1::text[])`, [names]);
        if (rows[0].ran !== names.length) throw new Error(`${names.length - rows[0].ran} of ${names.length} migrations have not run`);
        return { migrations: names.length };
      })
      .withTimeout(CHECK_TIMEOUT_MS);
  }

  private checkProjections() {
    return this.indicator
      .check('projections')
      .attempt(async () => {
        const statuses = await this.projections.statuses();
        return Object.fromEntries(statuses.map(({ name, status, position, lag, lastError }) => [name, { status, position, lag, ...(lastError ? { lastError } : {}) }]));
      })
      .withTimeout(CHECK_TIMEOUT_MS);
  }

  /** Each reaction's status and position; the pending, overdue and failing timers. */
  private checkReactions() {
    const reactions = this.reactions;
    if (!reactions) return [];
    return [
      () =>
        this.indicator
          .check('reactions')
          .attempt(async () => Object.fromEntries((await reactions.statuses()).map(({ name, ...status }) => [name, status])))
          .withTimeout(CHECK_TIMEOUT_MS),
      () =>
        this.indicator
          .check('timers')
          .attempt(async () => ({ ...(await reactions.timersSummary()) }))
          .withTimeout(CHECK_TIMEOUT_MS),
    ];
  }
}
