import { int4Value, int8Value, jsonValue, textValue, timestampValue, UnexpectedValueError, uuidValue } from './batch-values.js';

/**
 * A typed column of a read model's table. `normalize` is the heart of it: it gives the value exactly as it
 * reads back once written (a uuid in lower case, a time to the millisecond in UTC, JSON as JSON keeps
 * it), so a fold in memory sees the very rows a fold through the table would load. It throws on anything
 * PostgreSQL might read otherwise than JavaScript does (see batch-values.ts): both paths then fail alike.
 */
export interface Column<T> {
  readonly kind: 'column';
  /** The SQL column's name; undefined: the property's name in snake_case. */
  readonly name: string | undefined;
  /** Its SQL type, for the casts of the statements that write it (`unnest($1::uuid[], ...)`). */
  readonly sqlType: string;
  /** How a load selects it (`column` quoted), in a form `decode` takes, as a value and inside JSON. */
  select(column: string): string;
  /** The loaded value (pg's, or its JSON form when loaded as a child row) as the row holds it. */
  decode(value: unknown): T;
  /** The row's value as a query parameter. */
  encode(value: T): unknown;
  normalize(value: T): T;
}

/** Rows of a child table, held by their parent row as an array (a set: its order means nothing). */
export interface Children<C> {
  readonly kind: 'children';
  readonly table: TableDeclaration<C>;
  /** The child table's column holding its parent's key (the parent has a one-column key). */
  readonly parentColumn: string;
}

export type ColumnsOf<Row> = { readonly [K in keyof Row]: Row[K] extends readonly (infer C)[] ? Column<Row[K]> | Children<C> : Column<Row[K]> };

export interface TableDeclaration<Row> {
  readonly name: string;
  /** The properties that make the row's primary key, in the key's order. */
  readonly key: readonly (keyof Row & string)[];
  readonly columns: ColumnsOf<Row>;
}

/** What `table` takes: columns, and children of any row type. */
type Declared = Record<string, Column<unknown> | { readonly kind: 'children'; readonly table: { readonly key: readonly string[] }; readonly parentColumn: string }>;

/** The row a table's columns describe. */
export type RowOf<C extends Declared> = {
  readonly [K in keyof C]: C[K] extends Column<infer T> ? T : C[K] extends Children<infer R> ? readonly R[] : never;
};

/** A read-model table: its name, its key properties and its columns (named after the properties, in snake_case). */
export function table<C extends Declared>(name: string, key: readonly (keyof C & string)[], columns: C): TableDeclaration<RowOf<C>> {
  return { name, key, columns } as unknown as TableDeclaration<RowOf<C>>;
}

/** A child table whose rows a parent row holds (`cart_lines_view` of a cart), linked by `parentColumn`. */
export function children<C>(childTable: TableDeclaration<C>, parentColumn: string): Children<C> {
  return { kind: 'children', table: childTable, parentColumn };
}

export function columnName(property: string, column: Column<unknown>): string {
  return column.name ?? property.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

function column<T>(sqlType: string, name: string | undefined, parts: Pick<Column<T>, 'decode' | 'normalize'> & Partial<Pick<Column<T>, 'select' | 'encode'>>): Column<T> {
  return { kind: 'column', name, sqlType, select: (c) => c, encode: (v) => v, ...parts };
}

export const uuid = (name?: string): Column<string> => column<string>('uuid', name, { decode: (v) => v as string, normalize: uuidValue });

export const text = <T extends string = string>(name?: string): Column<T> =>
  column<T>('text', name, { decode: (v) => v as T, normalize: (v) => textValue(v) as T });

export const int4 = (name?: string): Column<number> => column<number>('integer', name, { decode: (v) => v as number, normalize: int4Value });

/** A bigint, as a JavaScript bigint: exact over its whole range. */
export const int8 = (name?: string): Column<bigint> =>
  column<bigint>('bigint', name, { select: (c) => `${c}::text`, decode: (v) => BigInt(v as string), encode: (v) => v.toString(), normalize: int8Value });

export const boolean = (name?: string): Column<boolean> =>
  column<boolean>('boolean', name, {
    decode: (v) => v as boolean,
    normalize: (v) => {
      if (typeof v !== 'boolean') throw new UnexpectedValueError('a boolean', v);
      return v;
    },
  });

/** A `timestamptz`, held as an ISO string in UTC to the millisecond (as clients see times: a cursor names a row exactly). */
export const timestamp = (name?: string): Column<string> =>
  column<string>('timestamptz', name, { decode: (v) => new Date(v as Date | string).toISOString(), normalize: normalizeTimestamp });

/** The time as an ISO string in UTC to the millisecond; the log's own (already so) without the full check. */
function normalizeTimestamp(value: string): string {
  if (typeof value === 'string' && CANONICAL_TIME.test(value)) return value;
  return new Date(timestampValue(value)).toISOString();
}

/** `toISOString`'s own form (the log's `occurredAt`), of a day every month has. */
const CANONICAL_TIME = /^(?!0000)\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A `date`, held as `YYYY-MM-DD`. */
export const date = (name?: string): Column<string> =>
  column<string>('date', name, {
    select: (c) => `to_char(${c}, 'YYYY-MM-DD')`,
    decode: (v) => v as string,
    normalize: (v) => {
      if (typeof v !== 'string' || !DATE.test(v) || timestampValue(`${v}T00:00:00Z`) === undefined) throw new UnexpectedValueError('a date', v);
      return v;
    },
  });

/** A `jsonb` value, held as the JSON it stores (undefined properties dropped, and so on). */
export const jsonb = <T>(name?: string): Column<T> =>
  column<T>('jsonb', name, {
    decode: (v) => v as T,
    encode: (v) => JSON.stringify(v),
    normalize: (v) => {
      const json = v === undefined ? undefined : JSON.stringify(jsonValue(v));
      if (json === undefined) throw new UnexpectedValueError('JSON', v);
      return JSON.parse(json) as T;
    },
  });

/** The column, taking null too (SQL NULL). */
export function nullable<T>(inner: Column<T>): Column<T | null> {
  return {
    ...inner,
    decode: (v) => (v === null || v === undefined ? null : inner.decode(v)),
    encode: (v) => (v === null ? null : inner.encode(v)),
    normalize: (v) => (v === null ? null : inner.normalize(v)),
  };
}

/** The row type of a declared table. */
export type TableRow<T> = T extends TableDeclaration<infer Row> ? Row : never;
