import type { SseOptions } from './sse-writer.js';

export type LiveSettings = SseOptions;

export const LIVE_SETTINGS = Symbol('LiveSettings');
