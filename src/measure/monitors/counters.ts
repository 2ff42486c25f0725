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
  const touched = new Set<string>();
  for (const e of events) {
    const id = keyId(e);
    if (!touched.has(id)) {
      const prev = out[id];
      out[id] = prev
        ? { key: prev.key, buckets: Object.fromEntries(Object.entries(prev.buckets).map(([b, c]) => [b, { ...c }])) }
        : { key: { action: e.action, placement: e.placement, segment: e.segment }, buckets: {} };
      touched.add(id);
    }
    const start = String(Math.floor(e.at / bucketMs) * bucketMs);
    const c = (out[id].buckets[start] ??= emptyCounts());
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
  return { key: s.key, buckets: Object.fromEntries(Object.entries(s.buckets).filter(([t]) => Number(t) >= from)) };
}
