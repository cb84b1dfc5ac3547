/**
 * Guards for the values a projection's `applyBatch` folds in memory. A handler hands every value of its
 * event to PostgreSQL, which rejects one that does not fit its column (and so stops the projection at
 * that event), even when the statement then changes no row; a fold must not quietly accept what the
 * handler would have failed on. Each guard accepts only values PostgreSQL reads as plainly as
 * JavaScript does, and throws on anything else: the runner then applies the batch through the handlers,
 * which decide. Throwing is always safe; accepting is the promise.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?(?:Z|[+-](\d{2}):(\d{2}))$/;
const INT4_MIN = -(2 ** 31);
const INT4_MAX = 2 ** 31 - 1;
const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;

export class UnexpectedValueError extends Error {
  constructor(what: string, value: unknown) {
    super(`applyBatch does not take ${describe(value)} as ${what}`);
  }
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** A uuid, in the lower case PostgreSQL answers it in: a key that compares as the column does. */
export function uuidValue(value: unknown): string {
  if (typeof value !== 'string' || !UUID.test(value)) throw new UnexpectedValueError('a uuid', value);
  return value.toLowerCase();
}

/** A string that fits a `text` column (PostgreSQL text cannot hold NUL). */
export function textValue(value: unknown): string {
  if (typeof value !== 'string' || value.includes('\0')) throw new UnexpectedValueError('text', value);
  return value;
}

export function int4Value(value: unknown): number {
  if (!Number.isInteger(value) || (value as number) < INT4_MIN || (value as number) > INT4_MAX) throw new UnexpectedValueError('an integer', value);
  return value as number;
}

/** A bigint in range, from a bigint, a JavaScript number (exact integers only) or the decimal string pg answers for a bigint column. */
export function int8Value(value: unknown): bigint {
  const n =
    typeof value === 'bigint'
      ? value
      : typeof value === 'number' && Number.isSafeInteger(value)
        ? BigInt(value)
        : typeof value === 'string' && /^-?\d+$/.test(value)
          ? BigInt(value)
          : undefined;
  if (n === undefined || n < INT8_MIN || n > INT8_MAX) throw new UnexpectedValueError('a bigint', value);
  return n;
}

/**
 * An ISO 8601 time with a zone (`2026-11-26T09:00:00.000Z`, as the log's `occurredAt`), kept as the
 * string: PostgreSQL parses it when it is written. Only plain, in-range fields, which PostgreSQL reads the
 * same way; it would also take others (`24:00:00`, leap seconds, other layouts), which go to the handlers.
 */
export function timestampValue(value: unknown): string {
  const match = typeof value === 'string' ? TIMESTAMP.exec(value) : null;
  if (!match) throw new UnexpectedValueError('a timestamp', value);
  const [year, month, day, hour, minute, second, zoneHours, zoneMinutes] = match.slice(1).map((field) => Number(field ?? 0));
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  const valid =
    year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour < 24 && minute < 60 && second < 60 && zoneHours <= 14 && zoneMinutes < 60;
  if (!valid) throw new UnexpectedValueError('a timestamp', value);
  return value as string;
}

/** A lone UTF-16 surrogate: JSON.stringify escapes it, and PostgreSQL's jsonb refuses the escape. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** A value whose JSON.stringify PostgreSQL takes as `jsonb` (which holds no NUL and no lone surrogate). */
export function jsonValue<T>(value: T): T {
  const check = (v: unknown): void => {
    if (typeof v === 'string') {
      if (v.includes('\0') || LONE_SURROGATE.test(v)) throw new UnexpectedValueError('JSON', value);
    } else if (Array.isArray(v)) {
      v.forEach(check);
    } else if (typeof v === 'object' && v !== null) {
      for (const [key, item] of Object.entries(v)) {
        check(key);
        check(item);
      }
    }
  };
  check(value);
  return value;
}
