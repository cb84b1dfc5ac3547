import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Received {
  readonly id: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  readonly at: number;
}

/** How the receiver answers one request: a status, optionally after a delay; 'drop' destroys the socket. */
export type Answer = { status: number; delayMs?: number } | 'drop';

/**
 * A real HTTP receiver on loopback. `answer` decides each request's fate (default 204); `received`
 * lists the requests answered 2xx, in arrival order; `attempts` every request.
 */
export async function startReceiver(answer: (request: Received, attempt: number) => Answer = () => ({ status: 204 })) {
  const received: Received[] = [];
  const attempts: Received[] = [];
  let decide = answer;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: Received = { id: String(req.headers['webhook-id']), headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      attempts.push(request);
      const outcome = decide(request, attempts.length);
      if (outcome === 'drop') return req.socket.destroy();
      setTimeout(() => {
        if (outcome.status >= 200 && outcome.status < 300) received.push(request);
        res.writeHead(outcome.status).end('ok');
      }, outcome.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    received,
    attempts,
    setAnswer(next: typeof answer) {
      decide = next;
    },
    /** Each received delivery checked by the Standard Webhooks reference verifier; their parsed bodies. */
    verified(secret: string): { type: string; timestamp: string; data: { position: string; eventId: string; type: string; streamId: string } }[] {
      const webhook = new Webhook(secret);
      return received.map((r) => webhook.verify(r.body, r.headers as Record<string, string>) as never);
    },
    /** Stops listening: the endpoint is unreachable (connections refused) until reopen(). */
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
    reopen: () => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve)),
  };
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;
