/** The server's main-thread garbage-collection pauses as `/metrics` counts them (prom-client's `nodejs_gc_duration_seconds`), by kind. */
export type GcCounts = Record<string, { count: number; ms: number }>;

/** Parses the pause counts and sums, per kind (minor, major, incremental, weakcb), from the Prometheus text. */
export function parseGcCounts(text: string): GcCounts {
  const out: GcCounts = {};
  for (const m of text.matchAll(/^tact_nodejs_gc_duration_seconds_(count|sum)\{kind="([^"]+)"\} ([0-9.e+-]+)/gm)) {
    const k = (out[m[2]] ??= { count: 0, ms: 0 });
    if (m[1] === 'count') k.count = Number(m[3]);
    else k.ms = Number(m[3]) * 1000;
  }
  return out;
}

/** Reads the server's pause counts now. */
export async function gcCounts(base: string): Promise<GcCounts> {
  return parseGcCounts(await (await fetch(`${base}/metrics`)).text());
}

/** What the main thread stood still for between two readings: young (minor) collections, and every kind together. */
export interface GcSummary {
  minorCount: number;
  minorMs: number;
  /** All kinds: minor, major, incremental marking steps, weak callbacks. */
  totalMs: number;
}

/**
 * Pauses between `before` and `after`.
 *
 * @example
 * const g = gcSummary(await gcCounts(base), await gcCounts(base)); // g.totalMs === 0
 */
export function gcSummary(before: GcCounts, after: GcCounts): GcSummary {
  const d = (kind: string, f: 'count' | 'ms') => (after[kind]?.[f] ?? 0) - (before[kind]?.[f] ?? 0);
  const totalMs = Object.keys(after).reduce((s, k) => s + d(k, 'ms'), 0);
  return { minorCount: d('minor', 'count'), minorMs: d('minor', 'ms'), totalMs };
}
