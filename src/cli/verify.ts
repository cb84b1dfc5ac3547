// Checks every read model (or those named) against a fresh rebuild from the log: npm run verify [-- <name>...]
import { ProjectionRunner } from '../projections/projection-runner.js';
import { openCliApplication } from './cli-application.js';

const cli = await openCliApplication();
const runner = cli.app.get(ProjectionRunner);
const requested = process.argv.slice(2);
const unknown = requested.filter((name) => !runner.names.includes(name));
if (unknown.length > 0) {
  process.stderr.write(`no projection named ${unknown.join(', ')}; there are: ${runner.names.join(', ')}\n`);
  await cli.close();
  process.exit(2);
}

let differing = 0;
try {
  for (const name of requested.length ? requested : runner.names) {
    process.stdout.write(`${name}: `);
    const differences = await runner.verify(name);
    if (differences.length === 0) {
      process.stdout.write('matches a fresh rebuild from the log\n');
      continue;
    }
    differing++;
    process.stdout.write('DIFFERS from a fresh rebuild from the log\n');
    for (const d of differences) {
      process.stdout.write(`  ${d.table}: ${d.onlyInLive} row(s) only in the live table, ${d.onlyInRebuilt} only in the rebuild\n`);
      for (const row of d.samplesOnlyInLive) process.stdout.write(`    live only:    ${JSON.stringify(row)}\n`);
      for (const row of d.samplesOnlyInRebuilt) process.stdout.write(`    rebuild only: ${JSON.stringify(row)}\n`);
    }
  }
} catch (error) {
  process.stderr.write(`verify failed: ${error instanceof Error ? error.message : String(error)}\n`);
  await cli.close();
  process.exit(2);
}
await cli.close();
process.exit(differing > 0 ? 1 : 0);
