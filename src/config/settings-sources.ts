import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';

export type SettingSource = 'environment' | '.env' | 'default';

/** The variables the service reads settings from, and which of them came from a `.env` file. */
export interface Environment {
  readonly values: Readonly<Record<string, string | undefined>>;
  /** The `.env` file read, if there was one. */
  readonly file?: string;
  readonly fromFile: ReadonlySet<string>;
}

/**
 * The environment, completed by the working folder's `.env` when there is one: a variable set (and
 * not empty) in the environment wins over the file. Parsed with Node's own parseEnv (the dotenv
 * format), so no package is needed; the process's environment is left untouched.
 */
export function readEnvironment(options: { cwd?: string; env?: Readonly<Record<string, string | undefined>> } = {}): Environment {
  const env = options.env ?? process.env;
  const file = join(options.cwd ?? process.cwd(), '.env');
  if (!existsSync(file)) return { values: { ...env }, fromFile: new Set() };
  const values: Record<string, string | undefined> = { ...env };
  const fromFile = new Set<string>();
  for (const [key, value] of Object.entries(parseEnv(readFileSync(file, 'utf8')))) {
    if (value === undefined || (values[key] !== undefined && values[key] !== '')) continue;
    values[key] = value;
    fromFile.add(key);
  }
  return { values, file, fromFile };
}

/** Setting names whose values are never logged. */
const SECRET_NAME = /SECRET|TOKEN|PASSWORD|PASSWD|KEY/i;

/**
 * One log line saying where each setting came from, with its value, except secrets: those show as
 * `(set)`, and a connection string's password as `***`.
 */
export function describeSettings(settings: Readonly<Record<string, unknown>>, sources: ReadonlyMap<string, SettingSource>, file?: string): string {
  const groups: Record<SettingSource, string[]> = { environment: [], '.env': [], default: [] };
  for (const [name, source] of [...sources].sort(([a], [b]) => a.localeCompare(b))) {
    const value = settings[name];
    if (value === undefined) continue;
    groups[source].push(`${name}=${shown(name, value)}`);
  }
  const parts = [file ? `read ${file}` : 'no .env file in the working folder'];
  if (groups.environment.length) parts.push(`from the environment: ${groups.environment.join(', ')}`);
  if (groups['.env'].length) parts.push(`from .env: ${groups['.env'].join(', ')}`);
  if (groups.default.length) parts.push(`defaults: ${groups.default.join(', ')}`);
  return `settings: ${parts.join('; ')}`;
}

function shown(name: string, value: unknown): string {
  if (SECRET_NAME.test(name)) return '(set)';
  const text = String(value);
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? withoutPassword(text) : text;
}

/** A URL with its password (if any) replaced; unparseable text is hidden whole rather than risked. */
function withoutPassword(text: string): string {
  try {
    const url = new URL(text);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '(set)';
  }
}
