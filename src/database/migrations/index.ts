import { EventStore1764130000000 } from './1764130000000-event-store.js';
import { Projections1764150000000 } from './1764150000000-projections.js';
import { NotifyOutsideAppends1764160000000 } from './1764160000000-notify-outside-appends.js';
import { AdvanceCheckpointFunction1764170000000 } from './1764170000000-advance-checkpoint-function.js';
import { AnnounceAppends1764180000000 } from './1764180000000-announce-appends.js';
import { ReactionsAndTimers1764210000000 } from './1764210000000-reactions-and-timers.js';
import { StreamSnapshots1796061895534 } from './1796061895534-stream-snapshots.js';

/**
 * The kernel's migrations, oldest first; each domain module brings those of its own tables (see
 * ../module-migrations.ts). Run at start-up; the schema never comes from `synchronize`.
 */
export const migrations = [
  EventStore1764130000000, Projections1764150000000, NotifyOutsideAppends1764160000000,
  AdvanceCheckpointFunction1764170000000, AnnounceAppends1764180000000,
  ReactionsAndTimers1764210000000,
  StreamSnapshots1796061895534,
];
