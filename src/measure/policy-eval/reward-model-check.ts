/**
 * The honesty check of the direct method on the decision log. DM rests entirely on the reward model
 * (each option's smoothed mean logged reward, the same in every decision); IPS and SNIPS need none,
 * only the logged propensities, which the replay reproduced. When DM's value lies outside the
 * interval of every IPS-family estimate, the model is misspecified for this candidate — the options
 * earn differently in the decisions the candidate changes than on average, or (before 2026-12-06)
 * the shrinkage let one option's large rewards lift the others — and DM's number would mislead
 * with no sign of it (QA: DM 1.55 [1.31, 1.87] beside SNIPS 0.27 for a candidate worth 0.28).
 */
import type { OpeWarning } from '../ope/diagnostics.js';
import type { EstimatorResult } from '../ope/report.js';
import type { EstimatorName } from '../ope/types.js';

/**
 * The `reward-model-disagrees` caution, or undefined when DM lies inside IPS's or SNIPS's interval
 * (or either side is missing).
 *
 * @example
 * rewardModelWarning({ dm: { value: 1.55, ci: [1.31, 1.87], sd: 0.14, dropped: 0 }, snips: { value: 0.27, ci: [0.2, 0.35], sd: 0.04, dropped: 0 } })?.code; // 'reward-model-disagrees'
 */
export function rewardModelWarning(estimates: Partial<Record<EstimatorName, EstimatorResult | null>>): OpeWarning | undefined {
  const dm = estimates.dm;
  const family = (['snips', 'ips'] as const).flatMap((k) => {
    const e = estimates[k];
    return e && Number.isFinite(e.ci[0]) && Number.isFinite(e.ci[1]) ? [[k, e] as const] : [];
  });
  if (!dm || !Number.isFinite(dm.value) || !family.length) return undefined;
  if (family.some(([, e]) => dm.value >= e.ci[0] && dm.value <= e.ci[1])) return undefined;
  const f = (x: number) => String(Number(x.toPrecision(4)));
  const named = family.map(([k, e]) => `${k.toUpperCase()} ${f(e.value)} (${f(e.ci[0])} to ${f(e.ci[1])})`).join(' and ');
  return {
    code: 'reward-model-disagrees',
    severity: 'caution',
    message: `The direct method gives ${f(dm.value)} (95% interval ${f(dm.ci[0])} to ${f(dm.ci[1])}), outside the interval${family.length > 1 ? 's' : ''} of ${named}, which need no reward model: the reward model (each option's smoothed mean logged reward) is misspecified for this candidate, so DM is off. Prefer the IPS-family estimates (SNIPS, IPS, or DR and SNDR, which correct the model with the logged propensities).`,
    details: {
      dm: dm.value, dmLow: dm.ci[0], dmHigh: dm.ci[1],
      ...Object.fromEntries(family.flatMap(([k, e]) => [[k, e.value], [`${k}Low`, e.ci[0]], [`${k}High`, e.ci[1]]])),
    },
  };
}
