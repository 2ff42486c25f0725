import { type Estimate, openWords, statusWords } from '../../learn/estimate.js';

const fin = (x: number) => (Number.isFinite(x) ? x : null);

/** An Estimate as the API shows it: unbounded ends as null, and one line a person can read. */
export interface EstimateView {
  value: number | null;
  low: number | null;
  high: number | null;
  level: number;
  evidence: number;
  source: string;
  status: string;
  /** Why a learning estimate is learning, when not for want of data: "stale" (a gap in its readings), "extrapolated" (beyond the contexts a bandit learned from). */
  reason?: string;
  /** An action's rate: its choices still inside their attribution windows, and what they count as in the value once the delay is learned (Estimate.open). */
  open?: { choices: number; exposure?: number };
  modelVersion: string;
  /** When the evidence it rests on last changed; null when it rests on nothing observed yet. */
  updatedAt: string | null;
  reading: string;
}

/**
 * The API view of an estimate, e.g. reading "31.0% (90% 24.2–38.4%, n=120, personal, established)"
 * or "learning, not enough data yet (n=0)" when nothing bounds it.
 *
 * @example
 * estimateView(e, 'share');
 */
export function estimateView(e: Estimate, unit: 'share' | 'number'): EstimateView {
  const f = (x: number) => (unit === 'share' ? `${(x * 100).toFixed(1)}%` : Number(x.toPrecision(4)).toString());
  const status = statusWords(e.status, e.reason);
  const bounded = Number.isFinite(e.low) && Number.isFinite(e.high);
  const reading = !bounded
    ? `${status} (n=${e.evidence}${Number.isFinite(e.value) ? `, current guess ${f(e.value)}` : ''}, ${e.source})`
    : `${Number.isFinite(e.value) ? f(e.value) : '?'} (${Math.round(e.level * 100)}% ${f(e.low)}–${f(e.high)}, n=${e.evidence}${openWords(e.open)}, ${e.source}, ${status})`;
  const open = e.open ? { open: { choices: e.open.choices, ...(e.open.exposure !== undefined ? { exposure: Number(e.open.exposure.toFixed(2)) } : {}) } } : {};
  return { value: fin(e.value), low: fin(e.low), high: fin(e.high), level: e.level, evidence: e.evidence, source: e.source, status: e.status, ...(e.reason ? { reason: e.reason } : {}), ...open, modelVersion: e.modelVersion, updatedAt: e.updatedAt, reading };
}


/**
 * A copy with every non-finite number replaced by null (JSON has no NaN or infinities).
 *
 * @example
 * clean({ ece: NaN, bins: [] }); // { ece: null, bins: [] }
 */
export function clean<T>(v: T): T {
  if (typeof v === 'number') return (Number.isFinite(v) ? v : null) as T;
  if (Array.isArray(v)) return v.map(clean) as T;
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clean(x)])) as T;
  return v;
}
