import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

/** Newest modification time (ms) of the files under `dir` (recursively) whose name passes `filter`. */
function newestMtime(dir, filter = () => true) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full, filter));
    else if (filter(entry.name)) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

function run(command, args, cwd, what) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.status !== 0) {
    throw new Error(`${what} failed (exit ${result.status}):\n${(result.stdout + result.stderr).trim().slice(-4000)}`);
  }
}

/** Runs `npm run build` unless dist/main.js is newer than every file under src/ and the build configs. */
export function ensureServiceBuilt(root, log) {
  const built = path.join(root, 'dist/main.js');
  const sources = Math.max(
    newestMtime(path.join(root, 'src'), (name) => name.endsWith('.ts')),
    ...['tsconfig.json', 'nest-cli.json', 'package.json'].map((f) => statSync(path.join(root, f)).mtimeMs),
  );
  if (existsSync(built) && statSync(built).mtimeMs >= sources) {
    log('service build is up to date (dist/)');
    return;
  }
  log('building the service: npm run build');
  run('npm', ['run', 'build'], root, 'npm run build');
}

/**
 * Compiles the CRUD baseline (bench/baseline-crud) with the project's TypeScript into
 * node_modules/.cache, where neither git nor eslint look and where its imports still resolve.
 */
export function ensureBaselineBuilt(root, log) {
  const project = path.join(root, 'bench/baseline-crud');
  const outDir = path.join(root, 'node_modules/.cache/eventshop-bench/baseline-crud');
  const main = path.join(outDir, 'main.js');
  const sources = Math.max(newestMtime(path.join(project, 'src')), statSync(path.join(project, 'tsconfig.json')).mtimeMs);
  if (existsSync(main) && statSync(main).mtimeMs >= sources) return main;
  log('compiling the CRUD baseline (bench/baseline-crud)');
  mkdirSync(outDir, { recursive: true });
  // Inside node_modules the nearest package.json does not apply: say that these files are ES modules.
  writeFileSync(path.join(outDir, 'package.json'), '{ "type": "module" }\n');
  run(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', project, '--outDir', outDir], root, 'tsc (CRUD baseline)');
  return main;
}
