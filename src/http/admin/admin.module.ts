import { Module } from '@nestjs/common';
import { EventLogController } from './event-log.controller.js';
import { ProjectionsController } from './projections.controller.js';

/** The admin routes over the kernel: the raw event log, projection status and rebuilds. */
@Module({
  controllers: [EventLogController, ProjectionsController],
})
export class AdminModule {}
