/**
 * Everything the bench starts registers how to stop it here, so that a normal end, an error and Ctrl-C
 * all leave no service, baseline or PostgreSQL running and no temporary folder behind.
 */
const steps = [];
let running;
let interrupted = false;

/** Whether a signal asked the bench to stop (its results are then not written). */
export const isInterrupted = () => interrupted;

/** Registers `stop` (async); it runs once, last registered first. Returns a function that unregisters it. */
export function onCleanup(label, stop) {
  const step = { label, stop };
  steps.push(step);
  return () => {
    const i = steps.indexOf(step);
    if (i >= 0) steps.splice(i, 1);
  };
}

export function cleanup() {
  running ??= (async () => {
    while (steps.length > 0) {
      const { label, stop } = steps.pop();
      try {
        await withTimeout(stop(), 30_000, label);
      } catch (error) {
        console.error(`cleanup: ${label}: ${error instanceof Error ? error.message : error}`);
      }
    }
  })();
  return running;
}

let crashHandlersInstalled = false;

/**
 * (Re)installs our SIGINT/SIGTERM handlers (and, once, a crash handler). startEmbeddedPostgres() removes
 * every listener of those signals when it starts a server, so this is called again after each start.
 */
export function installSignalHandlers() {
  if (!crashHandlersInstalled) {
    crashHandlersInstalled = true;
    for (const event of ['uncaughtException', 'unhandledRejection']) {
      process.on(event, (error) => {
        interrupted = true;
        console.error(`\n${event}: ${error instanceof Error ? error.stack : error}\nstopping everything the bench started...`);
        void cleanup().finally(() => process.exit(1));
      });
    }
  }
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.removeAllListeners(signal);
    process.once(signal, () => {
      interrupted = true;
      console.error(`\n${signal}: stopping everything the bench started...`);
      void cleanup().finally(() => process.exit(130));
    });
  }
}

async function withTimeout(promise, ms, label) {
  let timer;
  try {
    return await Promise.race([
      promise,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${label} did not stop within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
