/**
 * One rung of the request-pipeline ladder (bench/scenarios/ladder.mjs): GET /orders/:id answered with
 * the service's own read (dist/'s OrderQueries.findOrder on the service's database), through the
 * service's own pipeline pieces from dist/, added one at a time. LADDER_STEP names the highest rung:
 *
 *   fastify      bare Fastify and the read; no auth (the owner is not checked)
 *   auth         + the service's Authenticator (token check, owner check) in a Fastify hook
 *   nest         NestJS on Fastify: a controller, AuthGuard and @CurrentCaller instead of the hook
 *   validation   + the global validation pipe, UuidParamPipe and the route's query DTO
 *   guards       + the other global guards (BodilessRouteGuard, ReadModelGuard)
 *   interceptor  + one pass-through global interceptor: what Nest's rxjs layer costs per request
 *                  (the service has none since the pipeline trim; kept to show what it cost)
 *   edge         (no interceptor) + the request edge: helmet, Cache-Control, the rate-limit hook,
 *                  input hygiene, X-Request-Id, the HTTP metrics hook
 *   logging      + request logging (RequestLog's onResponse hook) and nestjs-pino, as the service configures them (level warn)
 *
 * The full service is the ladder's last rung (the scenario measures it beside these). Configured by
 * PORT, DATABASE_URL (the service's database), JWT_SECRET, LADDER_STEP.
 */
import 'reflect-metadata';
import { Buffer } from 'node:buffer';
import { createSecretKey } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Fastify from 'fastify';
import pg from 'pg';

const STEPS = ['fastify', 'auth', 'nest', 'validation', 'guards', 'interceptor', 'edge', 'logging'];
const step = process.env.LADDER_STEP ?? 'fastify';
if (!STEPS.includes(step)) throw new Error(`ladder-server: LADDER_STEP must be one of ${STEPS.join(', ')}`);
if (!process.env.DATABASE_URL || !process.env.JWT_SECRET) throw new Error('ladder-server: DATABASE_URL and JWT_SECRET are required');
const at = (name) => STEPS.indexOf(step) >= STEPS.indexOf(name);

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist');
const load = (file) => import(pathToFileURL(path.join(dist, file)).href);

const { JwtService } = await import('@nestjs/jwt');
const { ReadModelDb } = await load('database/read-model-db.js');
const { OrderQueries } = await load('modules/orders/order-queries.js');
const { Authenticator, AuthGuard, CurrentCaller } = await load('http/auth.js');
const { loadConfig } = await load('config/app-config.js');

const config = loadConfig({ NODE_ENV: 'production', DATABASE_URL: process.env.DATABASE_URL, JWT_SECRET: process.env.JWT_SECRET, RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: 'warn' });
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 20, application_name: 'eventshop-bench-ladder' });
const orders = new OrderQueries(new ReadModelDb(pool));
// As http.module.ts builds it: a KeyObject made once.
const key = createSecretKey(Buffer.from(config.JWT_SECRET));
const jwt = new JwtService({ secretOrKeyProvider: () => key });
const port = Number(process.env.PORT ?? 3301);

if (!at('nest')) {
  const authenticator = new Authenticator(jwt, config);
  const app = Fastify({ logger: false });
  app.get('/orders/:id', async (request, reply) => {
    let caller;
    if (at('auth')) {
      caller = await authenticator.identify(request);
      if (!caller || caller instanceof Error) return reply.code(401).send({ statusCode: 401, code: 'UNAUTHENTICATED', message: 'Invalid token' });
    }
    const order = await orders.findOrder(request.params.id);
    if (!order || (caller && !caller.isAdmin && order.customerId !== caller.id)) return reply.code(404).send({ statusCode: 404, code: 'NOT_FOUND', message: 'Order not found' });
    return order;
  });
  await app.listen({ port, host: '127.0.0.1' });
} else {
  await listenNest();
}

