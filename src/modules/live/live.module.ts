import { Module } from '@nestjs/common';
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
export class LiveModule {}
