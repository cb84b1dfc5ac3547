import { Global, Module } from '@nestjs/common';
import { CommandRunner } from './command-runner.js';
import { EventStore } from './event-store.js';
import { SnapshotStore } from './snapshot-store.js';

@Global()
@Module({
  providers: [EventStore, SnapshotStore, CommandRunner],
  exports: [EventStore, SnapshotStore, CommandRunner],
})
export class EventStoreModule {}