async function listenNest() {
  const { Controller, Get, Inject, Module, Param, Query } = await import('@nestjs/common');
  const { APP_GUARD, APP_INTERCEPTOR, NestFactory, Reflector } = await import('@nestjs/core');
  const { FastifyAdapter } = await import('@nestjs/platform-fastify');
  const { ThrottlerStorage, ThrottlerStorageService } = await import('@nestjs/throttler');
  const { UsesReadModels } = await load('projections/projection.js');
  const { ProjectionRunner } = await load('projections/projection-runner.js');
  const { UuidParamPipe } = await load('http/uuid-param.pipe.js');
  const { OrderAtQueryDto } = await load('modules/orders/orders.dto.js');
  const { createValidationPipe } = await load('http/validation.pipe.js');
  const { BodilessRouteGuard } = await load('http/bodiless-route.guard.js');
  const { ReadModelGuard } = await load('http/read-models/read-model.guard.js');
  const { AppConfig } = await load('config/app-config.js');
  const { CallerRateLimit } = await load('http/rate-limit.js');
  const { registerRequestEdge, edgeServerOptions } = await load('http/request-edge.js');
  const { requestIdOf, RequestIdHeader } = await load('http/request-id.js');
  const { HttpMetrics } = await load('http/http-metrics.js');
  const { NotFoundError } = await load('event-store/errors.js');
  const { ErrorFilter } = await load('http/error.filter.js');

  // The controller of the service's GET /orders/:id, without its time travel; decorators applied by hand (plain JS).
  class LadderOrdersController {
    constructor(queries) {
      this.queries = queries;
    }

    async get(id, _query, caller) {
      const order = await this.queries.findOrder(id);
      if (!order || (!caller.isAdmin && order.customerId !== caller.id)) throw new NotFoundError('Order not found');
      return order;
    }
  }
  Inject(OrderQueries)(LadderOrdersController, undefined, 0);
  Controller('orders')(LadderOrdersController);
  const proto = LadderOrdersController.prototype;
  const descriptor = Object.getOwnPropertyDescriptor(proto, 'get');
  Reflect.defineMetadata('design:paramtypes', [String, OrderAtQueryDto, Object], proto, 'get');
  Get(':id')(proto, 'get', descriptor);
  UsesReadModels('order-summary')(proto, 'get', descriptor);
  if (at('validation')) {
    Param('id', UuidParamPipe)(proto, 'get', 0);
    Query()(proto, 'get', 1);
  } else {
    Param('id')(proto, 'get', 0);
  }
  CurrentCaller()(proto, 'get', 2);

  // The real runner answers X-Projection-Position from memory when it applies the read models itself.
  const runner = { localPositionOf: () => '1', positionOf: async () => '1', waitForPosition: async () => true };
  const passThrough = { intercept: (_context, next) => next.handle() };
  const imports = [];
  let requestLog;
  if (at('logging')) {
    // As AppModule configures it: nestjs-pino on the service's pino logger, requests logged by RequestLog.
    const { LoggerModule } = await import('nestjs-pino');
    const { createRootLogger, RequestLog } = await load('observability/request-logging.js');
    const logger = createRootLogger({ level: 'warn' });
    requestLog = new RequestLog(logger, [config.JWT_SECRET]);
    imports.push(LoggerModule.forRoot({ pinoHttp: { logger }, forRoutes: [] }));
  }
  const edge = at('edge');
  class LadderModule {}
  Module({
    imports,
    controllers: [LadderOrdersController],
    providers: [
      { provide: AppConfig, useValue: config },
      { provide: ReadModelDb, useValue: new ReadModelDb(pool) },
      { provide: OrderQueries, useValue: orders },
      { provide: JwtService, useValue: jwt },
      { provide: ProjectionRunner, useValue: runner },
      { provide: Authenticator, useFactory: () => new Authenticator(jwt, config) },
      { provide: APP_GUARD, useFactory: (a, r) => new AuthGuard(a, r), inject: [Authenticator, Reflector] },
      ...(at('guards') ? [{ provide: APP_GUARD, useClass: BodilessRouteGuard }, { provide: APP_GUARD, useFactory: (r) => new ReadModelGuard(r, runner), inject: [Reflector] }] : []),
      ...(step === 'interceptor' ? [{ provide: APP_INTERCEPTOR, useValue: passThrough }] : []),
      ...(edge
        ? [
            { provide: ThrottlerStorage, useClass: ThrottlerStorageService },
            { provide: CallerRateLimit, useFactory: (s, a) => new CallerRateLimit(s, a, config), inject: [ThrottlerStorage, Authenticator] },
            RequestIdHeader,
            HttpMetrics,
          ]
        : []),
    ],
  })(LadderModule);

  const app = await NestFactory.create(
    LadderModule,
    new FastifyAdapter(edge ? { ...edgeServerOptions(config), genReqId: requestIdOf } : {}),
    { logger: false, bufferLogs: at('logging') },
  );
  if (at('logging')) {
    const { Logger } = await import('nestjs-pino');
    app.useLogger(app.get(Logger));
    requestLog.register(app.getHttpAdapter().getInstance());
  }
  app.useGlobalFilters(new ErrorFilter());
  if (edge) await registerRequestEdge(app, config);
  if (at('validation')) app.useGlobalPipes(createValidationPipe());
  await app.listen({ port, host: '127.0.0.1' });
}
