/**
 * Streaming counters per key (action, placement, segment) over fixed time buckets. The state
 * is plain JSON so a store can persist it between steps; functions return new state.
 */

/** Where a metric is measured. */
export interface MonitorKey {
  action: string;
  placement: string;
  segment: string;
}

/** One thing that happened: an exposure (a decision shown), a response, or a negative outcome. */
export interface MonitorEvent extends MonitorKey {
  /** Epoch milliseconds. */
  at: number;
  type: 'exposure' | 'response' | 'negative';
  /** For exposures: the rate model's predicted response probability, for the calibration check. */
  predicted?: number;
}

/** Counts in one time bucket. */
export interface BucketCounts {
  exposures: number;
  responses: number;
  negatives: number;
  /** Σ predicted and Σ predicted² over exposures that carried a prediction. */
  predicted: number;
  predictedSq: number;
  predictedExposures: number;
}

export interface SeriesState {
  key: MonitorKey;
  /** Bucket start (epoch ms, as a string key) → counts. */
  buckets: Record<string, BucketCounts>;
}

/**
 * Stable string id of a key.
 * @example keyId({ action: 'promo-7', placement: 'email', segment: 'vip' }) // 'promo-7|email|vip'
 */
export function keyId(k: MonitorKey): string {
  return `${k.action}|${k.placement}|${k.segment}`;
}

export function emptyCounts(): BucketCounts {
  return { exposures: 0, responses: 0, negatives: 0, predicted: 0, predictedSq: 0, predictedExposures: 0 };
}

/**
 * Adds events to a copy of the series map (the input is not modified). Responses and negatives
 * count in the bucket of their own time.
 * @example addEvents({}, [{ at: 0, type: 'exposure', action: 'a', placement: 'p', segment: 's' }], 3_600_000)
 */
export function addEvents(series: Readonly<Record<string, SeriesState>>, events: readonly MonitorEvent[], bucketMs: number): Record<string, SeriesState> {
  const out: Record<string, SeriesState> = { ...series };
  // Copy on write: a touched key gets a new buckets record, and a bucket is copied the first time
  // an event lands in it; the others stay the input's own objects (stateDiff skips them by identity).
  const copied = new Map<string, Set<string>>();
  for (const e of events) {
    const id = keyId(e);
    let mine = copied.get(id);
    if (!mine) {
      const prev = out[id];
      out[id] = prev ? { key: prev.key, buckets: { ...prev.buckets } } : { key: { action: e.action, placement: e.placement, segment: e.segment }, buckets: {} };
      copied.set(id, (mine = new Set()));
    }
    const start = String(Math.floor(e.at / bucketMs) * bucketMs);
    const buckets = out[id].buckets;
    if (!mine.has(start)) {
      mine.add(start);
      buckets[start] = buckets[start] ? { ...buckets[start] } : emptyCounts();
    }
    const c = buckets[start];
    if (e.type === 'exposure') {
      c.exposures++;
      if (e.predicted !== undefined) {
        c.predicted += e.predicted;
        c.predictedSq += e.predicted * e.predicted;
        c.predictedExposures++;
      }
    } else if (e.type === 'response') c.responses++;
    else c.negatives++;
  }
  return out;
}

/**
 * Sums the buckets whose start lies in [from, to).
 * @example windowCounts(series, now - 3_600_000, now + 1)
 */
export function windowCounts(s: SeriesState, from: number, to: number): BucketCounts {
  const total = emptyCounts();
  for (const [start, c] of Object.entries(s.buckets)) {
    const t = Number(start);
    if (t < from || t >= to) continue;
    addCounts(total, c);
  }
  return total;
}

/**
 * Adds one bucket's counts into another (in place).
 * @example addCounts(total, bucket)
 */
export function addCounts(into: BucketCounts, c: Readonly<BucketCounts>): void {
  into.exposures += c.exposures;
  into.responses += c.responses;
  into.negatives += c.negatives;
  into.predicted += c.predicted;
  into.predictedSq += c.predictedSq;
  into.predictedExposures += c.predictedExposures;
}

/**
 * Drops buckets that start before `from` (retention of the baseline window).
 * @example pruneBuckets(series, now - 8 * 86_400_000)
 */
export function pruneBuckets(s: SeriesState, from: number): SeriesState {
  if (!Object.keys(s.buckets).some((t) => Number(t) < from)) return s;
  return { key: s.key, buckets: Object.fromEntries(Object.entries(s.buckets).filter(([t]) => Number(t) >= from)) };
}

/**
 * In one pass over a key's buckets: the current window's counts [curFrom, to), the baseline's
 * [baseFrom, curFrom), and the start of its first bucket (the key's age).
 * @example windowSums(series, now - 7 * 86_400_000 - 3_600_000, now - 3_600_000, now + 1)
 */
export function windowSums(s: SeriesState, baseFrom: number, curFrom: number, to: number): { cur: BucketCounts; base: BucketCounts; first: number } {
  const cur = emptyCounts();
  const base = emptyCounts();
  let first = Infinity;
  for (const start in s.buckets) {
    const t = Number(start);
    if (t < first) first = t;
    if (t >= curFrom && t < to) addCounts(cur, s.buckets[start]);
    else if (t >= baseFrom && t < curFrom) addCounts(base, s.buckets[start]);
  }
  return { cur, base, first };
}
