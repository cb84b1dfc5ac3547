/** `SNAPSHOT_EVERY`'s syntax: a number for every stream type and/or `type=number` items, comma separated. */
export const SNAPSHOT_EVERY_PATTERN = /^\s*(\d+|[A-Za-z][\w-]*\s*=\s*\d+)(\s*,\s*(\d+|[A-Za-z][\w-]*\s*=\s*\d+))*\s*$/;

/**
 * How many events a stream may grow past its last snapshot before a new one is stored, per stream type
 * (0: never). `100,product=500,order=0`: every 100 events, products every 500, orders never.
 */
export class SnapshotSettings {
  private readonly byType: ReadonlyMap<string, number>;
  private readonly fallback: number;

  constructor(setting: string) {
    if (!SNAPSHOT_EVERY_PATTERN.test(setting)) throw new Error(`SNAPSHOT_EVERY: not a number or type=number list: ${setting}`);
    const items = setting.split(',').map((item) => item.trim());
    const byType = new Map<string, number>();
    let fallback = 0;
    for (const item of items) {
      const [type, every] = item.includes('=') ? item.split('=').map((part) => part.trim()) : [undefined, item];
      if (type === undefined) fallback = Number(every);
      else byType.set(type, Number(every));
    }
    this.byType = byType;
    this.fallback = fallback;
  }

  /** Events between snapshots of a stream of this type; 0: none. */
  every(streamType: string): number {
    return this.byType.get(streamType) ?? this.fallback;
  }
}
