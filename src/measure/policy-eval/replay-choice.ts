import type { Estimate } from '../../learn/estimate.js';
import type { CompiledCatalog } from '../../decide/catalog-compile.js';
import type { Choice, DecisionRecord } from '../../decide/decision.js';
import type { Playbook } from '../../decide/playbook.js';
import { varsFromRecord } from '../../decide/replay.js';
import { applicability } from '../../decide/stages/applicability.js';
import { consent } from '../../decide/stages/consent.js';
import { eligibility } from '../../decide/stages/eligibility.js';
import { scoring } from '../../decide/stages/scoring.js';
import { suitability } from '../../decide/stages/suitability.js';
import type { Candidate, StageContext } from '../../decide/stages/types.js';
import type { CandidateModel } from './model-candidate.js';

/** "none" in the option lists below. */
export const NONE = '(none)';

/** A policy's first-rank distribution over a logged decision's options (action ids and NONE). */
export type Distribution = Map<string, number>;

/**
 * The first-rank distribution of Tact's selection, exactly as src/decide/stages/selection.ts
 * draws it: the best option (ties: doing nothing, then catalog order) with 1 − ε + ε/K, every
 * other with ε/K.
 *
 * @example
 * firstRank([{ id: 'a', score: 2, order: 0 }], 0, 0.1); // Map { 'a' => 0.95, '(none)' => 0.05 }
 */
export function firstRank(scored: readonly { id: string; score: number; order: number }[], noneScore: number, exploration: number): Distribution {
  const options = [{ id: NONE, score: noneScore, order: -1 }, ...scored].sort((a, b) => b.score - a.score || a.order - b.order);
  const eps = Math.min(1, Math.max(0, exploration));
  const k = options.length;
  const d: Distribution = new Map();
  options.forEach((o, i) => d.set(o.id, k === 1 ? 1 : eps / k + (i === 0 ? 1 - eps : 0)));
  return d;
}

/**
 * Re-runs a logged decision under a playbook (a policy and the catalog version it was made with)
 * from nothing but what the record kept: the rule stages from its facts, the contact-policy
 * exclusions as logged (they depend on the contact history, not on the policy's scoring), the
 * scores from the logged estimates `p` (each action's rate) and the playbook's levers, then the
 * first-rank selection distribution. Candidates the log never scored (excluded then, admitted
 * now) have no estimate: they are counted, and with `unscoredAsOptions` (the candidate's replay) kept
 * as options at the lowest score — each then gets ε/K, a lower bound on its probability, which the
 * report counts as probability without support (the log never showed them) instead of silently
 * giving it to the scored options.
 *
 * @example
 * const { distribution } = replayFirstRank(record, play, pOf(record, loggedPlay));
 * distribution.get('shoes-offer'); // 0.9625
 */
export function replayFirstRank(d: DecisionRecord, play: Playbook, p: ReadonlyMap<string, number>, model?: CandidateModel, unscoredAsOptions = false, times?: ReadonlySet<string>): { distribution: Distribution; unscored: number } {
  const placement = play.catalog.placements.get(d.placement);
  if (!placement) return { distribution: new Map([[NONE, 1]]), unscored: 0 };
  const candidates = ruleStages(d, play, times);
  const blocked = new Set(d.excluded.filter((g) => g.stage === 'contact policy' || g.stage === 'human territory').flatMap((g) => g.actions));
  let unscored = 0;
  const unknown: { id: string; score: number; order: number }[] = [];
  for (const c of candidates) {
    if (c.out) continue;
    if (blocked.has(c.action.id)) c.out = { stage: 'contact policy', rule: 'logged', reason: 'excluded when logged' };
    else if (!p.has(c.action.id)) {
      unscored++;
      unknown.push({ id: c.action.id, score: -Infinity, order: c.action.order });
      c.out = { stage: 'scoring', rule: 'unscored', reason: 'no logged estimate' } as unknown as Candidate['out'];
    }
  }
  scoring(candidates, contextFor(d, play, (id) => p.get(id) ?? 0, model, times));
  const scored = candidates.filter((c) => !c.out && c.score !== undefined).map((c) => ({ id: c.action.id, score: c.score!, order: c.action.order }));
  if (unscoredAsOptions) scored.push(...unknown);
  return { distribution: firstRank(scored, play.policy.noneScore, play.policy.exploration), unscored };
}

/**
 * What a first-rank distribution shows: an action held for review if picked (high-stakes, its
 * review pending or yet to open when the decision was made — its logged `review`) shows the
 * placement's safe default instead, or nothing when the safe default is not among the options or
 * is itself under review (src/decide/pipeline.ts). Each shown option's probability is the sum over
 * the picks that lead to it, as the decision logs it in `exposurePropensity`. With nothing held,
 * the distribution itself.
 *
 * @example
 * shownDistribution(new Map([['loan', 0.76], ['newsletter', 0.06], ['(none)', 0.06]]), record, 'newsletter');
 * // Map { 'newsletter' => 0.82, '(none)' => 0.06 }
 */
