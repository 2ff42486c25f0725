/**
 * When not to trust an off-policy estimate. Numbers (effective sample size, largest weight,
 * share of logged actions the candidate never takes) and warnings as objects with a code,
 * a severity and a whole-sentence message. A "block" warning means no estimate is printed:
 * a logger that never explored, or a candidate that acts where the logger had no support,
 * leaves the log with nothing to say about the candidate.
 */
import type { OpeTerms } from './estimators.js';
import type { LoggedFeedback } from './types.js';

export interface OpeDiagnostics {
  n: number;
  /** Kish effective sample size (Σw)² / Σw². */
  effectiveSampleSize: number;
  maxWeight: number;
  /** Largest weight as a share of Σw: how much one logged decision decides the estimate. */
  maxWeightShare: number;
  /**
   * The largest 1% of the weights (⌈n/100⌉ rows; rows tied at the boundary weight count by the share of them taken):
   * their share of Σw (what SNIPS leans on) and of Σ|w·r| (IPS's sum), so a few huge weights are visible.
   */
  topWeights: { rows: number; weightShare: number; ipsShare: number };
  /** Mean weight; estimates the candidate's probability mass on supported actions (1 when fully supported). */
  meanWeight: number;
  /** Share of logged rows whose action the candidate would never take (target probability 0). */
  zeroTargetShare: number;
  /** Share of rows where the logger had no choice (propensity 1). */
  loggerDeterministicShare: number;
  /** Whether the candidate puts probability 1 on one action in every row. */
  candidateDeterministic: boolean;
  /** Mean candidate probability on actions the logger could not take (null when not computable). */
  unsupportedTargetMass: number | null;
  /** Share of logged decisions where the candidate puts probability on an action the logger could not take (null when not computable). */
  unsupportedShare: number | null;
}

export type OpeWarningCode =
  | 'logger-never-explored'
  | 'no-support'
  | 'partial-support'
  | 'tiny-effective-sample'
  | 'low-effective-sample'
  | 'dominant-weight'
  | 'concentrated-weight'
  | 'dropped-replicates'
  | 'clipped-weights'
  // Set by the policy evaluation on the decision log (policy-eval/evaluate.ts), not by these diagnostics:
  | 'no-decisions'
  | 'pending-rewards'
  | 'reward-model-disagrees'
  | 'candidate-unchanged';

export interface OpeWarning {
  code: OpeWarningCode;
  severity: 'block' | 'caution';
  message: string;
  details: Record<string, number>;
}

/** Thresholds; the defaults are conservative and documented in docs/measure-statistics.md. */
export interface DiagnosticThresholds {
  minEffectiveSample?: number;
  cautionEffectiveSample?: number;
  maxWeightShare?: number;
  blockUnsupportedMass?: number;
  /** The share of IPS's sum (or of Σw) the largest 1% of the weights may carry before a caution (default 0.5). */
  maxTopShare?: number;
}

/**
 * Computes the diagnostics.
 * @example opeDiagnostics(data, opeTerms(data)).effectiveSampleSize
 */
export function opeDiagnostics(data: LoggedFeedback, t: OpeTerms): OpeDiagnostics {
  const n = t.n;
  let sw = 0;
  let sw2 = 0;
  let maxW = 0;
  let zero = 0;
  let loggerDet = 0;
  for (let i = 0; i < n; i++) {
    const w = t.weight[i];
    sw += w;
    sw2 += w * w;
    if (w > maxW) maxW = w;
    if (data.targetProbability[i] === 0) zero++;
    if (data.loggedPropensity[i] >= 1 - 1e-9) loggerDet++;
  }
  return {
    n,
    effectiveSampleSize: sw2 > 0 ? (sw * sw) / sw2 : 0,
    maxWeight: maxW,
    maxWeightShare: sw > 0 ? maxW / sw : 0,
    topWeights: topWeights(t, sw),
    meanWeight: n > 0 ? sw / n : 0,
    zeroTargetShare: n > 0 ? zero / n : 0,
    loggerDeterministicShare: n > 0 ? loggerDet / n : 0,
    candidateDeterministic: isDeterministic(data),
    ...unsupported(data),
  };
}

function topWeights(t: OpeTerms, sw: number): OpeDiagnostics['topWeights'] {
  const rows = Math.ceil(t.n / 100);
  const term = (i: number) => Math.abs(t.weight[i] * t.reward[i]);
  const order = Array.from({ length: t.n }, (_, i) => i).sort((a, b) => t.weight[b] - t.weight[a]);
  let total = 0;
  for (let i = 0; i < t.n; i++) total += term(i);
  // Rows above the boundary weight count whole; rows tied at it, by the share of them the top 1% takes
  // (so the figure does not depend on which of equal weights come first).
  const edge = rows > 0 ? t.weight[order[rows - 1]] : 0;
  let w = 0;
  let r = 0;
  let tied = 0;
  let tiedTerm = 0;
  let above = 0;
  for (const i of order) {
    if (t.weight[i] > edge) {
      above++;
      w += t.weight[i];
      r += term(i);
    } else if (t.weight[i] === edge) {
      tied++;
      tiedTerm += term(i);
    } else break;
  }
  if (tied > 0) {
    const take = (rows - above) / tied;
    w += take * tied * edge;
    r += take * tiedTerm;
  }
  return { rows, weightShare: sw > 0 ? w / sw : 0, ipsShare: total > 0 ? r / total : 0 };
}

