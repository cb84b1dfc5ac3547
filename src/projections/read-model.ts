import type { NewEvent, StoredEvent, StoredEventOf } from '../event-store/event.js';
import { columnName, type Column, type Children, type TableDeclaration } from './read-model-columns.js';
import type { Totals } from './read-model-totals.js';

/** A row's key as `keys` names it: the value of a one-column key, or the values of a longer one in its order. */
export type RowKey = string | number | bigint | boolean | readonly (string | number | bigint | boolean)[];

/**
 * A read model, declared once: its table, the events it handles, which row each event is about, and a
 * pure `evolve`. The kernel derives the projection from it (read-model-projection.ts: per-event
 * handlers, the set-based batch, hence rebuild and verify), and a time-travel view can fold the very same
 * evolve over a stream's history (`foldReadModel`).
 *
 * `evolve(row, event)` gets the row as it stands (null: there is none) and returns the row after the
 * event (null: there is none, it is deleted). It must not change its argument; returning it unchanged
 * means the event changed nothing. Whatever it returns is normalised to what the table would give back
 * (see read-model-columns.ts), so it sees the same row whether the previous event was written and loaded
 * or only folded in memory.
 *
 * No per-row version check: the runner commits a batch's writes and its checkpoint in one transaction
 * (a compare-and-set), and a rebuild replays the log once into empty shadows, so every event reaches an
 * evolve exactly once, in log order. Skipping "events at or below the row's version" would only hide a
 * bug that broke that promise, and verify (live against a rebuild) would no longer see it.
 */
export interface ReadModel<E extends NewEvent, Row> {
  /** The projection's name: its checkpoint, its rebuild route's `:name`, `@UsesReadModels`. */
  readonly name: string;
  readonly table: TableDeclaration<Row>;
  /** One entry per event type it handles: the key of the row the event is about. */
  readonly keys: { readonly [T in E['type']]: (event: StoredEventOf<Extract<E, { type: T }>>) => RowKey };
  readonly evolve: (row: Row | null, event: StoredEventOf<E>) => Row | null;
  /** Optional: tables of totals over the rows (read-model-totals.ts), written in the same batch. */
  readonly totals?: readonly Totals<Row>[];
}

/** Declares a read model (typed by its events `E` and its row). */
export function readModel<E extends NewEvent, Row>(declaration: ReadModel<E, Row>): ReadModel<E, Row> {
  return declaration;
}

type TableColumns<Row> = Array<{ property: keyof Row & string; sql: string; column: Column<unknown> }>;
type TableChildren<Row> = Array<{ property: keyof Row & string; children: Children<unknown> }>;
const described = new WeakMap<object, { columns: TableColumns<never>; children: TableChildren<never> }>();

function describe<Row>(table: TableDeclaration<Row>): { columns: TableColumns<Row>; children: TableChildren<Row> } {
  let found = described.get(table);
  if (!found) {
    const entries = Object.entries(table.columns as Record<string, Column<unknown> | Children<unknown>>);
    found = {
      columns: entries.flatMap(([property, column]) => (column.kind === 'column' ? [{ property: property as never, sql: columnName(property, column), column }] : [])),
      children: entries.flatMap(([property, children]) => (children.kind === 'children' ? [{ property: property as never, children }] : [])),
    };
    described.set(table, found);
  }
  return found as { columns: TableColumns<Row>; children: TableChildren<Row> };
}

/** The table's columns (not its children), with their SQL names. */
export function columnsOf<Row>(table: TableDeclaration<Row>): TableColumns<Row> {
  return describe(table).columns;
}

export function childrenOf<Row>(table: TableDeclaration<Row>): TableChildren<Row> {
  return describe(table).children;
}

/**
 * Marks a row as it reads back from its table (normalised or loaded), holding its key: an evolve that
 * returns a new row around unchanged children costs the new parts only. A hidden property (not a
 * WeakMap, whose entries cost the garbage collector dearly at a rebuild's pace), which a spread
 * (`{ ...row }`) does not copy: a row the evolve built is normalised afresh.
 */
const KEY = Symbol('read-model row key');

/** Marks `row` (normalised or loaded, of `table`; its key, if known) as it reads back. */
export function settled<Row>(table: TableDeclaration<Row>, row: Row, key?: string): Row {
  Object.defineProperty(row, KEY, { value: key ?? rowKey(table, row) });
  return row;
}

function settledKey(row: unknown): string | undefined {
  return (row as { [KEY]?: string })[KEY];
}

/** The key's values as the table compares them: normalised and encoded, in the key's order. */
export function keyValues<Row>(table: TableDeclaration<Row>, key: RowKey): unknown[] {
  const values = Array.isArray(key) ? (key as readonly unknown[]) : [key];
  if (values.length !== table.key.length) throw new Error(`table ${table.name}: a key of ${values.length} values, expected ${table.key.length}`);
  return table.key.map((property, i) => {
    const column = table.columns[property] as Column<unknown>;
    return column.encode(column.normalize(values[i]));
  });
}

/** Encoded key values as one string: a Map key for the row. */
export function keyString(values: readonly unknown[]): string {
  return values.length === 1 ? String(values[0]) : JSON.stringify(values.map(String));
}