export function shownDistribution(d: Distribution, record: Pick<DecisionRecord, 'scored'>, safeDefault: string | undefined): Distribution {
  const held = new Set<string>();
  let safeReviewed = false;
  for (const s of record.scored) {
    if (s.review === 'review' || s.review === 'pending') held.add(s.action);
    if (s.action === safeDefault && s.review) safeReviewed = true;
  }
  if (!held.size) return d;
  const standIn = safeDefault !== undefined && !safeReviewed && d.has(safeDefault) ? safeDefault : NONE;
  const shown: Distribution = new Map();
  for (const [o, p] of d) {
    const s = held.has(o) ? standIn : o;
    shown.set(s, (shown.get(s) ?? 0) + p);
  }
  return shown;
}

/**
 * The probability a logged choice's content variant had, given its action (src/decide/pipeline.ts
 * `actionChoice`): 1/V when it was drawn uniformly among the V variants its catalog version
 * approved (selection.ts `pickVariant`), 1 when it has none or `pinned` (an experiment arm pinned
 * it). The choice's `propensity` and `exposurePropensity` include it: divided by it, they are the
 * action's.
 *
 * @example
 * variantShare({ action: 'shoes', variant: 'a' }, catalogV1); // 0.5 (two variants)
 */
export function variantShare(c: Pick<Choice, 'action' | 'variant'>, catalog: Pick<CompiledCatalog, 'actions'>, pinned = false): number {
  if (pinned || c.variant === undefined || c.action === undefined) return 1;
  const variants = catalog.actions.get(c.action)?.variants.length ?? 0;
  return variants > 0 ? 1 / variants : 1;
}

/**
 * Each scored action's rate as the logged decision saw it: the kept estimate `p` for the best
 * ones, and for the rest the rate their logged score implies (score = p × value × levers − cost,
 * with value × levers recomputed under the logged playbook).
 *
 * @example
 * loggedRates(record, loggedPlay).get('socks-offer'); // 0.031
 */
export function loggedRates(d: DecisionRecord, logged: Playbook, times?: ReadonlySet<string>): Map<string, number> {
  const rates = new Map<string, number>();
  const missing = d.scored.filter((s) => s.p === undefined);
  for (const s of d.scored) if (s.p !== undefined) rates.set(s.action, s.p);
  if (!missing.length) return rates;
  const candidates = ruleStages(d, logged, times).filter((c) => missing.some((m) => m.action === c.action.id));
  for (const c of candidates) c.out = undefined;
  scoring(candidates, contextFor(d, logged, () => 1, undefined, times));
  for (const m of missing) {
    const c = candidates.find((x) => x.action.id === m.action);
    if (!c || c.score === undefined) continue;
    const cost = c.action.contactCost;
    const scale = c.score + cost;
    rates.set(m.action, scale > 0 ? Math.max(0, (m.score + cost) / scale) : 0);
  }
  return rates;
}

function ruleStages(d: DecisionRecord, play: Playbook, times?: ReadonlySet<string>): Candidate[] {
  const placement = play.catalog.placements.get(d.placement)!;
  const rules = play.rulebook.forPlacement(placement);
  const candidates: Candidate[] = placement.candidates.map((action) => ({ action, rules: rules.get(action.id)! }));
  const ctx = contextFor(d, play, () => 0, undefined, times);
  for (const stage of [eligibility, applicability, suitability, consent]) stage(candidates, ctx);
  return candidates;
}

/**
 * The stage context of a replay. With a candidate model the scoring stage scores as an
 * experiment arm pinning that model would: by the uplift model's estimate from the decision's
 * kept facts where it is established, by the logged rate otherwise (src/decide/stages/scoring.ts).
 */
/** `times`: the time features in force at the decision (timeFeaturesAt): only those kept values are read back as times. */
function contextFor(d: DecisionRecord, play: Playbook, rate: (action: string) => number, model?: CandidateModel, times?: ReadonlySet<string>): StageContext {
  const estimate = (a: { id: string }) => ({ value: rate(a.id) }) as Estimate;
  const o = { level: play.policy.estimates.level, maxWidth: play.policy.estimates.establishedWidth };
  const u = model?.uplift;
  const estimates = { modelVersion: 'replay', estimate, ...(u ? { uplift: (a: { id: string }, s: { vars: Record<string, unknown> }) => u.estimate(a.id, s.vars, o), upliftModel: u } : {}) };
  return {
    ...(model ? { experiment: { id: 'evaluate-policy', arm: 'candidate', model: model.pin } } : {}),
    now: d.at, vars: varsFromRecord(d, times), policy: play.policy, placement: play.catalog.placements.get(d.placement)!, facts: new Set<string>(),
    subject: { key: d.profileKey, identifier: d.subject, timezone: null, accounts: [], flags: new Set<string>() },
    estimates, budgetWeights: play.budgetWeightsAt(d.at), random: () => 0,
  } as unknown as StageContext;
}
