/**
 * The monitor step: state in, events in → state and alerts out. Per key (action, placement,
 * segment) it watches volume, response rate and negative-outcome rate (unsubscribes, complaints,
 * dismissals), each against the key's own baseline, and the calibration of the rate model (responses
 * against its predictions).
 * An alert fires only with enough evidence, a tiny predictive p-value AND a material change
 * (no alert storms on thin data or on trivial shifts); it resolves only when the metric is back
 * inside a much looser band (hysteresis) of the baseline it opened against (kept with its track, so
 * the incident never becomes its own baseline); the time it was open stays out of that metric's
 * later baselines (incidents.ts), and within a cool-down of its last opening a relapse
 * reopens the same alert instead of firing a new one. A window too thin to judge (a rate under
 * `minTrials` exposures — none at all included —, calibration under `minExpectedForCalibration`
 * predicted responses) neither fires nor resolves: an alert keeps its state.
 */
import { type CheckResult, calibrationCheck, rateCheck, rateEvidence, volumeCheck } from './checks.js';
import { addEvents, type BucketCounts, keyId, type MonitorEvent, type MonitorKey, pruneBuckets, type SeriesState, windowSums } from './counters.js';
import { addIncident, cleanBaseline, type IncidentPeriod } from './incidents.js';

export type MonitorMetric = 'volume' | 'response-rate' | 'negative-rate' | 'calibration';

export interface MonitorConfig {
  bucketMs: number;
  currentWindowMs: number;
  baselineWindowMs: number;
  /**
   * The false-alarm probability spent on one current window, per key, metric and direction: each
   * check fires at p < alpha × checkIntervalMs / currentWindowMs ({@link checkAlpha}), so the checks
   * of one window — every one of them over the same, overlapping data — are one test (Bonferroni).
   * Until 2026-12-06 each check fired at alpha itself: checked every 10 s over a sliding hour, a
   * steady key raised ~0.1–0.3 chance alerts a metric a day (src/measure/monitors/false-alarms.test.ts).
   */
  alpha: number;
  /** How often a key is checked (the server's `monitors.interval`): the checks alpha is spread over. */
  checkIntervalMs: number;
  /** The alert resolves once the p-value in its direction is back above this (hysteresis). */
  clearAlpha: number;
  cooldownMs: number;
  /** Minimum relative change from the expected center (0.5: ×1.5 up or ×0.5 down). */
  minRelativeChange: number;
  minTrials: number;
  minBaselineTrials: number;
  /** Minimum events in the current window before a rate may alert high. */
  minEvents: number;
  minBaselineVolume: number;
  minExpectedForCalibration: number;
  metrics: MonitorMetric[];
}

export const DEFAULT_MONITOR_CONFIG: MonitorConfig = {
  bucketMs: 5 * 60_000,
  currentWindowMs: 60 * 60_000,
  baselineWindowMs: 7 * 24 * 60 * 60_000,
  alpha: 0.001,
  checkIntervalMs: 10_000,
  clearAlpha: 0.05,
  cooldownMs: 6 * 60 * 60_000,
  minRelativeChange: 0.5,
  minTrials: 100,
  minBaselineTrials: 500,
  minEvents: 5,
  minBaselineVolume: 50,
  minExpectedForCalibration: 20,
  metrics: ['volume', 'response-rate', 'negative-rate', 'calibration'],
};

/**
 * The p-value one check fires at: `alpha` spread evenly over the checks of one current window
 * (at the defaults 0.001 × 10 s / 1 h ≈ 2.8e-6), so that a steady key raises a chance alert in a
 * window with probability at most `alpha` a direction (Bonferroni).
 * @example checkAlpha({ ...DEFAULT_MONITOR_CONFIG }) // 0.001 / 360
 */
export function checkAlpha(c: Pick<MonitorConfig, 'alpha' | 'checkIntervalMs' | 'currentWindowMs'>): number {
  return c.alpha * Math.min(1, c.checkIntervalMs / c.currentWindowMs);
}

