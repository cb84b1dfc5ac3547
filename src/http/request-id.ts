import { randomUUID } from 'node:crypto';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';

/** A client's X-Request-Id is kept only when short and plain: it goes into logs and events' metadata. */
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * The request's id (Fastify's genReqId): the client's `X-Request-Id` when it is acceptable, else a
 * fresh UUID. The same value is logged with the request, answered as `X-Request-Id`, and recorded as
 * the correlation id of the events the request appends.
 */
export function requestIdOf(request: { readonly headers: Readonly<Record<string, string | string[] | undefined>> }): string {
  const header = request.headers['x-request-id'];
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && CLIENT_REQUEST_ID.test(value) ? value : randomUUID();
}

/** Answers every request with its id as `X-Request-Id`, so a client can quote it when reporting a problem. */
@Injectable()
export class RequestIdHeader implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    // No HTTP adapter in the command-line tools' application context.
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    fastify?.addHook('onRequest', async (request, reply) => {
      void reply.header('x-request-id', request.id);
    });
  }
}
