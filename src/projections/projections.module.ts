import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR, DiscoveryModule } from '@nestjs/core';
import { CheckpointStore } from './checkpoint-store.js';
import { ProjectionRunner } from './projection-runner.js';
import { ProjectionsController } from './projections.controller.js';
import { ReadModelInterceptor } from './read-model.interceptor.js';

/**
 * The read side's engine. A domain module registers a projection by listing its @ProjectionProvider()
 * class in its `providers`; its GETs mark the read models they use with @UsesReadModels(...names).
 */
@Global()
@Module({
  imports: [DiscoveryModule],
  controllers: [ProjectionsController],
  providers: [CheckpointStore, ProjectionRunner, { provide: APP_INTERCEPTOR, useClass: ReadModelInterceptor }],
  exports: [ProjectionRunner],
})
export class ProjectionsModule {}
