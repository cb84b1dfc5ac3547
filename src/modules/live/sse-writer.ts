import type { ServerResponse } from 'node:http';

export interface SseOptions {
  /** A `: ping` comment this often. */
  readonly heartbeatMs: number;
  /** A client that has not taken what was written within this long is disconnected. */
  readonly stallMs: number;
}

/** How soon a disconnected EventSource should come back (the SSE `retry:` field). */
const RETRY_MS = 1_000;

/**
 * One server-sent-events answer, written on the raw response. Hand-written rather than Nest's @Sse():
 * that one takes an Observable and buffers whatever it emits, so a client that stops reading grows the
 * service's memory without bound; here an event is written only once the previous ones have left our
 * buffer (`drain`), so at most one frame beyond the socket's high-water mark is held per stream, and a
 * client that takes nothing for `stallMs` is cut off.
 */
export class SseWriter {
  private closedFlag = false;
  private stallTimer: NodeJS.Timeout | undefined;
  private readonly heartbeat: NodeJS.Timeout;
  /** Resolves when the connection is gone (the client left, or we cut it off or ended it). */
  readonly closed: Promise<void>;

  constructor(
    private readonly res: ServerResponse,
    headers: Record<string, string | number | string[]>,
    private readonly options: SseOptions,
  ) {
    this.closed = new Promise((resolve) => {
      res.once('close', () => {
        this.closedFlag = true;
        clearInterval(this.heartbeat);
        clearTimeout(this.stallTimer);
        resolve();
      });
    });
    res.writeHead(200, { ...headers, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    // Headers out at once: the client knows it is connected before the first event.
    res.flushHeaders();
    this.write(`retry: ${RETRY_MS}\n\n`);
    this.heartbeat = setInterval(() => this.write(': ping\n\n'), options.heartbeatMs);
  }

  get isClosed(): boolean {
    return this.closedFlag;
  }

  /** Writes one event and waits until the client has taken it (or the stream is gone); false once closed. */
  async event(id: string, type: string, json: string): Promise<boolean> {
    if (this.closedFlag) return false;
    if (!this.write(`id: ${id}\nevent: ${type}\ndata: ${json}\n\n`)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.res.off('drain', done);
          this.res.off('close', done);
          resolve();
        };
        this.res.on('drain', done);
        this.res.on('close', done);
      });
    }
    return !this.closedFlag;
  }

  end(): void {
    if (!this.closedFlag) this.res.end();
  }

  /** Closes the connection at once, whatever is still buffered. */
  cutOff(): void {
    this.res.destroy();
  }

  /** Writes; if the buffer is now over its mark, the client has `stallMs` to take it before it is cut off. */
  private write(text: string): boolean {
    if (this.closedFlag) return false;
    const flushed = this.res.write(text);
    if (!flushed && !this.stallTimer) {
      this.stallTimer = setTimeout(() => this.cutOff(), this.options.stallMs);
      this.res.once('drain', () => {
        clearTimeout(this.stallTimer);
        this.stallTimer = undefined;
      });
    }
    return flushed;
  }
}
