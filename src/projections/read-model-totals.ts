import type { ProjectionContext } from './projection.js';
import { columnsOf, normalizeRow, rowKey } from './read-model.js';
import type { TableDeclaration } from './read-model-columns.js';
import { insertStatement, keyColumns, type Params } from './read-model-sql.js';

/**
 * A table of totals over a read model's rows (sales per day, say, over one row per order): each of its
 * rows sums what the read model's rows contribute under its key. Integer columns are summed; any other
 * column takes the value of the latest contribution added (a product's name as its latest sale had it),
 * and keeps it when a contribution is taken back out. A row whose sums fall to zero stays.
 *
 * For what a read model cannot key by the event alone: a cancellation names its order, not the day the
 * order counted on. The read model keeps the order's row; the totals follow its changes.
 */
export interface Totals<Row> {
  readonly table: TableDeclaration<unknown>;
  readonly of: (row: Row) => readonly unknown[];
}

export function totals<Row, T>(table: TableDeclaration<T>, of: (row: Row) => readonly T[]): Totals<Row> {
  return { table: table as TableDeclaration<unknown>, of: of as (row: Row) => readonly unknown[] };
}

type Sum = number | bigint;

/** What a batch changes in one totals table: per key, the sums to add and the latest values. */
export class TotalsChange<Row> {
  private readonly changes = new Map<string, { row: Record<string, unknown>; added: boolean }>();
  private readonly sums: string[];

  constructor(readonly totals: Totals<Row>) {
    const key = totals.table.key as readonly string[];
    this.sums = columnsOf(totals.table)
      .filter(({ property, column }) => !key.includes(property) && (column.sqlType === 'integer' || column.sqlType === 'bigint'))
      .map(({ property }) => property);
  }

  /** A read-model row went from `before` to `after`: takes the one's contributions out, puts the other's in. */
  follow(before: Row | null, after: Row | null): void {
    if (before === after) return;
    if (before) for (const row of this.totals.of(before)) this.add(row, -1);
    if (after) for (const row of this.totals.of(after)) this.add(row, 1);
  }

  private add(contribution: unknown, sign: 1 | -1): void {
    const row = { ...(normalizeRow(this.totals.table, contribution) as Record<string, unknown>) };
    const key = rowKey(this.totals.table, row);
    const change = this.changes.get(key);
    const signed = (value: unknown) => (sign === 1 ? (value as Sum) : -(value as Sum));
    if (!change) {
      for (const sum of this.sums) row[sum] = signed(row[sum]);
      this.changes.set(key, { row, added: sign === 1 });
      return;
    }
    for (const sum of this.sums) change.row[sum] = (change.row[sum] as number) + (signed(row[sum]) as number);
    if (sign === 1) {
      // The latest contribution added sets the other columns.
      for (const [property, value] of Object.entries(row)) if (!this.sums.includes(property)) change.row[property] = value;
      change.added = true;
    }
  }

  /**
   * Keys with a contribution added: an upsert adding the sums and setting the other columns. Keys with
   * contributions only taken out (whose row therefore exists): an update of the sums alone.
   */
  statements(ctx: ProjectionContext, params: Params): string[] {
    const { table } = this.totals;
    const changes = [...this.changes.values()];
    const statements: string[] = [];
    const upserts = changes.filter((c) => c.added).map((c) => c.row);
    const updates = changes.filter((c) => !c.added).map((c) => c.row);
    const columns = columnsOf(table);
    const key = keyColumns(table);
    const sums = columns.filter((c) => this.sums.includes(c.property));
    const values = (rows: Record<string, unknown>[], of: typeof columns) => of.map(({ property, column }) => rows.map((row) => column.encode(row[property])));
    if (upserts.length > 0) {
      const summed = sums.map((c) => `"${c.sql}"`);
      statements.push(
        insertStatement(ctx.table(table.name), columns, values(upserts, columns), key.map((c) => c.sql), params, (column) =>
          summed.includes(column) ? `t.${column} + EXCLUDED.${column}` : `EXCLUDED.${column}`,
        ),
      );
    }
    if (updates.length > 0) {
      const of = [...key, ...sums];
      const arrays = of.map((c, i) => params.array(values(updates, of)[i], c.column.sqlType));
      const names = of.map((c) => `"${c.sql}"`);
      statements.push(`UPDATE ${ctx.table(table.name)} AS t SET ${sums.map((c) => `"${c.sql}" = t."${c.sql}" + d."${c.sql}"`).join(', ')}
        FROM unnest(${arrays.join(', ')}) AS d(${names.join(', ')}) WHERE ${key.map((c) => `t."${c.sql}" = d."${c.sql}"`).join(' AND ')}`);
    }
    return statements;
  }
}