function isDeterministic(data: LoggedFeedback): boolean {
  const k = data.nActions ?? 0;
  if (data.targetDistribution && k > 0) {
    for (let i = 0; i < data.reward.length; i++) {
      let max = 0;
      for (let a = 0; a < k; a++) max = Math.max(max, data.targetDistribution[i * k + a]);
      if (max < 1 - 1e-9) return false;
    }
    return true;
  }
  for (let i = 0; i < data.targetProbability.length; i++) {
    const p = data.targetProbability[i];
    if (p > 1e-12 && p < 1 - 1e-9) return false;
  }
  return true;
}

function unsupported(data: LoggedFeedback): { unsupportedTargetMass: number | null; unsupportedShare: number | null } {
  const k = data.nActions ?? 0;
  const n = data.reward.length;
  const none = { unsupportedTargetMass: null, unsupportedShare: null };
  if (!data.targetDistribution || k === 0 || n === 0) return none;
  let seen: Uint8Array | null = null;
  if (!data.loggedDistribution) {
    if (!data.action) return none;
    seen = new Uint8Array(k);
    for (let i = 0; i < n; i++) seen[data.action[i]] = 1;
  }
  let mass = 0;
  let rows = 0;
  for (let i = 0; i < n; i++) {
    let row = 0;
    for (let a = 0; a < k; a++) {
      const supported = data.loggedDistribution ? data.loggedDistribution[i * k + a] > 0 : seen![a] === 1;
      if (!supported) row += data.targetDistribution[i * k + a];
    }
    mass += row;
    if (row > 0) rows++;
  }
  return { unsupportedTargetMass: mass / n, unsupportedShare: rows / n };
}

/**
 * Turns diagnostics into warnings.
 * @example opeWarnings(diag).filter((w) => w.severity === 'block') // [] when estimates may be shown
 */
export function opeWarnings(d: OpeDiagnostics, thresholds: DiagnosticThresholds = {}): OpeWarning[] {
  const minEss = thresholds.minEffectiveSample ?? 10;
  const cautionEss = thresholds.cautionEffectiveSample ?? 100;
  const maxShare = thresholds.maxWeightShare ?? 0.05;
  const blockMass = thresholds.blockUnsupportedMass ?? 0.05;
  const maxTop = thresholds.maxTopShare ?? 0.5;
  const out: OpeWarning[] = [];
  if (d.n > 0 && d.loggerDeterministicShare >= 0.99) {
    out.push({
      code: 'logger-never-explored',
      severity: 'block',
      message: `The logging policy never explored: ${(d.loggerDeterministicShare * 100).toFixed(1)}% of logged decisions had propensity 1, so the log cannot tell what any other choice would have earned. Run with exploration (or a holdout) before evaluating a candidate.`,
      details: { loggerDeterministicShare: d.loggerDeterministicShare },
    });
  }
  const mass = d.unsupportedTargetMass;
  if (mass !== null && mass > 0) {
    const block = mass >= blockMass;
    const share = d.unsupportedShare ?? 0;
    out.push({
      code: block ? 'no-support' : 'partial-support',
      severity: block ? 'block' : 'caution',
      message: `The candidate puts ${(mass * 100).toFixed(1)}% of its probability on actions the logging policy could not take, in ${(share * 100).toFixed(1)}% of the logged decisions${d.candidateDeterministic ? ' (it is deterministic there)' : ''}; the log has no evidence about them${block ? ', so no estimate is given' : ': IPS and SNIPS leave that probability out and are biased by what it would have earned'}.`,
      details: { unsupportedTargetMass: mass, unsupportedShare: share },
    });
  }
  if (d.effectiveSampleSize < minEss) {
    out.push({
      code: 'tiny-effective-sample',
      severity: 'block',
      message: `Only ${d.effectiveSampleSize.toFixed(1)} logged decisions effectively match the candidate (effective sample size); that is too few for any estimate.`,
      details: { effectiveSampleSize: d.effectiveSampleSize },
    });
  } else if (d.effectiveSampleSize < cautionEss) {
    out.push({
      code: 'low-effective-sample',
      severity: 'caution',
      message: `The effective sample size is ${d.effectiveSampleSize.toFixed(0)} of ${d.n} logged decisions: the intervals are wide and the weighted estimators unstable.`,
      details: { effectiveSampleSize: d.effectiveSampleSize, n: d.n },
    });
  }
  if (d.maxWeightShare > maxShare) {
    out.push({
      code: 'dominant-weight',
      severity: 'caution',
      message: `One logged decision carries ${(d.maxWeightShare * 100).toFixed(1)}% of the total weight (weight ${d.maxWeight.toFixed(1)}); the estimate leans on it.`,
      details: { maxWeight: d.maxWeight, maxWeightShare: d.maxWeightShare },
    });
  }
  const top = d.topWeights;
  if (d.n > 0 && (top.ipsShare > maxTop || top.weightShare > maxTop)) {
    out.push({
      code: 'concentrated-weight',
      severity: 'caution',
      message: `The largest 1% of the weights (${top.rows} of ${d.n} logged decisions) carry ${(top.ipsShare * 100).toFixed(1)}% of IPS's sum and ${(top.weightShare * 100).toFixed(1)}% of the total weight: the estimate rests on those few decisions, and its interval may be too narrow.`,
      details: { rows: top.rows, ipsShare: top.ipsShare, weightShare: top.weightShare },
    });
  }
  return out;
}
