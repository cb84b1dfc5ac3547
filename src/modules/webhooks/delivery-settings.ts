/** What delivery needs to know, from the settings (AppConfig) and a clock tests may replace. */
export interface DeliverySettings {
  readonly timeoutMs: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  readonly allowPrivate: boolean;
  readonly deliveryLogDays: number;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
}

export const DELIVERY_SETTINGS = Symbol('DeliverySettings');

/** The contract: after 12 failed attempts of one event the endpoint is disabled. */
export const MAX_ATTEMPTS = 12;

/** The wait after the `attempts`-th failed attempt: the base, doubling, capped (contract: 1 s doubling, at most 1 h). */
export function retryDelayMs(attempts: number, settings: Pick<DeliverySettings, 'retryBaseMs' | 'retryMaxMs'>): number {
  return Math.min(settings.retryMaxMs, settings.retryBaseMs * 2 ** Math.min(attempts - 1, 40));
}

/**
 * At most this many deliveries in flight per instance, all endpoints together. Each endpoint has at most
 * one (it delivers in order), so one slow endpoint holds one slot and never delays the others.
 */
export const MAX_CONCURRENT_DELIVERIES = 32;

/** A counting semaphore: deliveries wait here for a slot. Hand-written, it is ten lines. */
export class DeliverySlots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    this.free = size;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}
