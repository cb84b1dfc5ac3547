import cliProgress from 'cli-progress';

/**
 * A progress bar over the planned steps (each warm-up or measured run, each seeding) on a terminal, and
 * one timestamped line per event everywhere (so a CI log or a pipe shows progress too).
 */
export function createProgress(totalSteps) {
  const started = Date.now();
  const elapsed = () => {
    const s = Math.round((Date.now() - started) / 1000);
    return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  };
  const tty = Boolean(process.stdout.isTTY);
  let done = 0;
  let total = totalSteps;
  let multibar;
  let bar;
  if (tty) {
    multibar = new cliProgress.MultiBar(
      { format: ' {bar} {value}/{total} steps | {elapsed} | {label}', hideCursor: true, clearOnComplete: true, barsize: 30 },
      cliProgress.Presets.shades_classic,
    );
    bar = multibar.create(total, 0, { label: 'starting', elapsed: elapsed() });
  }
  const log = (message) => {
    const line = `[${elapsed()}] ${message}`;
    if (multibar) multibar.log(`${line}\n`);
    else console.log(line);
  };
  return {
    log,
    /** What is happening now (shown on the bar only). */
    status(label) {
      bar?.update(done, { label, elapsed: elapsed() });
    },
    /** A planned step finished. */
    step(message) {
      done++;
      if (done > total) {
        total = done;
        bar?.setTotal(total);
      }
      bar?.update(done, { label: message, elapsed: elapsed() });
      log(message);
    },
    elapsedSec: () => (Date.now() - started) / 1000,
    stop() {
      multibar?.stop();
    },
  };
}
