import { bucketHash } from '../measure/experiments/assignment.js';
import type { Choice } from './decision.js';
import type { CompiledTerritory } from './policy-compile.js';
import type { ActionRules } from './rulebook.js';
import { applicability } from './stages/applicability.js';
import { consent } from './stages/consent.js';
import { contactPolicy, contactRoom, type ContactRoom } from './stages/contact-policy.js';
import { eligibility } from './stages/eligibility.js';
import { choiceWhy, customerSentence, experimentWords, holdoutWhy, operatorSentence } from './stages/explanation.js';
import { humanTerritory } from './stages/human-territory.js';
import { scoring } from './stages/scoring.js';
import { heldIfPicked, pickVariant, select, type Pick } from './stages/selection.js';
import { banditSelect } from './bandit/bandit-select.js';
import { cappedFloorWords } from './exploration-floor.js';
import { recommendationResult } from './recommend/recommend-result.js';
import { suitability } from './stages/suitability.js';
import type { Candidate, StageContext } from './stages/types.js';

/** What the pipeline decided; the caller logs it and creates the holds it asks for. */
export interface PipelineResult {
  arm: 'treatment' | 'holdout';
  territory?: CompiledTerritory;
  candidates: Candidate[];
  choices: Choice[];
  /** High-stakes choices held for review (new reviews to create). */
  newHolds: { action: string; variant: string | null; reviewId: string }[];
  /** Approved holds this decision delivers. */
  delivered: string[];
  operator: string;
  customer: string;
  /** Set when a bandit chose: its version and the context vector (kept in the decision record). */
  bandit?: { model: string; features: number[] };
}

/**
 * The decision pipeline, pure: eligibility → applicability → suitability → consent → contact
 * policy → human territory → scoring → selection → explanation. It reads only `ctx` (the random
 * source and id maker are injected), so the same inputs give the same decision.
 *
 * @example
 * const r = runPipeline(ctx, rulebook.forPlacement(placement), 1, newId);
 * r.choices[0]; // { rank: 1, kind: 'action', action: 'winback', score: 1.47, propensity: 0.975, why: '…' }
 */
export function runPipeline(ctx: StageContext, rules: ReadonlyMap<string, ActionRules>, n: number, newId: () => string): PipelineResult {
  if (ctx.recommendation) return recommendationResult(ctx.recommendation, ctx.now);
  // Every field a stage may set is there from the start: one object per candidate, never reshaped.
  const candidates: Candidate[] = ctx.placement.candidates.map((action) => ({
    action, rules: rules.get(action.id) as ActionRules, out: undefined, review: undefined, hold: undefined, estimate: undefined,
    score: undefined, levers: undefined, uplift: undefined, upliftFallback: undefined,
  }));
  for (const stage of [eligibility, applicability, suitability, consent, contactPolicy]) stage(candidates, ctx);
  const territory = humanTerritory(candidates, ctx);
  const arm = inHoldout(ctx) ? 'holdout' : 'treatment';
  const result: PipelineResult = { arm, territory, candidates, choices: [], newHolds: [], delivered: [], operator: '', customer: '' };
  let floorCapped: { asked: number; used: number } | undefined;
  if (territory) {
    result.choices = [{ rank: 1, kind: 'handoff', queue: territory.queue, score: ctx.policy.noneScore, propensity: 1, why: '' }];
  } else {
    scoring(candidates, ctx);
    const slots = Math.min(n, ctx.placement.slots);
    // Several choices are several contacts: together they stay within the caps and budgets.
    const fits = slots > 1 ? contactRoom(candidates, ctx) : undefined;
    // What shows in place of an action held for review: the safe default, unless it is excluded or high-stakes itself.
    const standIn = candidates.find((x) => x.action.id === ctx.placement.safeDefault && !x.out && !x.review);
    const bandit = ctx.placement.selection?.kind === 'thompson' && ctx.bandits ? banditSelect(candidates, ctx, ctx.bandits, slots, fits, standIn) : undefined;
    if (bandit) result.bandit = { model: bandit.modelVersion, features: bandit.features };
    floorCapped = bandit?.floorCapped;
    const picks = bandit?.picks ?? select(candidates, { noneScore: ctx.policy.noneScore, exploration: ctx.policy.exploration, slots, random: ctx.random, fits, standIn });
    const made = toChoices(picks, candidates, ctx, result, newId, fits);
    result.choices = made.choices;
    made.choices.forEach((c, i) => made.picks[i]?.propensityError !== undefined && (c.propensityError = made.picks[i].propensityError));
    for (let i = 0; i < result.choices.length; i++) result.choices[i].why = choiceWhy(result.choices[i], made.picks[i], ctx, candidates, result.choices);
    if (arm === 'holdout') {
      result.newHolds = [];
      result.delivered = [];
      result.choices = [holdoutChoice(candidates, ctx, result.choices[0])];
    }
  }
  if (territory) result.choices[0].why = `Handed to the queue "${territory.queue}": the subject is human territory ("${territory.name}").`;
  result.operator = operatorSentence(result, ctx);
  result.customer = customerSentence(result, ctx);
  // The policy's budget bounds the placement's floor (bandit-select.ts): the operator reads that this decision's was not the placement's.
  if (floorCapped && arm === 'treatment') result.operator += ` ${cappedFloorWords(floorCapped)}`;
  if (ctx.experiment) result.operator += ` ${experimentWords(ctx.experiment.id, arm === 'holdout' ? 'holdout' : ctx.experiment.arm)}`;
  return result;
}

