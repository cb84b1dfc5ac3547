// Builds dist/ when it is missing or older than the sources, so `npm start` and the command-line tools
// start at once after the first build. Build output goes to stderr: `npm run token` prints only a token.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const built = path.join(root, 'dist', 'main.js');
const inputs = ['src', 'package.json', 'tsconfig.json', 'nest-cli.json'].map((name) => path.join(root, name));

function newestChange(file) {
  const stat = statSync(file);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(file).map((name) => newestChange(path.join(file, name))));
}

function isStale() {
  let builtAt;
  try {
    builtAt = statSync(built).mtimeMs;
  } catch {
    return true;
  }
  return Math.max(...inputs.map(newestChange)) > builtAt;
}

// nest build empties dist/ first: two starts building at once (or one building while the other runs
// dist/) would break each other, so one builds while the others wait for it and then find dist/ fresh.
const lock = path.join(root, 'dist.build-lock');
async function withLock(work) {
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx'));
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      // A build that died holding the lock: no build takes ten minutes.
      if (Date.now() - statSync(lock, { throwIfNoEntry: false })?.mtimeMs > 600_000) rmSync(lock, { force: true });
      await sleep(200);
    }
  }
  try {
    return work();
  } finally {
    rmSync(lock, { force: true });
  }
}

if (isStale()) {
  const status = await withLock(() => {
    if (!isStale()) return 0;
    process.stderr.write('building dist/ (the sources changed since the last build)...\n');
    const nest = path.join(root, 'node_modules', '@nestjs', 'cli', 'bin', 'nest.js');
    return spawnSync(process.execPath, [nest, 'build'], { cwd: root, stdio: ['ignore', 2, 2] }).status;
  });
  if (status !== 0) {
    process.stderr.write('the build failed (see above): fix the error and try again.\n');
    process.exit(1);
  }
}
