import { SetMetadata } from '@nestjs/common';
import type { CommandContext } from '../event-store/command-runner.js';

/** A command a module wants run at `dueAt` (see Timers.schedule). */
export interface TimerRequest<P = unknown> {
  /** Makes scheduling idempotent: a second request with the same id changes nothing (see effectId). */
  readonly id: string;
  /** The TimerHandler that fires it. */
  readonly name: string;
  readonly dueAt: Date;
  /** Plain JSON: what the handler needs to build its command. */
  readonly payload: P;
  /** Carried into the fired command's events (e.g. the correlation id of the event that scheduled it). */
  readonly correlationId?: string;
}

export interface TimerContext {
  /** The timer's id. */
  readonly id: string;
  readonly dueAt: Date;
  /** When it fires, by the injected clock: what the command should record as its time. */
  readonly now: Date;
  /**
   * The context to run the timer's one command with: actor `system`, and an `inTransaction` that marks
   * the timer fired in the append's transaction (refusing the append if another instance fired it).
   */
  readonly command: CommandContext;
}

/**
 * What runs a module's timers of one `name` when they fall due: it dispatches one command with
 * `ctx.command`. If the command appends, the timer is marked fired with its events, atomically; if it
 * appends nothing (there was nothing left to do), the timer is marked fired when `fire` returns. A
 * `fire` that throws is retried with backoff.
 */
export interface TimerHandler<P = unknown> {
  readonly name: string;
  fire(payload: P, ctx: TimerContext): Promise<void>;
}

export const TIMER_HANDLER = 'eventshop:timer-handler';

/** Marks a provider class implementing TimerHandler: the timer firer discovers it. */
export const TimerProvider = (): ClassDecorator => SetMetadata(TIMER_HANDLER, true);
