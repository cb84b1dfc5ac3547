import { Module } from '@nestjs/common';
import { StreamTickets1764190100000 } from './migrations/1764190100000-stream-tickets.js';
import { AppConfig } from '../../config/app-config.js';
import { LIVE_SETTINGS, type LiveSettings } from './live-settings.js';
import { LiveLog } from './live-log.js';
import { EventsLiveController } from './events-live.controller.js';
import { LiveController } from './live.controller.js';
import { StreamTickets } from './stream-tickets.js';

/** Live streams of the log for frontends and tools (server-sent events), and their tickets. */
@Module({
  controllers: [LiveController, EventsLiveController],
  providers: [
    LiveLog,
    StreamTickets,
    {
      provide: LIVE_SETTINGS,
      inject: [AppConfig],
      useFactory: (config: AppConfig): LiveSettings => ({ heartbeatMs: config.LIVE_HEARTBEAT_MS, stallMs: config.LIVE_STALL_TIMEOUT_MS }),
    },
  ],
})
export class LiveModule {
  /** The migrations of its tables, run at start with the kernel's (see src/database/module-migrations.ts). */
  static readonly migrations = [StreamTickets1764190100000];
}