/**
 * The global holdout is never personalized: the placement's safe default when the rules let it
 * through, else nothing. Nor is it in the placement's experiment (its arm is logged "holdout"): a
 * variant the subject's arm pins is not applied — the safe default's variant is drawn as for anyone
 * (until 2026-12-03 the arm's pin applied, so an experiment on the safe default's content reached
 * the holdout it is measured against).
 */
function holdoutChoice(candidates: Candidate[], ctx: StageContext, would: Choice | undefined): Choice {
  const safe = candidates.find((c) => c.action.id === ctx.placement.safeDefault && !c.out);
  const why = holdoutWhy(would, ctx, safe?.action.id);
  if (!safe) return { rank: 1, kind: 'none', score: ctx.policy.noneScore, propensity: 1, why };
  return { ...actionChoice(1, safe, 1, { ...ctx, experiment: undefined }), why };
}

function toChoices(all: Pick[], candidates: Candidate[], ctx: StageContext, r: PipelineResult, newId: () => string, fits?: ContactRoom): { choices: Choice[]; picks: Pick[] } {
  const taken = new Set<string>();
  // The actions delivered (a held action's safe default in its place): they, not the picks, are the contacts.
  const sent: Candidate[] = [];
  const choices: Choice[] = [];
  const picks: Pick[] = [];
  // What stands in for a held action now: the safe default if it is still free to show, else nothing.
  const standIn = () => candidates.find((x) => x.action.id === ctx.placement.safeDefault && !x.out && !x.review && !taken.has(x.action.id) && (!fits || fits(x, sent)));
  for (const p of all) {
    picks[choices.length] = p;
    const rank = choices.length + 1;
    const c = p.candidate;
    if (!c) {
      choices.push({ rank, kind: 'none', score: p.score, propensity: p.propensity, ...exposure(p, undefined, standIn, candidates), why: '' });
      break;
    }
    if (taken.has(c.action.id)) continue;
    if (heldIfPicked(c)) {
      const { variant } = pickVariant(c.action.variants, ctx.random);
      const reviewId = c.review === 'pending' && c.hold ? c.hold.id : newId();
      if (c.review === 'review') r.newHolds.push({ action: c.action.id, variant: variant?.id ?? null, reviewId });
      const safe = standIn();
      if (!safe) {
        choices.push({ rank, kind: 'none', score: ctx.policy.noneScore, propensity: p.propensity, ...exposure(p, undefined, () => undefined, candidates), held: { action: c.action.id, reviewId }, why: '' });
        break;
      }
      const shown = exposure(p, safe, () => safe, candidates).exposurePropensity;
      taken.add(safe.action.id);
      sent.push(safe);
      choices.push(actionChoice(rank, safe, p.propensity, ctx, { action: c.action.id, reviewId }, shown));
      continue;
    }
    // Selection drew each rank from what the ranks above showed (the stand-in of a held action
    // included: selection.ts, standInFor), so every pick fits; the check stays as a guard.
    if (fits && !fits(c, sent)) continue;
    if (c.review === 'approved' && c.hold) r.delivered.push(c.hold.id);
    const shown = exposure(p, c, standIn, candidates).exposurePropensity;
    taken.add(c.action.id);
    sent.push(c);
    choices.push(actionChoice(rank, c, p.propensity, ctx, undefined, shown));
  }
  return { choices, picks };
}

