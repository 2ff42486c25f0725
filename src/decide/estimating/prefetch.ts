import type { Estimate } from '../../learn/estimate.js';
import type { ProfileState } from '../../profiles/profile-state.js';
import type { CompiledAction } from '../catalog-compile.js';
import type { CompiledPolicy } from '../policy-compile.js';
import type { DecisionRecord } from '../decision.js';
import type { EstimateProvider, EstimateSubject } from '../estimates.js';
import type { Playbook } from '../playbook.js';

/** Where the subject sits on the granularity ladder at decision time. */
export interface SubjectPosition {
  segment: string | null;
  microSegment: { index: number; modelVersion: string; key: string } | null;
}

/** What rules may read about the subject's inferences (`estimates.<rate>`, `anomalies.<metric>`). */
export interface RuleInputs {
  estimates: Record<string, unknown>;
  anomalies: Record<string, boolean>;
}

/** The asynchronous reads of one decision, done before the (synchronous) pipeline runs. */
export interface DecisionInputs {
  position: SubjectPosition;
  rules?: RuleInputs;
  /** The uplift model, when the decision scores by uplift and one is trained. */
  uplift?: UpliftSource;
}

/**
 * Reads what a decision needs from the models (ladder position; the rates and anomaly flags its
 * rules read), once, before the pure pipeline runs. Wired in src/server/tact.ts from `Learning`.
 *
 * @example
 * const inputs = await prefetch.fetch(state, { rules: readsInferences(play), uplift: upliftWanted(play.policy), now: Date.now() });
 */
export interface DecisionPrefetch {
  /** `merged`: the profiles merged into the subject (their history is the subject's). */
  fetch(state: ProfileState | undefined, o: { rules: boolean; uplift?: false | 'live' | number; now: number; merged?: readonly string[] }): Promise<DecisionInputs>;
}

/** No position: a subject without a profile, or no models wired. @example inputs.position === NO_POSITION // an anonymous subject */
export const NO_POSITION: SubjectPosition = Object.freeze({ segment: null, microSegment: null });

const reads = new WeakMap<Playbook, boolean>();

/**
 * Whether any rule or lever of the playbook reads `estimates.…` or `anomalies.…` (only then are
 * they fetched: a decision whose rules do not read them pays nothing).
 *
 * @example
 * readsInferences(play); // true when a suitability rule says `estimates.email_open.low > 0.2`
 */
export function readsInferences(play: Playbook): boolean {
  let r = reads.get(play);
  if (r === undefined) {
    const p = play.policy;
    const checks = [
      ...p.rules.map((x) => x.check),
      ...p.levers.flatMap((l) => (l.when ? [l.when] : [])),
      ...p.territory.flatMap((t) => (t.when ? [t.when] : [])),
      ...[...play.catalog.actions.values()].flatMap((a) => Object.values(a.own)),
    ];
    r = checks.some((c) => c && /\b(estimates|anomalies)\b/.test(c.expression));
    reads.set(play, r);
  }
  return r;
}

/**
 * The group keys a decision's trials are counted under (see OutcomeCounts), from its position.
 *
 * @example
 * groupKeysOf({ segment: 'vip', microSegment: { index: 3, modelVersion: 'micro-segments@2', key: 'micro-segment:2:3' } });
 * // ['segment:vip', 'micro-segment:2:3']
 */
export function groupKeysOf(pos: SubjectPosition): string[] {
  const keys: string[] = [];
  if (pos.segment) keys.push(`segment:${pos.segment}`);
  if (pos.microSegment) keys.push(pos.microSegment.key);
  return keys;
}

/**
 * The same group keys from a logged decision (its `segment`, `microSegment`, `microSegmentModel`).
 *
 * @example
 * recordGroupKeys({ segment: 'vip', microSegment: 3, microSegmentModel: 'micro-segments@2' }); // ['segment:vip', 'micro-segment:2:3']
 */
export function recordGroupKeys(d: Pick<DecisionRecord, 'segment' | 'microSegment' | 'microSegmentModel'>): string[] {
  const keys: string[] = [];
  if (d.segment) keys.push(`segment:${d.segment}`);
  const v = d.microSegmentModel?.split('@')[1];
  if (d.microSegment !== null && d.microSegment !== undefined && v) keys.push(`micro-segment:${v}:${d.microSegment}`);
  return keys;
}

/** A live (or pinned) uplift model, as decisions use it (src/models/uplift/uplift-model.ts). */
export interface UpliftSource {
  readonly modelVersion: string;
  estimate(action: string, vars: Record<string, unknown>, o: { level: number; maxWidth: number }): Estimate | undefined;
  /** The fact paths it reads: a decision that used it keeps their values. */
  paths(): string[];
}

/**
 * Which uplift model a decision needs: none (`false`), the live one, or the version an
 * experiment's arm pins (`model: "uplift@3"`; `model: "rate"` or `"beta-ladder"` pins rate scoring).
 *
 * @example
 * upliftWanted(policy, { id: 'e1', arm: 'b', model: 'uplift@3' }); // 3
 */
export function upliftWanted(policy: Pick<CompiledPolicy, 'scoring'>, experiment?: { model?: string }): false | 'live' | number {
  const pin = experiment?.model;
  if (pin?.startsWith('uplift')) {
    const v = Number(pin.split('@')[1]);
    return Number.isInteger(v) && v > 0 ? v : 'live';
  }
  if (pin) return false;
  return policy.scoring === 'uplift' ? 'live' : false;
}

/**
 * A provider bound to one decision: its ladder position (the segment and micro-segment rungs) and,
 * when the decision scores by uplift, the uplift model at the policy's interval level and width.
 * The stages stay synchronous and ask for estimates as before.
 *
 * @example
 * ctx.estimates = decisionEstimates(provider, inputs, play.policy);
 */
export function decisionEstimates(provider: EstimateProvider, inputs: DecisionInputs, policy: Pick<CompiledPolicy, 'estimates'>): EstimateProvider {
  const pos = inputs.position;
  const u = inputs.uplift;
  if (!pos.segment && !pos.microSegment && !u) return provider;
  const segment = pos.segment ? `segment:${pos.segment}` : null;
  const microSegment = pos.microSegment?.key ?? null;
  // The scoring stage asks with one subject object for every candidate: build its placed copy once,
  // by assignment (a `{ ...s }` copy per candidate outlived young collections: view.ts).
  let last: EstimateSubject | undefined;
  let placed!: EstimateSubject;
  const at = (s: EstimateSubject): EstimateSubject => {
    if (s !== last) {
      last = s;
      placed = { key: s.key, vars: s.vars, segment, microSegment };
      if (s.also) placed.also = s.also;
    }
    return placed;
  };
  const o = { level: policy.estimates.level, maxWidth: policy.estimates.establishedWidth };
  return {
    modelVersion: provider.modelVersion,
    estimate: (a, s) => provider.estimate(a, at(s)),
    ...(u ? { uplift: (a: CompiledAction, s: EstimateSubject) => u.estimate(a.id, s.vars, o), upliftModel: u } : {}),
  };
}
