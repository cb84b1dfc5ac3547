/** An event as a decider produces it: plain, serialisable data. */
export interface NewEvent<T extends string = string, D = unknown> {
  readonly type: T;
  readonly data: D;
  /** Shape version of `data`; old shapes are upcast on read (see upcasters.ts). */
  readonly schemaVersion?: number;
}

export interface EventMetadata {
  readonly correlationId: string;
  readonly causationId?: string;
  readonly actor: string;
  readonly [key: string]: unknown;
}

/** An event as the log holds it. `position` is a bigint, carried as a decimal string. */
export interface StoredEvent<E extends NewEvent = NewEvent> {
  readonly position: string;
  readonly eventId: string;
  readonly streamId: string;
  readonly streamType: string;
  readonly version: number;
  readonly type: E['type'];
  readonly schemaVersion: number;
  readonly occurredAt: string;
  readonly data: E['data'];
  readonly metadata: EventMetadata;
  /** The writing transaction (xid8, decimal string): with `position` it orders the global log. */
  readonly transactionId: string;
}

/**
 * A stored event of one of `E`'s types, narrowing on `type` to its own data (`StoredEvent<A | B>` does
 * not: its `type` and `data` vary apart).
 */
export type StoredEventOf<E extends NewEvent> = E extends NewEvent ? StoredEvent<E> : never;

/** Where a reader of the global log has got to: the last `(transaction_id, global_position)` it took. */
export interface LogCheckpoint {
  readonly transactionId: string;
  readonly position: string;
}

export const LOG_START: LogCheckpoint = { transactionId: '0', position: '0' };

export type ExpectedVersion = number | 'any';

export interface StreamAppend {
  readonly streamId: string;
  readonly streamType: string;
  /** The version the stream must be at (0: must not exist yet), or `any`. */
  readonly expectedVersion: ExpectedVersion;
  readonly events: readonly NewEvent[];
}

export interface AppendResult {
  /** Each stream's version after the append. */
  readonly versions: ReadonlyMap<string, number>;
  /** Global position of the append's last event. */
  readonly lastPosition: string;
}
