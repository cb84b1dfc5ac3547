import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isPublicAddress } from '../../src/modules/webhooks/webhook-address.js';
import { EndpointConnections, RESPONSE_LIMIT_BYTES, sendWebhook } from '../../src/modules/webhooks/webhook-sender.js';

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(resolve);
  })));
});

async function serve(handler: http.RequestListener, onConnection?: () => void): Promise<string> {
  const server = http.createServer(handler);
  if (onConnection) server.on('connection', onConnection);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const ALLOW = { timeoutMs: 1_000, allowPrivate: true };

/** Runs `use` with one endpoint's kept connections, closed afterwards. */
async function withConnections(use: (connections: EndpointConnections) => Promise<void>, idleMs?: number): Promise<void> {
  const connections = new EndpointConnections(idleMs);
  try {
    await use(connections);
  } finally {
    connections.destroy();
  }
}

describe('sending one webhook', () => {
  it('follows no redirect: a 3xx is a failure and the other address gets nothing', async () => {
    let reached = 0;
    const elsewhere = await serve((_req, res) => {
      reached++;
      res.end();
    });
    const target = await serve((_req, res) => res.writeHead(307, { location: `${elsewhere}/x` }).end());
    const result = await sendWebhook(`${target}/hook`, {}, '{}', ALLOW);
    expect(result).toMatchObject({ ok: false, responseStatus: 307, error: 'HTTP 307' });
    expect(reached).toBe(0);
  });

  it('reads only the first few KiB of an answer, however long it is', async () => {
    let written = 0;
    const target = await serve((_req, res) => {
      res.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 'x');
      // An answer that never ends: the sender must stop reading, not buffer it.
      const pump = () => {
        while (res.write(chunk)) written += chunk.length;
        written += chunk.length;
      };
      res.on('drain', pump);
      pump();
    });
    const result = await sendWebhook(`${target}/hook`, {}, '{}', ALLOW);
    expect(result).toMatchObject({ ok: true, responseStatus: 200 });
    expect(RESPONSE_LIMIT_BYTES).toBeLessThanOrEqual(64 * 1024);
    expect(written).toBeLessThan(16 * 1024 * 1024);
  });

  it('gives up on an attempt after its timeout', async () => {
    const target = await serve(() => undefined);
    const result = await sendWebhook(`${target}/hook`, {}, '{}', { timeoutMs: 200, allowPrivate: true });
    expect(result).toMatchObject({ ok: false, error: 'no answer within 200 ms' });
    expect(result.durationMs).toBeGreaterThanOrEqual(190);
    expect(result.durationMs).toBeLessThan(2_000);
  });

  it('refuses loopback targets, by literal or by name, unless private addresses are allowed', async () => {
    let reached = 0;
    const target = await serve((_req, res) => {
      reached++;
      res.end();
    });
    const port = new URL(target).port;
    const refused = { timeoutMs: 1_000, allowPrivate: false };
    expect(await sendWebhook(`http://127.0.0.1:${port}/`, {}, '{}', refused)).toMatchObject({ ok: false, error: 'url is on a loopback, link-local or private address' });
    // A name is resolved and the address checked is the one connected to (no rebinding to loopback).
    expect(await sendWebhook(`http://localhost:${port}/`, {}, '{}', refused)).toMatchObject({ ok: false, error: 'localhost resolves to no public address' });
    expect(reached).toBe(0);
    expect(await sendWebhook(`http://localhost:${port}/`, {}, '{}', { timeoutMs: 1_000, allowPrivate: true })).toMatchObject({ ok: true });
  });

  it("keeps one connection for an endpoint's deliveries, and opens a fresh one per attempt without it", async () => {
    let connections = 0;
    const target = await serve((_req, res) => res.writeHead(204).end(), () => connections++);
    await withConnections(async (kept) => {
      for (let i = 0; i < 5; i++) expect(await sendWebhook(`${target}/hook`, {}, '{}', { ...ALLOW, connections: kept })).toMatchObject({ ok: true, responseStatus: 204 });
      expect(connections).toBe(1);
      for (let i = 0; i < 3; i++) expect(await sendWebhook(`${target}/hook`, {}, '{}', ALLOW)).toMatchObject({ ok: true });
      expect(connections).toBe(4);
    });
  });

  it('waits for a slow answer on a kept connection, and closes the connection once it has been idle a while', async () => {
    let connections = 0;
    let closed = 0;
    const target = await serve((_req, res) => {
      // Slower than the connections' idle limit: that limit is for idle connections, not for answers.
      setTimeout(() => res.writeHead(204).end(), 300);
    }, () => connections++);
    servers[servers.length - 1].on('connection', (socket) => socket.on('close', () => closed++));
    await withConnections(async (kept) => {
      for (let i = 0; i < 2; i++) expect(await sendWebhook(`${target}/hook`, {}, '{}', { ...ALLOW, connections: kept })).toMatchObject({ ok: true, responseStatus: 204 });
      expect({ connections, closed }).toEqual({ connections: 1, closed: 0 });
      // Idle past its limit, the kept connection is closed by us, not left to the receiver.
      await vi.waitFor(() => expect(closed).toBe(1), { timeout: 2_000, interval: 20 });
    }, 100);
  });

  it('does not keep a connection whose answer it cut off', async () => {
    let connections = 0;
    let requests = 0;
    const target = await serve((_req, res) => {
      // The first answer never ends; the second is an ordinary one.
      if (++requests === 1) res.writeHead(200).write(Buffer.alloc(RESPONSE_LIMIT_BYTES * 2, 'x'));
      else res.writeHead(204).end();
    }, () => connections++);
    await withConnections(async (kept) => {
      expect(await sendWebhook(`${target}/hook`, {}, '{}', { ...ALLOW, connections: kept })).toMatchObject({ ok: true, responseStatus: 200 });
      expect(await sendWebhook(`${target}/hook`, {}, '{}', { ...ALLOW, connections: kept })).toMatchObject({ ok: true, responseStatus: 204 });
      expect(connections).toBe(2);
    });
  });

  it('sends again on a fresh connection when the receiver drops the kept one as it is used', async () => {
    let connections = 0;
    let requests = 0;
    const target = await serve((req, res) => {
      // The second request arrives on the kept connection, which the receiver closes instead of answering.
      if (++requests === 2) return req.socket.destroy();
      res.writeHead(204).end();
    }, () => connections++);
    await withConnections(async (kept) => {
      expect(await sendWebhook(`${target}/hook`, {}, '{}', { ...ALLOW, connections: kept })).toMatchObject({ ok: true });
      expect(await sendWebhook(`${target}/hook`, {}, '{}', { ...ALLOW, connections: kept })).toMatchObject({ ok: true, responseStatus: 204 });
      expect({ requests, connections }).toEqual({ requests: 3, connections: 2 });
    });
  });

  it('judges addresses by their range', () => {
    for (const address of ['127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '224.0.0.1', '255.255.255.255']) {
      expect(isPublicAddress(address), address).toBe(false);
    }
    for (const address of ['93.184.216.34', '8.8.8.8', '2606:2800:220:1:248:1893:25c8:1946', '::ffff:8.8.8.8']) {
      expect(isPublicAddress(address), address).toBe(true);
    }
  });
});
