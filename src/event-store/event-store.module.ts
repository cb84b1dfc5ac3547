import { Global, Module } from '@nestjs/common';
import { CommandRunner } from './command-runner.js';
import { EventLogController } from './event-log.controller.js';
import { EventStore } from './event-store.js';

@Global()
@Module({
  controllers: [EventLogController],
  providers: [EventStore, CommandRunner],
  exports: [EventStore, CommandRunner],
})
export class EventStoreModule {}
