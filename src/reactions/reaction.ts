import { SetMetadata } from '@nestjs/common';
import { v5 as uuidv5 } from 'uuid';
import type { NewEvent, StoredEvent } from '../event-store/event.js';

/** One handler per event type the reaction cares about, each given its event with typed `data`. */
export type ReactionHandlers<E extends NewEvent> = {
  readonly [T in E['type']]?: (event: StoredEvent<Extract<E, { type: T }>>) => Promise<void>;
};

/**
 * Something a module does when events happen: dispatch a command, schedule a timer, call out. The
 * kernel feeds it every event of the log in log order, from its own checkpoint, on one instance at a
 * time. At least once: the checkpoint moves after the effects, so after a crash or a failure an event
 * may be handled again. Each effect must therefore be idempotent, e.g. keyed by `effectId(event, ...)`.
 */
export interface Reaction<E extends NewEvent = NewEvent> {
  /** Stable name: the checkpoint's key and the advisory lock's. Renaming it starts over from the log's beginning. */
  readonly name: string;
  readonly handlers: ReactionHandlers<E>;
}

export const REACTION_PROVIDER = 'eventshop:reaction';

/** Marks a provider class implementing Reaction: the reaction runner discovers and runs it. */
export const ReactionProvider = (): ClassDecorator => SetMetadata(REACTION_PROVIDER, true);

/** The namespace of effect ids (UUID v5): a fixed, random UUID. */
const EFFECT_NAMESPACE = 'a4d5b1f2-6c1e-4f0b-9a57-3c2e8d7b9e41';

/**
 * A stable id for the effect `effect` of `event`: the same on every delivery of the event, so that an
 * effect keyed by it (a timer's id, a command's id) happens once however often the event is handled.
 */
export function effectId(event: Pick<StoredEvent, 'eventId'>, effect: string): string {
  return uuidv5(`${effect}:${event.eventId}`, EFFECT_NAMESPACE);
}
