import { DEFAULT_STALE_AFTER_DAYS } from '../../learn/baselines/metric-baseline.js';
import type { Estimate } from '../../learn/estimate.js';
import type { ProfileState } from '../../profiles/profile-state.js';
import type { LadderPosition } from '../../segments/segment-lookup.js';
import type { Store } from '../../store/store.js';
import { metricsKind } from '../baselines/metrics-kind.js';
import type { Settings } from '../../config/settings.js';
import type { SubjectEstimates } from './subject-estimates.js';

/** An estimate as CEL rules see it: `estimates.email_open.low > 0.2 && estimates.email_open.status == "established"`. */
export interface RuleEstimate {
  value: number | null;
  low: number | null;
  high: number | null;
  status: Estimate['status'];
  source: Estimate['source'];
  evidence: number;
}

/** What rules may read about a subject's inferences: every configured rate and each metric's latest anomaly flag. */
export interface RuleInferences {
  estimates: Record<string, RuleEstimate>;
  anomalies: Record<string, boolean>;
}

const fin = (x: number) => (Number.isFinite(x) ? x : null);

/**
 * The CEL view of an estimate (unbounded ends as null).
 *
 * @example
 * ruleEstimate(e); // { value: 0.31, low: 0.24, high: 0.38, status: 'established', source: 'personal', evidence: 120 }
 */
export function ruleEstimate(e: Estimate): RuleEstimate {
  return { value: fin(e.value), low: fin(e.low), high: fin(e.high), status: e.status, source: e.source, evidence: e.evidence };
}

/**
 * Reads, for the rules of one decision, the subject's rates (`estimates.<rate name>`, from the
 * ladder at its position) and, per configured metric, whether its latest reading was flagged as
 * an anomaly (`anomalies.<metric>`: the newest anomaly record is the reading the baseline last
 * folded in, and that reading is more recent than the metric's `staleAfter`).
 *
 * @example
 * const r = await ruleInferences({ store, settings, estimates }, state, position, Date.now());
 * r.estimates.email_open.status; // 'learning'
 */
export async function ruleInferences(d: { store: Store; settings: Settings; estimates: SubjectEstimates }, state: ProfileState, pos: LadderPosition, now: number, merged?: readonly string[]): Promise<RuleInferences> {
  const out: RuleInferences = { estimates: {}, anomalies: {} };
  for (const r of await d.estimates.rates(state, now, pos, merged)) out.estimates[r.key] = ruleEstimate(r.estimate);
  const metrics = d.settings.get(metricsKind);
  if (!metrics.length) return out;
  const rows = await d.store.estimates.getMany(metrics.map((m) => ({ subjectId: state.id, model: 'baseline', key: m.def.name })));
  const lastSeq = new Map(rows.map((r) => [r.key, r.seq]));
  const recent = await d.store.estimates.anomalies({ subjectId: state.id, limit: Math.max(20, metrics.length * 4) });
  for (const m of metrics) {
    const newest = recent.find((a) => a.metric === m.def.name);
    // A flag on a reading older than `staleAfter` is down: the baseline it was judged by is stale.
    const staleAfterMs = (m.config.staleAfterDays ?? DEFAULT_STALE_AFTER_DAYS) * 86_400_000;
    out.anomalies[m.def.name] = !!newest && newest.seq === lastSeq.get(m.def.name) && now - newest.at < staleAfterMs;
  }
  return out;
}