export interface AlertTrack {
  active: boolean;
  direction?: 'high' | 'low';
  /** When the alert fired: with the key and metric, its id (kept once it resolves, so a relapse reopens that alert). */
  firedAt?: number;
  /** When it last opened (fired or reopened): the cool-down runs from here. */
  lastFiredAt?: number;
  /**
   * While it is open: the baseline it opened against (its counts, and how much history they span),
   * frozen at the opening. An open alert is judged against this band, not the window just before the
   * current one — that window soon holds the incident itself, and an alert judged against its own
   * surge "recovered" while the rate was still far above the band it fired at. A track stored
   * before 2026-12-06 has none: it is judged against the moving baseline, as then. Once it resolves,
   * it is kept while `incidents` are within reach: it stands in for a baseline left too thin to judge
   * against once they are taken out (see `enoughBaseline`).
   */
  baseline?: FrozenBaseline;
  /**
   * While it is open: the start of the current window it (last) opened on. At its resolution the
   * period from there to the end of that step's bucket joins `incidents`.
   */
  incidentFrom?: number;
  /**
   * The periods this metric was in alert, still within the baseline's reach: their buckets are left
   * out of its later baselines (src/measure/monitors/incidents.ts). Until 2026-12-06 they were not,
   * and the normal level after a spike read "low" against a baseline holding the spike.
   */
  incidents?: IncidentPeriod[];
}

/** A baseline as an alert opened against it. */
export interface FrozenBaseline {
  counts: BucketCounts;
  /** The history it spans (ms): the volume check scales it to the current window's span. */
  spanMs: number;
}

/**
 * The smallest p-value an alert reports: a tail below it (an extreme surge's underflows a double to 0)
 * is reported as this bound — "at most 1e-300" — never as an impossible 0.
 * @example Math.max(1e-320, P_VALUE_FLOOR) // 1e-300
 */
export const P_VALUE_FLOOR = 1e-300;

export interface MonitorState {
  series: Record<string, SeriesState>;
  /** `${keyId}#${metric}` → alert track. */
  tracks: Record<string, AlertTrack>;
}

export interface MonitorAlert {
  /** Stable id: key, metric and the time the alert fired (a reopening carries the id of the alert it reopens). */
  id: string;
  /** `reopened`: a relapse within the cool-down of the alert's last opening, which opens that alert again. */
  status: 'firing' | 'resolved' | 'reopened';
  key: MonitorKey;
  metric: MonitorMetric;
  direction: 'high' | 'low';
  observed: number;
  expected: { low: number; high: number; center: number };
  pValue: number;
  evidence: { current: Omit<BucketCounts, 'predictedSq'>; baseline: Omit<BucketCounts, 'predictedSq'> };
  /** The current window; the decision log can list example decisions from it. */
  window: { from: number; to: number };
  at: number;
  message: string;
}

/** An empty state. */
export function initialMonitorState(): MonitorState {
  return { series: {}, tracks: {} };
}

/**
 * One step of the monitor.
 * @example
 * const { state, alerts } = monitorStep(initialMonitorState(), events, Date.now());
 * alerts.filter((a) => a.status === 'firing') // deliver by webhook, list through the API
 */
