import { EventStore1764130000000 } from './1764130000000-event-store.js';

/** Every migration, oldest first. Run at start-up; the schema never comes from `synchronize`. */
export const migrations = [EventStore1764130000000];
