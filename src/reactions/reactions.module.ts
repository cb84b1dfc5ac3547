import { Module, type DynamicModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { CLOCK, systemClock, type Clock } from './clock.js';
import { ReactionRunner } from './reaction-runner.js';
import { Timers } from './timers.js';

/**
 * Reactions and durable timers. A domain module lists its @ReactionProvider() and @TimerProvider()
 * classes in its `providers` and injects Timers to schedule; the runner finds them. `clock` is the time
 * timers go by (tests pass a ManualClock).
 */
@Module({})
export class ReactionsModule {
  static forRoot(clock: Clock = systemClock): DynamicModule {
    return {
      module: ReactionsModule,
      global: true,
      imports: [DiscoveryModule],
      providers: [{ provide: CLOCK, useValue: clock }, Timers, ReactionRunner],
      exports: [CLOCK, Timers, ReactionRunner],
    };
  }
}