/** The row's key, as keyString gives it. */
export function rowKey<Row>(table: TableDeclaration<Row>, row: Row): string {
  return settledKey(row) ?? keyString(keyValues(table, table.key.map((property) => row[property]) as RowKey));
}

/**
 * The row as it reads back from its table: every column normalised, children sorted by their key. A value
 * the evolve carried over from `before` (a row as it reads back) unchanged is already so.
 */
export function normalizeRow<Row>(table: TableDeclaration<Row>, row: Row, before?: Row | null): Row {
  if (settledKey(row) !== undefined) return row;
  const normal: Record<string, unknown> = {};
  let sameKey = before !== undefined && before !== null;
  for (const { property, column } of columnsOf(table)) {
    const value = row[property];
    if (before && value === before[property]) {
      normal[property] = value;
    } else {
      normal[property] = column.normalize(value);
      if (table.key.includes(property)) sameKey = false;
    }
  }
  for (const { property, children } of childrenOf(table)) {
    const rows = row[property] as unknown;
    if (!Array.isArray(rows)) throw new Error(`table ${table.name}: ${property} must be an array of rows`);
    normal[property] = before && rows === before[property] ? rows : sortedChildren(children.table, rows.map((child: unknown) => normalizeRow(children.table, child)));
  }
  return settled(table, normal as Row, sameKey ? rowKey(table, before as Row) : undefined);
}

/**
 * Children in the order of their keys (their order means nothing; this makes it the same on every path).
 * Called for every evolved row with children, so it does not allocate more than it must: a list already in
 * order comes back as it is, and one that an evolve changed in a place or two (a settled list plus a
 * line) is nearly in order, which an insertion sort puts right in one pass. Long lists take a plain sort.
 */
export function sortedChildren<C>(table: TableDeclaration<C>, rows: C[]): readonly C[] {
  const keys = new Array<string>(rows.length);
  let inOrder = true;
  for (let i = 0; i < rows.length; i++) {
    keys[i] = rowKey(table, rows[i]);
    if (i > 0 && !(keys[i - 1] < keys[i])) inOrder = false;
  }
  if (inOrder) return rows;
  const duplicate = (key: string) => new Error(`table ${table.name}: two rows with the key ${key}`);
  if (rows.length > INSERTION_SORT_MAX) {
    const order = keys.map((_, i) => i).sort((a, b) => (keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : 0));
    for (let i = 1; i < order.length; i++) if (keys[order[i]] === keys[order[i - 1]]) throw duplicate(keys[order[i]]);
    return order.map((i) => rows[i]);
  }
  const sorted = rows.slice();
  for (let i = 1; i < sorted.length; i++) {
    const key = keys[i];
    const row = sorted[i];
    let j = i - 1;
    for (; j >= 0 && keys[j] > key; j--) {
      keys[j + 1] = keys[j];
      sorted[j + 1] = sorted[j];
    }
    // The sorted prefix's largest key not above this one: equal only if the key is there twice.
    if (j >= 0 && keys[j] === key) throw duplicate(key);
    keys[j + 1] = key;
    sorted[j + 1] = row;
  }
  return sorted;
}

/** Up to this many children, sortedChildren sorts by insertion (nearly sorted lists: one pass, no comparator calls). */
const INSERTION_SORT_MAX = 64;

/** Whether the model handles events of this type (the log's events of a handled type are of `E`). */
export function handles<E extends NewEvent, Row>(model: ReadModel<E, Row>, event: StoredEvent): event is StoredEventOf<E> {
  return Object.hasOwn(model.keys, event.type);
}

/** The key of the row `event` is about, as keyValues gives it. */
export function eventKey<E extends NewEvent, Row>(model: ReadModel<E, Row>, event: StoredEventOf<E>): unknown[] {
  const key = (model.keys as unknown as Record<string, (event: StoredEventOf<E>) => RowKey>)[event.type];
  return keyValues(model.table, key(event));
}

/**
 * One evolve step on the row keyed `key`, its result normalised; the row must keep its key. Unchanged
 * rows are passed through as they are.
 */
export function evolveRow<E extends NewEvent, Row>(model: ReadModel<E, Row>, key: string, row: Row | null, event: StoredEventOf<E>): Row | null {
  const next = model.evolve(row, event);
  if (next === row || next === null) return next;
  const normal = normalizeRow(model.table, next, row);
  const nextKey = rowKey(model.table, normal);
  if (nextKey !== key) throw new Error(`read model ${model.name}: ${event.type} at position ${event.position} moved row ${key} to key ${nextKey}`);
  return normal;
}

/**
 * Folds events about one row from no row: the row the read model would hold after them, as its table
 * gives it back. For a time-travel view of one stream; events of types the model does not handle are passed over.
 */
export function foldReadModel<E extends NewEvent, Row>(model: ReadModel<E, Row>, events: readonly StoredEvent[]): Row | null {
  let row: Row | null = null;
  for (const event of events) {
    if (handles(model, event)) row = evolveRow(model, keyString(eventKey(model, event)), row, event);
  }
  return row;
}