export function monitorStep(state: MonitorState, events: readonly MonitorEvent[], now: number, config: Partial<MonitorConfig> = {}): { state: MonitorState; alerts: MonitorAlert[] } {
  const merged = { ...DEFAULT_MONITOR_CONFIG, ...config };
  // From here on `alpha` is what one check fires at (the band's bounds too).
  const c = { ...merged, alpha: checkAlpha(merged) };
  const curFrom = now - c.currentWindowMs;
  const baseFrom = curFrom - c.baselineWindowMs;
  const added = addEvents(state.series, events, c.bucketMs);
  const series: Record<string, SeriesState> = {};
  for (const [id, s] of Object.entries(added)) series[id] = pruneBuckets(s, baseFrom - c.bucketMs);
  const tracks: Record<string, AlertTrack> = { ...state.tracks };
  const alerts: MonitorAlert[] = [];
  // Buckets are counted whole: the current window runs from the first bucket wholly inside it, the
  // baseline up to that bucket; the bucket that straddles the window's start belongs to the baseline.
  const curStart = Math.ceil(curFrom / c.bucketMs) * c.bucketMs;
  const baseStart = Math.ceil(baseFrom / c.bucketMs) * c.bucketMs;
  // The bucket a resolving step falls in ends its incident period.
  const stepBucketEnd = Math.floor(now / c.bucketMs) * c.bucketMs + c.bucketMs;
  for (const [id, s] of Object.entries(series)) {
    const { cur, base: whole, first } = windowSums(s, baseStart, curStart, now + 1);
    const wholeSpanMs = Math.max(0, curStart - Math.max(baseStart, first));
    for (const metric of c.metrics) {
      const trackId = `${id}#${metric}`;
      const t = tracks[trackId] ?? { active: false };
      // The metric's own baseline leaves out the periods it was in alert (see AlertTrack.incidents).
      const incidents = t.incidents?.filter((p) => p.to > baseStart) ?? [];
      const clean = incidents.length ? cleanBaseline(s, baseStart, curStart, Math.max(baseStart, first), incidents) : undefined;
      // Too thin without them to judge against, the baseline the last alert opened against stands in.
      const stand = clean && !t.active && t.baseline && !enoughBaseline(metric, clean, c) ? t.baseline : undefined;
      const moving = stand?.counts ?? clean?.counts ?? whole;
      const movingSpanMs = stand?.spanMs ?? clean?.spanMs ?? wholeSpanMs;
      // An open alert is judged against the baseline it opened against (see AlertTrack.baseline).
      const frozen = t.active ? t.baseline : undefined;
      const base = frozen?.counts ?? moving;
      const windows = baselineWindows(frozen?.spanMs ?? movingSpanMs, curStart, now, c);
      const check = runCheck(metric, cur, base, c, windows, t.active);
      if (!check) continue;
      const high = check.pHigh < c.alpha && check.observed >= check.expected.center * (1 + c.minRelativeChange) && eventsOk(metric, cur, c);
      const low = metric !== 'negative-rate' && check.pLow < c.alpha && check.observed <= check.expected.center * (1 - c.minRelativeChange);
      const alert = (status: MonitorAlert['status'], direction: 'high' | 'low', firedAt: number): MonitorAlert => ({
        id: `${id}#${metric}@${firedAt}`,
        status,
        key: s.key,
        metric,
        direction,
        observed: check.observed,
        expected: check.expected,
        pValue: Math.max(direction === 'high' ? check.pHigh : check.pLow, P_VALUE_FLOOR),
        evidence: { current: strip(cur), baseline: strip(base) },
        window: { from: curStart, to: now },
        at: now,
        message: describe(status, s.key, metric, direction, check, cur, now + 1 - curStart),
      });
      if (!t.active && check.enoughEvidence && (high || low)) {
        const direction = high ? 'high' : 'low';
        const baseline: FrozenBaseline = { counts: { ...moving }, spanMs: movingSpanMs };
        const kept = incidents.length ? { incidents } : {};
        if (t.lastFiredAt === undefined || now - t.lastFiredAt >= c.cooldownMs) {
          tracks[trackId] = { active: true, direction, firedAt: now, lastFiredAt: now, baseline, incidentFrom: curStart, ...kept };
          alerts.push(alert('firing', direction, now));
        } else {
          // A relapse within the cool-down: the alert it follows opens again (one notice, no new
          // alert). A track resolved before firedAt was kept has it equal to lastFiredAt.
          const firedAt = t.firedAt ?? t.lastFiredAt;
          tracks[trackId] = { active: true, direction, firedAt, lastFiredAt: now, baseline, incidentFrom: curStart, ...kept };
          alerts.push(alert('reopened', direction, firedAt));
        }
      } else if (t.active && t.direction) {
        const p = t.direction === 'high' ? check.pHigh : check.pLow;
        if (p > c.clearAlpha) {
          tracks[trackId] = closedTrack(t, stepBucketEnd, baseStart);
          alerts.push(alert('resolved', t.direction, t.firedAt ?? now));
        }
      }
    }
  }
  return { state: { series, tracks }, alerts };
}

