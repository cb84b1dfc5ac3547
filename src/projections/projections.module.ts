import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { CheckpointStore } from './checkpoint-store.js';
import { ProjectionRunner } from './projection-runner.js';

/**
 * The read side's engine. A domain module registers a projection by listing its @ProjectionProvider()
 * class in its `providers`; its GETs mark the read models they use with @UsesReadModels(...names)
 * (HTTP's read-model guard honours the mark; the admin routes live in http/admin/).
 */
@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [CheckpointStore, ProjectionRunner],
  exports: [ProjectionRunner],
})
export class ProjectionsModule {}
