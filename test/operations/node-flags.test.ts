import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** The node flags of a command line that runs dist/main.js. */
function flagsOf(commandLine: string): string[] {
  const match = /node((?: --[\w-]+(?:=\S+)?)*) dist\/main\.js/.exec(commandLine);
  if (!match) throw new Error(`no \`node ... dist/main.js\` in: ${commandLine}`);
  return match[1].trim().split(' ');
}

describe('the service node flags', () => {
  // The bench reads them from start:prod (bench/run.mjs); npm start and the Docker image must run the same.
  it('are the same for npm start, npm run start:prod and the Docker image', () => {
    const { scripts } = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
    const cmd = /^CMD (\[.*\])$/m.exec(readFileSync('Dockerfile', 'utf8'))?.[1];
    expect(cmd).toBeDefined();
    const docker = (JSON.parse(cmd!) as string[]).join(' ');
    const flags = flagsOf(scripts['start:prod']);
    expect(flags).toContain('--no-parallel-scavenge');
    expect(flagsOf(scripts.start)).toEqual(flags);
    expect(flagsOf(docker)).toEqual(flags);
  });
});
