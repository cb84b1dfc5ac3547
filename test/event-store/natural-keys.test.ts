import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandRunner, type CommandContext } from '../../src/event-store/command-runner.js';
import type { Decider } from '../../src/event-store/decider.js';
import { ConflictError, DomainError } from '../../src/event-store/errors.js';
import type { NewEvent } from '../../src/event-store/event.js';
import { streamIdFor } from '../../src/event-store/stream-id.js';
import { createMigratedDatabase } from '../support/database.js';
import { HookedStore } from './hooked-store.js';

/** "One review per customer and product" as the review decider's own rule, on a stream named by that key. */
type ReviewWritten = NewEvent<'ReviewWritten', { customerId: string; productId: string; rating: number }>;
interface WriteReview {
  readonly customerId: string;
  readonly productId: string;
  readonly rating: number;
}
const reviewDecider: Decider<WriteReview, { written: boolean }, ReviewWritten> = {
  initialState: { written: false },
  evolve: () => ({ written: true }),
  decide(command, state) {
    if (state.written) throw new ConflictError('ALREADY_REVIEWED', 'This customer has already reviewed this product');
    return [{ type: 'ReviewWritten', data: { ...command } }];
  },
};

const ctx: CommandContext = { actor: 'tester', correlationId: 'c-1', causationId: 'c-1' };

/** Resolves every caller once `count` of them have arrived. */
function barrier(count: number): () => Promise<void> {
  let arrived = 0;
  let release!: () => void;
  const all = new Promise<void>((resolve) => (release = resolve));
  return () => {
    if (++arrived === count) release();
    return all;
  };
}

describe('streams named by a natural key (real PostgreSQL)', () => {
  let pool: pg.Pool;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ pool, close } = await createMigratedDatabase());
  });
  afterAll(() => close());

  const write = (runner: CommandRunner, command: WriteReview) =>
    runner.run(reviewDecider, { id: streamIdFor('review', command.customerId, command.productId), type: 'review' }, command, ctx);

  it('lets exactly one of two instances creating the same key win; the other is decided again and refused', async () => {
    for (let round = 0; round < 5; round++) {
      const productId = randomUUID();
      // Two instances of the service, each with its own cache and group commit. Both decide on "no
      // review yet" before either appends: the barrier lets the appends go only once both have decided.
      const bothDecided = barrier(2);
      const instances = [new HookedStore(pool), new HookedStore(pool)].map((store) => {
        store.beforeFirstAppend = bothDecided;
        return new CommandRunner(store);
      });
      const outcomes = await Promise.allSettled(instances.map((runner, i) => write(runner, { customerId: 'alice', productId, rating: i + 1 })));
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(won.length).toBe(1);
      expect(refused.length).toBe(1);
      expect(refused[0].reason).toBeInstanceOf(DomainError);
      expect((refused[0].reason as DomainError).code).toBe('ALREADY_REVIEWED');
      const { rows } = await pool.query('SELECT version FROM events WHERE stream_id = $1', [streamIdFor('review', 'alice', productId)]);
      expect(rows).toEqual([{ version: 1 }]);
    }
  });

  it('refuses the second of two concurrent creations in one instance too', async () => {
    const runner = new CommandRunner(new HookedStore(pool));
    const productId = randomUUID();
    const outcomes = await Promise.allSettled([1, 2, 3].map((rating) => write(runner, { customerId: 'bob', productId, rating })));
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? 'won' : (o.reason as DomainError).code))).toEqual(['won', 'ALREADY_REVIEWED', 'ALREADY_REVIEWED']);
  });

  it('keeps other keys apart: another product, another customer', async () => {
    const runner = new CommandRunner(new HookedStore(pool));
    const productId = randomUUID();
    await write(runner, { customerId: 'carol', productId, rating: 5 });
    await expect(write(runner, { customerId: 'carol', productId: randomUUID(), rating: 5 })).resolves.toMatchObject({ version: 1 });
    await expect(write(runner, { customerId: 'dave', productId, rating: 5 })).resolves.toMatchObject({ version: 1 });
  });
});
