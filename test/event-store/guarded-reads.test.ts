import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandRunner, type CommandContext } from '../../src/event-store/command-runner.js';
import type { Decider, Projector, SpanningDecision } from '../../src/event-store/decider.js';
import { ConcurrencyError, NotFoundError } from '../../src/event-store/errors.js';
import type { NewEvent } from '../../src/event-store/event.js';
import { EventStore } from '../../src/event-store/event-store.js';
import { read } from '../../src/event-store/stream-reads.js';
import { createMigratedDatabase } from '../support/database.js';
import { HookedStore } from './hooked-store.js';

/*
 * A price stream and a quote stream whose decision reads the price and records it: the recorded price
 * shows which state of the price the decision that got appended was made on.
 */
type PriceSet = NewEvent<'PriceSet', { cents: number }>;
const priceView: Projector<{ cents: number | null }, PriceSet> = { initialState: { cents: null }, evolve: (_, e) => ({ cents: e.data.cents }) };

type Quoted = NewEvent<'Quoted', { cents: number }>;
interface QuoteReads {
  readonly price: { readonly cents: number | null };
}
/** Every price a decision saw, in order (the decider itself stays pure; the test records its inputs). */
let seen: (number | null)[] = [];
const quoteDecider: Decider<{ type: 'Quote' }, { quotes: number }, Quoted, QuoteReads> = {
  initialState: { quotes: 0 },
  evolve: (state) => ({ quotes: state.quotes + 1 }),
  decide(_command, _state, { price }) {
    seen.push(price.cents);
    if (price.cents === null) throw new NotFoundError('No price');
    return [{ type: 'Quoted', data: { cents: price.cents } }];
  },
};

const meta = { correlationId: 'c-1', actor: 'tester' };
const ctx: CommandContext = { actor: 'tester', correlationId: 'c-1', causationId: 'c-1' };
const setPrice = (cents: number, expectedVersion: number | 'any' = 'any') => (streamId: string) => [
  { streamId, streamType: 'price', expectedVersion, events: [{ type: 'PriceSet', data: { cents } }] },
];

