import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The exact SQL the service's event store runs for a command: the stream read and the single-statement
 * append, taken from the built dist/event-store/event-store.js so that the pg baseline cannot drift from
 * the service. Fails loudly if the kernel changed shape: update the patterns here then.
 */
export function eventStoreSql(root) {
  const file = path.join(root, 'dist/event-store/event-store.js');
  const source = readFileSync(file, 'utf8');
  const pick = (pattern, what) => {
    const match = pattern.exec(source);
    if (!match) throw new Error(`bench: could not find ${what} in ${file}; update bench/lib/event-store-sql.mjs`);
    return match[1];
  };
  const columns = pick(/const EVENT_COLUMNS = `([^`]*)`/, 'EVENT_COLUMNS');
  const append = pick(/const APPEND_SQL = `([^`]*)`/, 'APPEND_SQL');
  const readStream = pick(/readStream\([^)]*\)\s*\{[\s\S]*?query\(`([^`]*)`/, 'the readStream query').replace('${EVENT_COLUMNS}', columns);
  if (readStream.includes('${')) throw new Error('bench: the readStream query interpolates more than EVENT_COLUMNS; update bench/lib/event-store-sql.mjs');
  return { append, readStream };
}
