import type { DiscoveryService, Reflector } from '@nestjs/core';
import { REACTION_PROVIDER, type Reaction } from './reaction.js';
import { TIMER_HANDLER, type TimerHandler } from './timer.js';

/** Every provider marked @ReactionProvider(), checked. */
export function discoverReactions(discovery: DiscoveryService, reflector: Reflector): Reaction[] {
  return discoverMarked<Reaction>(discovery, reflector, REACTION_PROVIDER, 'reaction');
}

/** Every provider marked @TimerProvider(), checked. */
export function discoverTimerHandlers(discovery: DiscoveryService, reflector: Reflector): TimerHandler[] {
  return discoverMarked<TimerHandler>(discovery, reflector, TIMER_HANDLER, 'timer handler');
}

function discoverMarked<T extends { readonly name: string }>(discovery: DiscoveryService, reflector: Reflector, mark: string, what: string): T[] {
  const found = new Map<string, T>();
  for (const wrapper of discovery.getProviders()) {
    const { metatype, instance } = wrapper;
    if (typeof metatype !== 'function' || !reflector.get<boolean | undefined>(mark, metatype)) continue;
    if (!wrapper.isDependencyTreeStatic() || !instance) throw new Error(`${what} provider ${metatype.name} must be a singleton (not request- or transient-scoped)`);
    const { name } = instance as T;
    if (typeof name !== 'string' || !/^[a-z0-9][a-z0-9._-]{0,99}$/.test(name)) {
      throw new Error(`${what} ${metatype.name} needs a name of lower-case letters, digits, '.', '_' and '-' (at most 100)`);
    }
    if (found.has(name)) throw new Error(`two ${what}s are named ${name}: is a provider listed in two modules?`);
    found.set(name, instance as T);
  }
  return [...found.values()];
}