describe('guarded reads (real PostgreSQL)', () => {
  let pool: pg.Pool;
  let close: () => Promise<void>;
  /** Another writer: another instance of the service, or another command. */
  let other: EventStore;

  beforeAll(async () => {
    ({ pool, close } = await createMigratedDatabase());
    other = new EventStore(pool);
    await pool.query('CREATE TABLE side_effects (quote_id uuid NOT NULL)');
  });
  afterAll(() => close());

  async function newPrice(cents: number): Promise<string> {
    const id = randomUUID();
    await other.append(setPrice(cents, 0)(id), meta);
    return id;
  }
  const quotes = async (quoteId: string) => (await other.readStream(quoteId)).map((e) => (e.data as Quoted['data']).cents);
  /** The runner of a command whose first append waits until `interfere` has run: between its read and its append. */
  const runnerWith = (interfere?: () => Promise<unknown>) => {
    const store = new HookedStore(pool);
    store.beforeFirstAppend = interfere;
    return { store, runner: new CommandRunner(store) };
  };
  const quote = (runner: CommandRunner, quoteId: string, priceId: string, guard: boolean, context = ctx) =>
    runner.run(quoteDecider, { id: quoteId, type: 'quote' }, { type: 'Quote' }, context, { reads: { price: read(priceView, priceId, { guard }) } });

  it('fails the append of a decision whose guarded read changed before it, and decides again on the new state', async () => {
    const priceId = await newPrice(100);
    const quoteId = randomUUID();
    const { runner } = runnerWith(() => other.append(setPrice(150)(priceId), meta));
    seen = [];
    const result = await quote(runner, quoteId, priceId, true);
    expect(seen).toEqual([100, 150]);
    expect(await quotes(quoteId)).toEqual([150]);
    expect(result.version).toBe(1);
  });

  it('lets a decision on an unguarded read append, though the read stream changed before the append', async () => {
    const priceId = await newPrice(100);
    const quoteId = randomUUID();
    const { runner } = runnerWith(() => other.append(setPrice(150)(priceId), meta));
    seen = [];
    await quote(runner, quoteId, priceId, false);
    expect(seen).toEqual([100]);
    expect(await quotes(quoteId)).toEqual([100]);
  });

  it('checks a guard in the transaction of an append with work of its own, which commits once', async () => {
    const priceId = await newPrice(100);
    const quoteId = randomUUID();
    const { runner } = runnerWith(() => other.append(setPrice(150)(priceId), meta));
    seen = [];
    const context: CommandContext = { ...ctx, inTransaction: async (client) => void (await client.query('INSERT INTO side_effects VALUES ($1)', [quoteId])) };
    await quote(runner, quoteId, priceId, true, context);
    expect(seen).toEqual([100, 150]);
    expect(await quotes(quoteId)).toEqual([150]);
    expect((await pool.query('SELECT 1 FROM side_effects WHERE quote_id = $1', [quoteId])).rowCount).toBe(1);
  });

  it('guards "does not exist yet" too: a stream created between read and append fails the guard', async () => {
    const priceId = randomUUID();
    const quoteId = randomUUID();
    const { runner } = runnerWith(() => other.append(setPrice(120, 0)(priceId), meta));
    const decisions: (number | null)[] = [];
    // Quotes 0 when there is no price yet, so that its first decision is an append, not a refusal.
    const quoteOrZero: Decider<{ type: 'Quote' }, { quotes: number }, Quoted, QuoteReads> = {
      ...quoteDecider,
      decide(_command, _state, { price }) {
        decisions.push(price.cents);
        return [{ type: 'Quoted', data: { cents: price.cents ?? 0 } }];
      },
    };
    await runner.run(quoteOrZero, { id: quoteId, type: 'quote' }, { type: 'Quote' }, ctx, { reads: { price: read(priceView, priceId, { guard: true }) } });
    expect(decisions).toEqual([null, 120]);
    expect(await quotes(quoteId)).toEqual([120]);
  });

  describe('from the aggregate cache', () => {
    it('a guarded read served stale from the cache fails the guard, and the decision is made again from the database', async () => {
      const priceId = await newPrice(100);
      const { runner } = runnerWith();
      seen = [];
      await quote(runner, randomUUID(), priceId, true); // warms this instance's cache with the price at 100
      await other.append(setPrice(150)(priceId), meta); // another instance changes it
      const quoteId = randomUUID();
      await quote(runner, quoteId, priceId, true);
      expect(seen).toEqual([100, 100, 150]);
      expect(await quotes(quoteId)).toEqual([150]);
    });

    it('an unguarded read may be served stale from the cache (the README says when that is enough)', async () => {
      const priceId = await newPrice(100);
      const { runner } = runnerWith();
      seen = [];
      await quote(runner, randomUUID(), priceId, false);
      await other.append(setPrice(150)(priceId), meta);
      const quoteId = randomUUID();
      await quote(runner, quoteId, priceId, false);
      expect(seen).toEqual([100, 100]);
      expect(await quotes(quoteId)).toEqual([100]);
    });
  });

  it("guards the command's own stream when the decision appends only to others", async () => {
    // A decider that writes a copy of its own stream's count elsewhere and nothing to its own stream.
    type Counted = NewEvent<'Counted', { n: number }>;
    const counter: Decider<{ type: 'Copy'; to: string }, { n: number }, Counted, Record<never, never>, SpanningDecision<Counted>> = {
      initialState: { n: 0 },
      evolve: (state) => ({ n: state.n + 1 }),
      decide: (command, state) => ({
        events: [],
        also: [{ streamId: command.to, streamType: 'copy', events: [{ type: 'Counted', data: { n: state.n } }], expect: 'any' }],
      }),
    };
    const countId = randomUUID();
    const copyId = randomUUID();
    await other.append([{ streamId: countId, streamType: 'count', expectedVersion: 0, events: [{ type: 'Counted', data: { n: 0 } }] }], meta);
    const { runner } = runnerWith(() =>
      other.append([{ streamId: countId, streamType: 'count', expectedVersion: 'any', events: [{ type: 'Counted', data: { n: 0 } }] }], meta),
    );
    await runner.run(counter, { id: countId, type: 'count' }, { type: 'Copy', to: copyId }, ctx);
    expect((await other.readStream(copyId)).map((e) => e.data)).toEqual([{ n: 2 }]);
  });

  it("caches no state of a stream appended at 'any' on top of events the decision did not fold", async () => {
    type Bumped = NewEvent<'Bumped', Record<string, never>>;
    const count: Projector<number, Bumped> = { initialState: 0, evolve: (n) => n + 1 };
    const counterId = randomUUID();
    const counts: number[] = [];
    const bump: Bumped = { type: 'Bumped', data: {} };
    // Reads a counter (unguarded) and bumps it at 'any'.
    const bumper: Decider<{ type: 'Bump' }, number, Bumped, { counter: number }, SpanningDecision<Bumped>> = {
      ...count,
      decide(_command, _state, { counter }) {
        counts.push(counter);
        return { events: [bump], also: [{ streamId: counterId, streamType: 'counter', events: [bump], expect: 'any' }] };
      },
    };
    const bumpOnce = (runner: CommandRunner) =>
      runner.run(bumper, { id: randomUUID(), type: 'bumper' }, { type: 'Bump' }, ctx, { reads: { counter: read(count, counterId) } });
    await other.append([{ streamId: counterId, streamType: 'counter', expectedVersion: 0, events: [bump] }], meta);
    const { runner } = runnerWith(() => other.append([{ streamId: counterId, streamType: 'counter', expectedVersion: 'any', events: [bump] }], meta));
    await bumpOnce(runner); // reads 1; another writer bumps; appends the third
    await bumpOnce(runner);
    expect(counts).toEqual([1, 3]);
  });

  describe('in the event store', () => {
    const one = (streamId: string) => [{ streamId, streamType: 'thing', expectedVersion: 0, events: [{ type: 'Thing', data: {} }] }];
    const transactionsOf = async (streamIds: string[]) =>
      (await pool.query('SELECT DISTINCT transaction_id FROM events WHERE stream_id = ANY($1)', [streamIds])).rowCount;

    it('checks each command’s guards in a group commit, refusing only the command whose guard fails', async () => {
      const store = new EventStore(pool);
      const atOne = await newPrice(1);
      const atTwo = await newPrice(1);
      await other.append(setPrice(2)(atTwo), meta);
      const [a, b, c, d] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
      const outcomes = await Promise.allSettled([
        store.append(one(a), meta, { guards: [{ streamId: atOne, version: 1 }] }),
        store.append(one(b), meta, { guards: [{ streamId: atTwo, version: 1 }] }),
        store.append(one(c), meta),
        store.append(one(d), meta, { guards: [{ streamId: atOne, version: 1 }, { streamId: randomUUID(), version: 0 }] }),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrencyError);
      expect(await other.readStream(b)).toEqual([]);
      expect(await transactionsOf([a, c, d])).toBe(1); // one statement
    });

    it('keeps each command’s guards when a failed group falls back to one statement per command', async () => {
      const store = new EventStore(pool);
      const atOne = await newPrice(1);
      const [good, bad, stale] = [randomUUID(), randomUUID(), randomUUID()];
      const outcomes = await Promise.allSettled([
        store.append(one(good), meta, { guards: [{ streamId: atOne, version: 1 }] }),
        // PostgreSQL's jsonb cannot hold \u0000: the group's statement fails, each command goes alone.
        store.append([{ streamId: bad, streamType: 'thing', expectedVersion: 0, events: [{ type: 'Thing', data: { text: 'a\u0000b' } }] }], meta),
        store.append(one(stale), meta, { guards: [{ streamId: atOne, version: 2 }] }),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
      expect((outcomes[2] as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrencyError);
      expect(await other.readStream(stale)).toEqual([]);
    });
  });
});