/**
 * An alert's track once it is no longer open (resolved, or closed because nothing watches it): its
 * firing and last opening are kept (a relapse within the cool-down reopens it), and the period it was
 * open — to `to`, bucket-aligned — joins its incident periods, those ended before `keepFrom` dropped.
 * @example closedTrack({ active: true, direction: 'high', firedAt: 5, lastFiredAt: 5, incidentFrom: 0 }, 600_000, 0)
 * // { active: false, firedAt: 5, lastFiredAt: 5, incidents: [{ from: 0, to: 600_000 }] }
 */
export function closedTrack(t: AlertTrack, to: number, keepFrom: number): AlertTrack {
  const incidents = t.incidentFrom === undefined ? (t.incidents ?? []).filter((p) => p.to > keepFrom) : addIncident(t.incidents ?? [], { from: t.incidentFrom, to }, keepFrom);
  return { active: false, firedAt: t.firedAt, lastFiredAt: t.lastFiredAt, ...(incidents.length ? { incidents, ...(t.baseline ? { baseline: t.baseline } : {}) } : {}) };
}

/**
 * Whether a baseline without the incident periods still has the evidence to judge against: a rate's
 * `minBaselineTrials` exposures; for volume, a whole current window of history and
 * `minBaselineVolume` exposures. (A 2-minute spike left out of a 5-minute baseline leaves too
 * little; a week's baseline without an hour's incident is plenty.)
 */
function enoughBaseline(metric: MonitorMetric, b: FrozenBaseline, c: MonitorConfig): boolean {
  if (metric === 'volume') return b.spanMs >= c.currentWindowMs && b.counts.exposures >= c.minBaselineVolume;
  return metric === 'calibration' || b.counts.exposures >= c.minBaselineTrials;
}

/**
 * The incident periods of a track, with the open one (to Infinity) of an alert still open.
 * @example incidentPeriods({ active: true, incidentFrom: 0, incidents: [] }) // [{ from: 0, to: Infinity }]
 */
export function incidentPeriods(t: AlertTrack): IncidentPeriod[] {
  const periods = t.incidents ?? [];
  return t.active && t.incidentFrom !== undefined ? [...periods, { from: t.incidentFrom, to: Infinity }] : periods;
}

/**
 * How many times the current window's span (its whole buckets so far) fits in the baseline the key
 * really has (`baseline` ms of history): a key first seen two hours ago has two hours of baseline,
 * not the configured week (else its volume would look like a surge); none below one configured
 * window of history.
 */
function baselineWindows(baseline: number, curStart: number, now: number, c: MonitorConfig): number {
  // Less than one configured window of history: none (no baseline to judge volume against yet).
  return baseline >= c.currentWindowMs ? baseline / (now + 1 - curStart) : 0;
}

/**
 * The check of one metric, or null when it cannot matter: a rate on thin evidence can neither fire
 * nor resolve — and its band is the costly part of a step (its predictive distribution spreads over
 * every count up to the window's trials when the baseline is empty). An active alert needs the
 * current window's evidence to resolve (an hour without exposures has p = 1 both ways, which is no
 * sign of recovery): `minTrials` exposures for a rate (its baseline was enough when it fired),
 * `minExpectedForCalibration` predicted responses for calibration.
 */
function runCheck(metric: MonitorMetric, cur: BucketCounts, base: BucketCounts, c: MonitorConfig, windows: number, active: boolean): CheckResult | null {
  const evidence = { minTrials: c.minTrials, minBaselineTrials: c.minBaselineTrials };
  if ((metric === 'response-rate' || metric === 'negative-rate') && (active ? cur.exposures < c.minTrials : !rateEvidence(cur.exposures, base.exposures, evidence))) return null;
  switch (metric) {
    case 'volume':
      // Less than one window of history: no baseline to judge volume against yet.
      if (windows < 1) return null;
      return volumeCheck(cur.exposures, base.exposures, windows, c.alpha, c.minBaselineVolume);
    case 'response-rate':
      return rateCheck({ events: cur.responses, trials: cur.exposures }, { events: base.responses, trials: base.exposures }, c.alpha, evidence);
    case 'negative-rate':
      return rateCheck({ events: cur.negatives, trials: cur.exposures }, { events: base.negatives, trials: base.exposures }, c.alpha, evidence);
    case 'calibration': {
      // Only meaningful when (almost) every exposure carried a prediction. Responses are not told
      // apart by whether their exposure carried one (a held choice's stand-in shows this action with
      // no prediction of its own), so like is compared with like by counting each exposure without a
      // prediction at the mean of the predicted ones: Σp̂ and Σp̂² scaled by exposures / predicted
      // exposures. Unscaled, 5% of exposures without one read the model 5% low.
      if (cur.exposures === 0 || cur.predictedExposures < 0.95 * cur.exposures) return null;
      const scale = cur.exposures / cur.predictedExposures;
      const check = calibrationCheck(cur.responses, cur.predicted * scale, cur.predictedSq * scale, c.alpha, c.minExpectedForCalibration);
      return active && !check.enoughEvidence ? null : check;
    }
  }
}