/**
 * The probability that `shown` (undefined: nothing) was what this rank showed, when more than one
 * pick of its draw leads to it: the option itself, plus every action held for review if picked,
 * when `shown` is what stands in for them. IPS weighs what the customer saw by this sum — the
 * logged action must be the one whose reward was observed, with its logging probability (Dudík,
 * Langford & Li 2011, §2; Swaminathan & Joachims 2015, eq. 1) — so a stand-in logged with the
 * held action's probability alone, or the safe default picked directly logged with its own, would
 * be over-weighted. Empty when the draw could hold nothing (`chance` unset) or `shown` stands in
 * for nothing: then the exposure is the propensity.
 */
function exposure(p: Pick, shown: Candidate | undefined, standIn: () => Candidate | undefined, candidates: readonly Candidate[]): { exposurePropensity?: number } {
  if (!p.chance || shown !== standIn()) return {};
  let held = 0;
  for (const x of candidates) if (!x.out && heldIfPicked(x)) held += p.chance(x);
  return held > 0 ? { exposurePropensity: p.chance(shown) + held } : {};
}

function actionChoice(rank: number, c: Candidate, propensity: number, ctx: StageContext, held?: Choice['held'], exposure?: number): Choice {
  // An approved high-stakes action is delivered with the content the reviewer approved (human-territory.ts checks it is still approved).
  const approved = c.review === 'approved' && c.hold?.variant ? c.action.variants.find((v) => v.id === c.hold?.variant) : undefined;
  const pin = approved ?? (ctx.experiment?.variant?.action === c.action.id ? c.action.variants.find((v) => v.id === ctx.experiment?.variant?.variant) : undefined);
  const { variant, probability } = pin ? { variant: pin, probability: 1 } : pickVariant(c.action.variants, ctx.random);
  return {
    rank,
    kind: 'action',
    action: c.action.id,
    ...(variant ? { variant: variant.id, content: variant.content ?? {} } : {}),
    score: c.score ?? 0,
    propensity: propensity * probability,
    ...(exposure !== undefined ? { exposurePropensity: exposure * probability } : {}),
    ...(held ? { held } : {}),
    why: '',
  };
}

/**
 * Deterministic per subject: src/measure's bucketing (GrowthBook's re-hashed FNV-1a). A single
 * FNV-1a pass is biased on ids that differ only in their last characters (u1, u2, …): it held out
 * 229 of 6,000 such subjects at a 5% share.
 */
function inHoldout(ctx: StageContext): boolean {
  return heldOut(ctx.policy.holdout, ctx.subject.unit ?? ctx.subject.key);
}

/**
 * Whether the global holdout `holdout` holds out the subject of `unit` (the pipeline's check, for
 * the decider to make before an experiment's arm swaps in its policy).
 *
 * @example
 * heldOut({ share: 0.05, salt: 'global' }, 'ana'); // false
 */
export function heldOut(holdout: StageContext['policy']['holdout'], unit: string): boolean {
  return !!holdout && bucketHash(holdout.salt, unit) < holdout.share;
}
