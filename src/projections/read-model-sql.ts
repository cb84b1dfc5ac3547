import pg from 'pg';
import type { ProjectionContext } from './projection.js';
import { arrayLiteral } from '../database/array-literal.js';
import { childrenOf, columnsOf, rowKey, settled, sortedChildren } from './read-model.js';
import type { Children, Column, TableDeclaration } from './read-model-columns.js';

const quote = (name: string) => pg.escapeIdentifier(name);

/** A statement's parameters, each an array cast to its column's type (`$1::uuid[]`). */
export class Params {
  readonly values: unknown[] = [];
  array(items: unknown[], sqlType: string): string {
    return `$${this.values.push(arrayLiteral(items))}::${sqlType}[]`;
  }
}

export function keyColumns<Row>(table: TableDeclaration<Row>) {
  const columns = columnsOf(table);
  return table.key.map((property) => columns.find((c) => c.property === property)!);
}

/**
 * The rows of `keys` (as keyValues gives them) with their children, as they stand in this transaction,
 * in one statement (`= ANY` on a one-column key); a key with no row is absent from the answer.
 */
export async function loadRows<Row>(ctx: ProjectionContext, table: TableDeclaration<Row>, keys: ReadonlyMap<string, unknown[]>): Promise<Map<string, Row>> {
  const params = new Params();
  const selects = columnsOf(table).map(({ property, sql, column }) => `${column.select(`t.${quote(sql)}`)} AS ${quote(property)}`);
  const [parentKey] = keyColumns(table);
  for (const { property, children } of childrenOf(table)) {
    const cells = columnsOf(children.table).map(({ sql, column }) => column.select(`c.${quote(sql)}`));
    selects.push(
      `(SELECT json_agg(json_build_array(${cells.join(', ')})) FROM ${ctx.table(children.table.name)} AS c
        WHERE c.${quote(children.parentColumn)} = t.${quote(parentKey.sql)}) AS ${quote(property)}`,
    );
  }
  const keyList = [...keys.values()];
  const where =
    table.key.length === 1
      ? `t.${quote(parentKey.sql)} = ANY(${params.array(keyList.map((values) => values[0]), parentKey.column.sqlType)})`
      : `(${keyColumns(table).map((c) => `t.${quote(c.sql)}`).join(', ')}) IN (SELECT * FROM unnest(${keyColumns(table)
          .map((c, i) => params.array(keyList.map((values) => values[i]), c.column.sqlType))
          .join(', ')}))`;
  const { rows } = await ctx.client.query<Record<string, unknown>>(`SELECT ${selects.join(', ')} FROM ${ctx.table(table.name)} AS t WHERE ${where}`, params.values);
  const loaded = new Map<string, Row>();
  for (const found of rows) {
    const row = decodeRow(table, found);
    loaded.set(rowKey(table, row), row);
  }
  return loaded;
}

function decodeRow<Row>(table: TableDeclaration<Row>, found: Record<string, unknown>): Row {
  const row: Record<string, unknown> = {};
  for (const { property, column } of columnsOf(table)) row[property] = column.decode(found[property]);
  for (const { property, children } of childrenOf(table)) {
    const childColumns = columnsOf(children.table);
    const decoded = ((found[property] ?? []) as unknown[][]).map((cells) => {
      const child: Record<string, unknown> = {};
      childColumns.forEach(({ property: childProperty, column }, i) => (child[childProperty] = column.decode(cells[i])));
      return settled(children.table, child);
    });
    // As normalizeRow orders them: the same array whether a row was loaded or folded.
    row[property] = sortedChildren(children.table, decoded);
  }
  return settled(table, row as Row);
}

/**
 * The statements that write back what the fold changed: rows new or changed are upserted whole, rows
 * gone are deleted (with their children); of the rows kept, children new or changed are upserted and
 * children gone deleted. Keys are disjoint between the parts, so they cannot trip over each other.
 */