function eventsOk(metric: MonitorMetric, cur: BucketCounts, c: MonitorConfig): boolean {
  if (metric === 'response-rate') return cur.responses >= c.minEvents;
  if (metric === 'negative-rate') return cur.negatives >= c.minEvents;
  return true;
}

function strip(b: BucketCounts): Omit<BucketCounts, 'predictedSq'> {
  return { exposures: b.exposures, responses: b.responses, negatives: b.negatives, predicted: b.predicted, predictedExposures: b.predictedExposures };
}

const LABEL: Record<MonitorMetric, string> = {
  volume: 'Volume',
  'response-rate': 'Response rate',
  'negative-rate': 'Negative-outcome rate (unsubscribes, complaints, dismissals)',
  calibration: 'Observed responses against the rate model',
};

/**
 * The current window's span in words: seconds under a minute (a `currentWindow` of seconds, or
 * its first buckets — until 2026-12-05 any span under a minute read "the last minute"), else
 * minutes, or hours when whole.
 *
 * @example
 * spanWords(4_060); // "4 seconds"
 */
export function spanWords(spanMs: number): string {
  if (spanMs < 59_500) {
    const seconds = Math.max(1, Math.round(spanMs / 1000));
    return seconds === 1 ? 'second' : `${seconds} seconds`;
  }
  const minutes = Math.round(spanMs / 60_000);
  return minutes === 1 ? 'minute' : minutes % 60 === 0 && minutes > 60 ? `${minutes / 60} hours` : `${minutes} minutes`;
}

/** The alert's sentence; `spanMs` is what the current window counted (its whole buckets so far), not the configured window. */
function describe(status: string, k: MonitorKey, metric: MonitorMetric, direction: string, r: CheckResult, cur: BucketCounts, spanMs: number): string {
  const rate = metric.endsWith('-rate');
  const f = (x: number) => (rate ? `${(x * 100).toFixed(2)}%` : x.toFixed(metric === 'calibration' ? 1 : 0));
  const where = `action "${k.action}" in placement "${k.placement}", segment "${k.segment}"`;
  const span = spanWords(spanMs);
  const source = metric === 'calibration' ? `the rate model's predictions (their sum, ${f(r.expected.center)})` : 'its own baseline';
  // The band of a resolution is the one it opened against: the baseline as it was at the opening.
  if (status === 'resolved') return `${LABEL[metric]} for ${where} ${resolvedWords(direction, r)}: ${f(r.observed)} over the last ${span} (${cur.exposures} exposures), expected ${f(r.expected.low)}–${f(r.expected.high)} from ${metric === 'calibration' ? source : 'its baseline before the alert'}.`;
  return `${LABEL[metric]} for ${where} is ${direction === 'high' ? 'above' : 'below'} its expected band: ${f(r.observed)} over the last ${span} (${cur.exposures} exposures), expected ${f(r.expected.low)}–${f(r.expected.high)} from ${source}.`;
}

/**
 * How a resolution reads: back within the band, or — a value past its other side — no longer on the
 * alert's side but on the other (until 2026-12-08 a volume fallen to 0 after a spike resolved "back
 * within its expected band"; the other side raises its own alert).
 */
function resolvedWords(direction: string, r: CheckResult): string {
  const past = r.observed < r.expected.low ? 'below' : r.observed > r.expected.high ? 'above' : undefined;
  const side = direction === 'high' ? 'above' : 'below';
  return past && past !== side ? `is no longer ${side} its expected band but ${past} it` : 'is back within its expected band';
}

export { keyId };
