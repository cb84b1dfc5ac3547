import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EventStore } from '../../src/event-store/event-store.js';
import { LiveLog } from '../../src/modules/live/live-log.js';
import { useTestApp } from '../support/app.js';

const ORDER_TYPES = ['OrderPlaced', 'OrderPaid', 'OrderShipped', 'OrderDelivered', 'OrderCancelled'];
const WAIT = { timeout: 15_000, interval: 25 };

interface Message {
  id: string;
  type: string;
  data: { position: string; type: string; streamId: string; eventId: string };
}

describe('live streams', () => {
  const t = useTestApp({ LIVE_HEARTBEAT_MS: '100', LIVE_STALL_TIMEOUT_MS: '500' });
  const s = t.shop;
  const alice = t.token('alice');
  let base: string;
  const sockets = new Set<Socket>();
  const sources: EventSource[] = [];

  beforeAll(async () => {
    const server = t.app.getHttpServer() as http.Server;
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => sources.forEach((source) => source.close()));

  /** A real EventSource on `path`; with `auth`, sent as Authorization. `beforeFetch` may hold a (re)connection back. */
  function listen(path: string, types: string[], auth?: string, beforeFetch?: (attempt: number, headers: Record<string, string>) => Promise<void>) {
    const messages: Message[] = [];
    let attempts = 0;
    const source = new EventSource(`${base}${path}`, {
      fetch: async (input, init) => {
        const headers = { ...(init.headers as Record<string, string>), ...(auth ? { Authorization: auth } : {}) };
        await beforeFetch?.(++attempts, headers);
        return fetch(input, { ...init, headers });
      },
    });
    sources.push(source);
    for (const type of types) source.addEventListener(type, (event) => messages.push({ id: event.lastEventId, type: event.type, data: JSON.parse(event.data) }));
    return { source, messages };
  }

  /** Cuts every connection to the service from the server side, as a proxy or a network would. */
  function dropConnections() {
    for (const socket of sockets) socket.destroy();
  }

  it("shows its owner the order's history, then each new event as it is appended", async () => {
    const { orderId } = await s.order(alice);
    const { messages } = listen(`/orders/${orderId}/live`, ORDER_TYPES, alice);
    await vi.waitFor(() => expect(messages.map((m) => m.type)).toEqual(['OrderPlaced']), WAIT);
    await s.pay(alice, orderId);
    await vi.waitFor(() => expect(messages.map((m) => m.type)).toEqual(['OrderPlaced', 'OrderPaid']), WAIT);
    await s.ship(orderId);
    await vi.waitFor(() => expect(messages.map((m) => m.type)).toEqual(['OrderPlaced', 'OrderPaid', 'OrderShipped']), WAIT);
    const stream = await s.stream(orderId);
    expect(messages.map((m) => m.id)).toEqual(stream.map((e) => e.position));
    expect(messages.map((m) => m.data.eventId)).toEqual(stream.map((e) => e.eventId));
  });

  it('answers 404 to another customer, 401 without credentials, 403 to a customer on the whole log; admins see any order', async () => {
    const { orderId } = await s.order(alice);
    await t.http().get(`/orders/${orderId}/live`).set('Authorization', t.token('bob')).expect(404);
    await t.http().get(`/orders/${randomUUID()}/live`).set('Authorization', alice).expect(404);
    await t.http().get(`/orders/${orderId}/live`).expect(401);
    await t.http().get('/admin/events/live').set('Authorization', alice).expect(403);
    await t.http().get('/admin/events/live').query({ after: '-1' }).set('Authorization', s.admin).expect(400);
    await t.http().get(`/orders/${orderId}/live`).set('Authorization', alice).set('Last-Event-ID', 'abc').expect(400);
    const { messages } = listen(`/orders/${orderId}/live`, ORDER_TYPES, s.admin);
    await vi.waitFor(() => expect(messages.map((m) => m.type)).toEqual(['OrderPlaced']), WAIT);
  });

  it('a reconnecting client sends Last-Event-ID and gets exactly what it missed, in order, then the live tail', async () => {
    const { orderId } = await s.order(alice);
    let releaseReconnect!: () => void;
    const missedAppended = new Promise<void>((resolve) => (releaseReconnect = resolve));
    const reconnectHeaders: Record<string, string>[] = [];
    const { messages } = listen(`/orders/${orderId}/live`, ORDER_TYPES, alice, async (attempt, headers) => {
      if (attempt === 1) return;
      reconnectHeaders.push(headers);
      await missedAppended;
    });
    await vi.waitFor(() => expect(messages).toHaveLength(1), WAIT);
    dropConnections();
    // While the client is away:
    await s.pay(alice, orderId);
    await s.ship(orderId);
    releaseReconnect();
    await vi.waitFor(() => expect(messages.map((m) => m.type)).toEqual(['OrderPlaced', 'OrderPaid', 'OrderShipped']), WAIT);
    expect(reconnectHeaders[0]['Last-Event-ID']).toBe(messages[0].id);
    await s.deliver(orderId);
    await vi.waitFor(() => expect(messages.map((m) => m.type)).toEqual(['OrderPlaced', 'OrderPaid', 'OrderShipped', 'OrderDelivered']), WAIT);
    expect(messages.map((m) => m.id)).toEqual((await s.stream(orderId)).map((e) => e.position));
  });

  it('streams the whole log to admins from a position, filtered by type, and resumes a dropped stream exactly', async () => {
    const before = await t.app.get(EventStore).headPosition();
    const first = await s.product();
    let releaseReconnect!: () => void;
    const missedAppended = new Promise<void>((resolve) => (releaseReconnect = resolve));
    const { messages } = listen(`/admin/events/live?after=${before}&type=ProductCreated`, ['ProductCreated', 'CartCreated'], s.admin, async (attempt) => {
      if (attempt > 1) await missedAppended;
    });
    await vi.waitFor(() => expect(messages.map((m) => m.data.streamId)).toEqual([first]), WAIT);
    dropConnections();
    const missed = [await s.product(), await s.product()];
    await s.cart(alice);
    releaseReconnect();
    await vi.waitFor(() => expect(messages.map((m) => m.data.streamId)).toEqual([first, ...missed]), WAIT);
    const live = await s.product();
    await vi.waitFor(() => expect(messages.map((m) => m.data.streamId)).toEqual([first, ...missed, live]), WAIT);
    expect(messages.every((m) => m.type === 'ProductCreated')).toBe(true);
  });

  it('accepts a single-use ticket instead of Authorization', async () => {
    const { orderId } = await s.order(alice);
    const issued = await t.http().post('/stream-tickets').set('Authorization', alice).expect(201);
    expect(issued.body.ticket).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(issued.body.expiresAt) - Date.now()).toBeLessThanOrEqual(61_000);
    const { messages } = listen(`/orders/${orderId}/live?ticket=${issued.body.ticket}`, ORDER_TYPES);
    await vi.waitFor(() => expect(messages.map((m) => m.type)).toEqual(['OrderPlaced']), WAIT);
    await t.http().get(`/orders/${orderId}/live`).query({ ticket: issued.body.ticket }).expect(401);
    const bobs = await t.http().post('/stream-tickets').set('Authorization', t.token('bob')).expect(201);
    await t.http().get(`/orders/${orderId}/live`).query({ ticket: bobs.body.ticket }).expect(404);
    await t.http().post('/stream-tickets').expect(401);
  });

  it('sends heartbeats, and disconnects a client that stops reading before its backlog grows', async () => {
    const store = t.app.get(EventStore);
    const live = t.app.get(LiveLog);
    // The other tests' clients leave first, so that the count below is this test's stream alone.
    sources.forEach((source) => source.close());
    await vi.waitFor(() => expect(live.open).toBe(0), WAIT);
    const before = await store.headPosition();
    const path = `/admin/events/live?after=${before}&type=Bulk`;
    const { res, request } = await new Promise<{ res: http.IncomingMessage; request: http.ClientRequest }>((resolve) => {
      const request = http.get(`${base}${path}`, { headers: { Authorization: s.admin } }, (res) => resolve({ res, request }));
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    const first = await new Promise<string>((resolve) => res.once('data', (chunk: Buffer) => resolve(chunk.toString())));
    expect(first).toContain('retry:');
    const ping = await new Promise<string>((resolve) => res.once('data', (chunk: Buffer) => resolve(chunk.toString())));
    expect(ping).toBe(': ping\n\n');
    // Now the client reads nothing more, while about 25 MB of events are appended (more than the sockets buffer).
    res.pause();
    const closed = new Promise<void>((resolve) => request.socket?.once('close', () => resolve()));
    const blob = 'x'.repeat(60_000);
    for (let i = 0; i < 8; i++) {
      await store.append([{ streamId: randomUUID(), streamType: 'test', expectedVersion: 0, events: Array.from({ length: 50 }, () => ({ type: 'Bulk', data: { blob } })) }], { correlationId: randomUUID(), actor: 'test' });
    }
    // The service has let it go (a paused client does not even notice until it reads again)...
    await vi.waitFor(() => expect(live.open).toBe(0), WAIT);
    // ...and what the client finds when it does read is the end of the stream.
    res.resume();
    await closed;
  });
});
