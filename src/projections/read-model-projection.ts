import type { NewEvent, StoredEvent } from '../event-store/event.js';
import type { Projection, ProjectionContext } from './projection.js';
import { childrenOf, eventKey, evolveRow, handles, keyString, type ReadModel } from './read-model.js';
import { deferAll, loadRows, Params, writeRows } from './read-model-sql.js';
import { TotalsChange } from './read-model-totals.js';

/**
 * The projection the kernel derives from a read model's declaration. Its batch loads every row the batch
 * touches in one statement, folds the events in memory through the model's evolve, and writes back what
 * changed in one deferred statement: two round trips on a live pipelined connection, the next read of
 * the log included, whatever the batch's size. Its handler for one event is that same batch of one, so
 * the two paths differ only in whether a row is folded in memory or written and loaded again, which the
 * normalisation of every evolved row makes the same (test/read-models/projection-spec.test.ts proves it).
 *
 * A module subclasses it to make it a provider:
 * `@ProjectionProvider() @Injectable() export class CartsProjection extends ReadModelProjection<...> { constructor() { super(carts); } }`.
 * Where a measured hot spot needs hand-written SQL, a module implements `Projection` itself instead (or
 * overrides `applyBatch`): the handlers then define the rows, as before.
 */
export class ReadModelProjection<E extends NewEvent, Row> implements Projection {
  readonly name: string;
  readonly tables: readonly string[];
  readonly handlers: Projection['handlers'];
  /** Its batch costs what its handler costs for one event: every batch goes through it. */
  readonly applyBatchFrom = 1;

  constructor(readonly model: ReadModel<E, Row>) {
    this.name = model.name;
    this.tables = [
      model.table.name,
      ...childrenOf(model.table).map(({ children }) => children.table.name),
      ...(model.totals ?? []).map((totals) => totals.table.name),
    ];
    this.handlers = Object.fromEntries(Object.keys(model.keys).map((type) => [type, (event: StoredEvent, ctx: ProjectionContext) => this.applyBatch([event], ctx)]));
  }

  async applyBatch(events: readonly StoredEvent[], ctx: ProjectionContext): Promise<void> {
    const { model } = this;
    const keys = new Map<string, unknown[]>();
    const steps = events.map((event) => {
      if (!handles(model, event)) throw new Error(`read model ${model.name} does not handle ${event.type}`);
      const values = eventKey(model, event);
      const key = keyString(values);
      keys.set(key, values);
      return { key, event };
    });
    if (steps.length === 0) return;
    const loaded = await this.rowsOf(keys, ctx);
    const folded = new Map<string, Row | null>();
    for (const key of keys.keys()) folded.set(key, loaded.get(key) ?? null);
    const totals = (model.totals ?? []).map((t) => new TotalsChange(t));
    for (const { key, event } of steps) {
      const before = folded.get(key) ?? null;
      const after = evolveRow(model, key, before, event);
      folded.set(key, after);
      for (const change of totals) change.follow(before, after);
    }
    const params = new Params();
    const statements = writeRows(ctx, model.table, loaded, folded, params);
    for (const change of totals) statements.push(...change.statements(ctx, params));
    deferAll(ctx, statements, params);
    for (const [key, row] of folded) ctx.rows?.set(key, row);
  }

  /** The rows of `keys` that exist: from the live applier's cache where it has them, the rest in one load. */
  private async rowsOf(keys: ReadonlyMap<string, unknown[]>, ctx: ProjectionContext): Promise<Map<string, Row>> {
    const cache = ctx.rows;
    if (!cache) return loadRows(ctx, this.model.table, keys);
    const missing = new Map([...keys].filter(([key]) => !cache.has(key)));
    const rows = missing.size > 0 ? await loadRows(ctx, this.model.table, missing) : new Map<string, Row>();
    for (const key of keys.keys()) {
      // What this projection's evolve returned for the key in a committed batch, or null.
      const cached = missing.has(key) ? null : (cache.get(key) as Row | null);
      if (cached) rows.set(key, cached);
    }
    return rows;
  }
}
