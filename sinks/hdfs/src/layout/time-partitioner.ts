/**
 * Hive-style time directories, `dt=YYYY-MM-DD/hour=HH`, in a configured time zone. Formatting a
 * date through Intl is slow, so results are cached per quarter hour: every time zone's offset is
 * a whole number of quarter hours, so all instants of one quarter hour share a directory.
 */
const QUARTER_HOUR_MS = 15 * 60 * 1000;
const CACHE_LIMIT = 4096;

export class TimePartitioner {
  readonly #format: Intl.DateTimeFormat;
  readonly #cache = new Map<number, string>();

  constructor(readonly timezone: string) {
    this.#format = new Intl.DateTimeFormat('en-CA', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      hourCycle: 'h23',
    });
  }

  /** The directory of an instant (epoch milliseconds), e.g. `dt=2026-11-25/hour=07`. */
  directory(timestampMs: number): string {
    const bucket = Math.floor(timestampMs / QUARTER_HOUR_MS);
    let dir = this.#cache.get(bucket);
    if (dir === undefined) {
      const parts: Record<string, string> = {};
      for (const part of this.#format.formatToParts(new Date(bucket * QUARTER_HOUR_MS))) parts[part.type] = part.value;
      dir = `dt=${parts.year}-${parts.month}-${parts.day}/hour=${parts.hour}`;
      if (this.#cache.size >= CACHE_LIMIT) this.#cache.clear();
      this.#cache.set(bucket, dir);
    }
    return dir;
  }
}

/** dt and hour back from a directory path, for Hive partition statements. */
export function parseTimeDirectory(path: string): { dt: string; hour: string } | null {
  const match = /dt=(\d{4}-\d{2}-\d{2})\/hour=(\d{2})/.exec(path);
  return match ? { dt: match[1]!, hour: match[2]! } : null;
}
