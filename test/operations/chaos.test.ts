import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

/** `npm run chaos` as a user runs it (node scripts/chaos.mjs), against the run's PostgreSQL. */
function runChaos(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['scripts/chaos.mjs', ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

function figure(output: string, label: string): string | undefined {
  const line = output.split('\n').find((l) => l.startsWith(`${label}  `));
  return line?.slice(label.length).trim();
}

describe('npm run chaos (external PostgreSQL)', () => {
  it('kill -9s the service twice under load: nothing acknowledged lost or doubled, no gaps, read models equal a replay', async () => {
    // The script makes (and drops) a fresh database of its own on the server DATABASE_URL names.
    const { code, output } = await runChaos(['--kills', '2', '--seconds', '5', '--concurrency', '8'], {
      DATABASE_URL: inject('postgresServerUrl'),
    });

    expect(code, output).toBe(0);
    expect(figure(output, 'kills (kill -9)'), output).toBe('2');
    expect(figure(output, 'restarts'), output).toBe('2');
    expect(Number(figure(output, '  acknowledged (2xx)')), output).toBeGreaterThan(0);
    expect(Number(figure(output, '  retried (lost connection or 5xx)')), output).toBeGreaterThan(0);
    for (const label of ['  unanswered', 'lost', 'doubled', 'refused but applied', 'gaps', 'read models behind the log', 'read-model differences']) {
      expect(figure(output, label), `${label}\n${output}`).toBe('0');
    }
    expect(output).toContain('chaos: PASSED');
  }, 180_000);
});
