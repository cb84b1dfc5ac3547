// npm run projector: the projections, reactions, timers and webhook delivery as a process of their own, for
// deployments that scale API instances (PROJECTIONS=off) and projectors separately. The advisory locks
// make one applier of each projection across them all; SIGTERM or Ctrl-C stops it cleanly.
import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { loadConfig } from '../config/app-config.js';
import { readEnvironment } from '../config/settings-sources.js';
import { openDatabaseServer, type DatabaseServer } from '../database/database-server.js';
import { describeStartupFailure } from '../database/startup-error.js';
import { openProjector } from './open-projector.js';

const log = (message: string) => process.stderr.write(`${message}\n`);
const started: { database?: DatabaseServer; app?: INestApplicationContext } = {};
let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log(`projector: ${signal} received, stopping`);
  // Past this, the batches in flight roll back and are applied again from the log: nothing is lost.
  setTimeout(() => process.exit(1), 15_000).unref();
  try {
    await started.app?.close();
  } finally {
    await started.database?.stop();
    process.exit(0);
  }
};
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));

try {
  const environment = readEnvironment().values;
  const config = loadConfig({ ...environment, PROJECTIONS: 'inline' });
  // The embedded PostgreSQL `npm start` runs, if no DATABASE_URL (started for the duration if none runs).
  const database = (started.database = await openDatabaseServer(config, log, { reuseRunning: true }));
  if (!stopping) started.app = await openProjector({ ...environment, DATABASE_URL: database.url });
  if (!stopping) log('projector: running the projections, reactions, timers and webhook delivery');
} catch (error) {
  log(`the projector cannot start: ${describeStartupFailure(error)}`);
  await started.database?.stop();
  process.exit(1);
}
