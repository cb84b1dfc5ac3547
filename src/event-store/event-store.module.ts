import { Global, Module } from '@nestjs/common';
import { CommandRunner } from './command-runner.js';
import { EventStore } from './event-store.js';

@Global()
@Module({
  providers: [EventStore, CommandRunner],
  exports: [EventStore, CommandRunner],
})
export class EventStoreModule {}