export function writeRows<Row>(ctx: ProjectionContext, table: TableDeclaration<Row>, loaded: ReadonlyMap<string, Row>, folded: ReadonlyMap<string, Row | null>, params: Params): string[] {
  const statements: string[] = [];
  const upserts: Row[] = [];
  const gone: Row[] = [];
  for (const [key, row] of folded) {
    const before = loaded.get(key);
    if (row === null) {
      if (before) gone.push(before);
    } else if (!before || !sameColumns(table, before, row)) {
      upserts.push(row);
    }
  }
  const [parentKey] = keyColumns(table);
  for (const { property, children } of childrenOf(table)) {
    const childKey = keyColumns(children.table);
    const link: SqlColumn = { sql: children.parentColumn, column: parentKey.column };
    const changed: Array<{ parent: unknown; row: unknown }> = [];
    const removed: Array<{ parent: unknown; row: unknown }> = [];
    for (const [key, row] of folded) {
      const parent = row ?? loaded.get(key);
      const parentValue = parentKey.column.encode(parent?.[parentKey.property]);
      const before = new Map(((loaded.get(key)?.[property] ?? []) as unknown[]).map((child) => [rowKey(children.table, child), child]));
      for (const child of (row?.[property] ?? []) as unknown[]) {
        const old = before.get(rowKey(children.table, child));
        before.delete(rowKey(children.table, child));
        if (!old || !sameColumns(children.table, old, child)) changed.push({ parent: parentValue, row: child });
      }
      if (row !== null) for (const child of before.values()) removed.push({ parent: parentValue, row: child });
    }
    if (gone.length > 0) {
      statements.push(deleteStatement(ctx, children.table.name, [link], [gone.map((row) => parentKey.column.encode(row[parentKey.property]))], params));
    }
    if (removed.length > 0) {
      const columns = [link, ...childKey];
      const values = [removed.map((r) => r.parent), ...childKey.map((c) => removed.map((r) => c.column.encode((r.row as Record<string, unknown>)[c.property])))];
      statements.push(deleteStatement(ctx, children.table.name, columns, values, params));
    }
    if (changed.length > 0) statements.push(upsertStatement(ctx, children, link, changed, params));
  }
  if (gone.length > 0) {
    const keys = keyColumns(table);
    statements.push(deleteStatement(ctx, table.name, keys, keys.map((c) => gone.map((row) => c.column.encode(row[c.property]))), params));
  }
  if (upserts.length > 0) {
    const columns = columnsOf(table);
    const values = columns.map(({ property, column }) => upserts.map((row) => column.encode(row[property])));
    statements.push(insertStatement(ctx.table(table.name), columns, values, keyColumns(table).map((c) => c.sql), params));
  }
  return statements;
}

/** Sends `statements` as one deferred statement (data-modifying CTEs), if there are any. */
export function deferAll(ctx: ProjectionContext, statements: readonly string[], params: Params): void {
  if (statements.length === 0) return;
  const last = statements[statements.length - 1];
  const before = statements.slice(0, -1).map((s, i) => `w${i} AS (${s})`);
  ctx.defer(before.length === 0 ? last : `WITH ${before.join(', ')} ${last}`, params.values);
}

/** Whether `a` and `b` write the same values; a child or row the evolve carried over unchanged is the very same object. */
function sameColumns<Row>(table: TableDeclaration<Row>, a: Row, b: Row): boolean {
  return a === b || columnsOf(table).every(({ property, column }) => column.encode(a[property]) === column.encode(b[property]));
}

export type SqlColumn = { readonly sql: string; readonly column: Column<unknown> };

/** `INSERT INTO target AS t ... ON CONFLICT (key) DO UPDATE SET` each other column to `set` (default: the new value). */
export function insertStatement(
  target: string,
  columns: readonly SqlColumn[],
  values: unknown[][],
  key: readonly string[],
  params: Params,
  set: (column: string) => string = (column) => `EXCLUDED.${column}`,
): string {
  const names = columns.map((c) => quote(c.sql));
  const rest = columns.filter((c) => !key.includes(c.sql)).map((c) => `${quote(c.sql)} = ${set(quote(c.sql))}`);
  return `INSERT INTO ${target} AS t (${names.join(', ')})
    SELECT * FROM unnest(${columns.map((c, i) => params.array(values[i], c.column.sqlType)).join(', ')})
    ON CONFLICT (${key.map(quote).join(', ')}) DO ${rest.length > 0 ? `UPDATE SET ${rest.join(', ')}` : 'NOTHING'}`;
}

/** Upserts child rows, with `link` (their parent column, typed as the parent's key) before their own columns. */
function upsertStatement(ctx: ProjectionContext, children: Children<unknown>, link: SqlColumn, changed: Array<{ parent: unknown; row: unknown }>, params: Params): string {
  const columns = columnsOf(children.table);
  const all = [link, ...columns];
  const values = [changed.map((c) => c.parent), ...columns.map(({ property, column }) => changed.map((c) => column.encode((c.row as Record<string, unknown>)[property])))];
  return insertStatement(ctx.table(children.table.name), all, values, [children.parentColumn, ...keyColumns(children.table).map((c) => c.sql)], params);
}

function deleteStatement(ctx: ProjectionContext, target: string, columns: readonly SqlColumn[], values: unknown[][], params: Params): string {
  const names = columns.map((c) => quote(c.sql));
  const arrays = columns.map((c, i) => params.array(values[i], c.column.sqlType));
  return `DELETE FROM ${ctx.table(target)} AS t USING unnest(${arrays.join(', ')}) AS gone(${names.join(', ')})
    WHERE ${names.map((n) => `t.${n} = gone.${n}`).join(' AND ')}`;
}
