// The worker thread of PROJECTIONS=worker (started by ProjectorWorker): the projections, reactions, timers
// and webhook delivery on an event loop of their own, so an HTTP stall in the main thread does not delay them.
import 'reflect-metadata';
import { parentPort, workerData } from 'node:worker_threads';
import { DomainError } from '../event-store/errors.js';
import { EventStore } from '../event-store/event-store.js';
import { ProjectionRunner } from '../projections/projection-runner.js';
import { openProjector } from './open-projector.js';
import { tellAppends, type FromProjector, type ToProjector } from './projector-messages.js';

const port = parentPort;
if (!port) throw new Error('projector-thread.js runs as a worker thread (PROJECTIONS=worker); `npm run projector` runs the projector as a process');
const post = (message: FromProjector) => port.postMessage(message);

const app = await openProjector((workerData as { settings: Record<string, string> }).settings);
const projections = app.get(ProjectionRunner);
projections.onAdvanced((name, checkpoint) => post({ type: 'advanced', name, checkpoint }));
const store = app.get(EventStore);
tellAppends(store, () => post({ type: 'appended' }));

let stopping: Promise<void> | undefined;
port.on('message', (message: ToProjector) => {
  if (message.type === 'appended') {
    store.appendedInProcess();
  } else if (message.type === 'rebuild') {
    projections.startRebuild(message.name).then(
      () => post({ type: 'rebuild-started', id: message.id }),
      (error: unknown) =>
        post({
          type: 'rebuild-refused',
          id: message.id,
          code: error instanceof DomainError ? error.code : undefined,
          message: error instanceof Error ? error.message : String(error),
        }),
    );
  } else if (message.type === 'stop') {
    // process.exit in a worker ends this thread only; the close has released the locks and connections.
    stopping ??= app.close().finally(() => process.exit(0));
  }
});
post({ type: 'ready' });
