/** A few facts from a Prometheus text exposition: counters summed over their labels. */

export interface ParsedCounter {
  name: string;
  help: string;
  value: number;
  series: number;
}

export function looksLikePrometheus(contentType: string, body: string): boolean {
  return /^text\/plain/i.test(contentType) && /^# (TYPE|HELP) /m.test(body);
}

/**
 * Counters (TYPE counter) summed over all their label sets, in the order they appear; process_*
 * and nodejs_* runtime metrics are skipped so the collector's own counters come first.
 */
export function parsePrometheusCounters(body: string, max = 20): ParsedCounter[] {
  const types = new Map<string, string>();
  const helps = new Map<string, string>();
  const counters = new Map<string, ParsedCounter>();
  for (const raw of body.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const meta = /^# (TYPE|HELP) (\S+)(?: (.*))?$/.exec(line);
    if (meta) {
      if (meta[1] === 'TYPE') types.set(meta[2]!, (meta[3] ?? '').trim());
      else helps.set(meta[2]!, meta[3] ?? '');
      continue;
    }
    if (line.startsWith('#')) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?\s+(\S+)/.exec(line);
    if (!sample) continue;
    const name = sample[1]!;
    const family = types.has(name) ? name : name.replace(/_total$/, '');
    if (types.get(family) !== 'counter' && types.get(name) !== 'counter') continue;
    if (/(^|_)(process|nodejs)_/.test(name)) continue;
    const value = Number(sample[3]);
    if (!Number.isFinite(value)) continue;
    const existing = counters.get(name);
    if (existing) {
      existing.value += value;
      existing.series++;
    } else {
      if (counters.size >= max) continue;
      counters.set(name, { name, help: helps.get(family) ?? helps.get(name) ?? '', value, series: 1 });
    }
  }
  return [...counters.values()];
}
