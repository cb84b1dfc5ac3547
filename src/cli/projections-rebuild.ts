// Rebuilds one read model from the log and swaps it in: npm run projections:rebuild -- <projection name>
import cliProgress from 'cli-progress';
import { ProjectionRunner } from '../projections/projection-runner.js';
import { openCliApplication } from './cli-application.js';

const name = process.argv[2];
if (!name || name.startsWith('-')) {
  process.stderr.write('usage: npm run projections:rebuild -- <projection name>\n');
  process.exit(2);
}

const cli = await openCliApplication();
const runner = cli.app.get(ProjectionRunner);
if (!runner.names.includes(name)) {
  process.stderr.write(`no projection named ${name}; there are: ${runner.names.join(', ')}\n`);
  await cli.close();
  process.exit(2);
}

const bar = new cliProgress.SingleBar(
  { format: `${name} |{bar}| {percentage}% | {value}/{total} events | {speed} events/s | ETA {eta_formatted} | {phase}`, hideCursor: true },
  cliProgress.Presets.shades_classic,
);
const started = Date.now();
bar.start(1, 0, { speed: 0, phase: 'starting' });
try {
  const result = await runner.rebuild(name, {
    onProgress: ({ processed, total, phase }) => {
      const seconds = Math.max((Date.now() - started) / 1000, 0.001);
      bar.setTotal(Math.max(total, 1));
      bar.update(processed, { speed: Math.round(processed / seconds), phase });
    },
  });
  bar.stop();
  const seconds = (Date.now() - started) / 1000;
  process.stdout.write(`rebuilt ${name} from ${result.processed} events in ${seconds.toFixed(1)} s; it is at position ${result.checkpoint.position}\n`);
  await cli.close();
  process.exit(0);
} catch (error) {
  bar.stop();
  process.stderr.write(`rebuild of ${name} failed: ${error instanceof Error ? error.message : String(error)}\n`);
  await cli.close();
  process.exit(1);
}
