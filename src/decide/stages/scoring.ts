import type { Estimate } from '../../learn/estimate.js';
import { noteRuleError, runCheck, type Candidate, type Stage, type StageContext } from './types.js';

/**
 * Scoring: expected incremental value = estimate × value × levers − contact cost, against doing
 * nothing (whose score is the policy's `noneScore`, 0 by default). The estimate is the action's
 * goal rate from the {@link EstimateProvider}, with its interval, evidence and ladder rung; each
 * lever whose condition holds multiplies. Under `scoring: uplift` (or an experiment arm that pins
 * an uplift model) the estimate multiplied is the action's uplift over "none" — when the model
 * has one for it and it is established; otherwise the rate, and the candidate says why.
 *
 * @example
 * scoring(candidates, ctx); // c.score = 0.041 × 40 × 1.2 − 0.5 = 1.47
 */
export const scoring: Stage = (candidates, ctx) => {
  const subject = { key: ctx.subject.key, vars: ctx.vars, ...(ctx.subject.mergedKeys?.length ? { also: ctx.subject.mergedKeys } : {}) };
  const byUplift = wantsUplift(ctx);
  if (byUplift && ctx.estimates.upliftModel) for (const p of ctx.estimates.upliftModel.paths()) ctx.facts.add(p);
  for (const c of candidates) {
    if (c.out) continue;
    const a = c.action;
    const est = ctx.estimates.estimate(a, subject);
    let levers = 1;
    let applied: (readonly [string, number])[] | undefined;
    for (const l of c.rules.levers) {
      const r = l.when && runCheck(l.when, c, ctx);
      if (r && !r.pass) {
        noteRuleError(ctx, 'lever', l.when!, r, 'did not apply');
        continue;
      }
      levers *= l.weight;
      // The lever's own [name, weight], shared: a candidate's list holds references, not copies.
      if (applied) applied.push(l.applied);
      else applied = [l.applied];
    }
    c.estimate = est;
    c.levers = applied;
    const u = byUplift ? upliftFor(c, ctx, subject) : undefined;
    c.score = (u ? u.value : est.value) * a.value * levers - a.contactCost;
  }
};

function wantsUplift(ctx: StageContext): boolean {
  const pin = ctx.experiment?.model;
  if (pin) return pin.startsWith('uplift');
  return ctx.policy.scoring === 'uplift';
}

/** The established uplift of the candidate, or undefined with the reason kept on the candidate. */
function upliftFor(c: Candidate, ctx: StageContext, subject: { key: string; vars: Record<string, unknown> }): Estimate | undefined {
  const model = ctx.estimates.upliftModel;
  if (!ctx.estimates.uplift || !model) {
    c.upliftFallback = 'no uplift model is trained yet';
    return undefined;
  }
  const u = ctx.estimates.uplift(c.action, subject);
  if (!u) {
    c.upliftFallback = `${model.modelVersion} has no arm for this action yet`;
    return undefined;
  }
  if (u.status !== 'established') {
    // Its figures too: how far from established it is is what an operator weighing `scoring: uplift` asks.
    c.upliftFallback = `its uplift (${model.modelVersion}) is still learning: ${signedPct(u.value)} over "none" (${Math.round(u.level * 100)}% ${signedPct(u.low)} to ${signedPct(u.high)}, n=${u.evidence})`;
    c.uplift = u;
    return undefined;
  }
  c.uplift = u;
  return u;
}

/** A share as the explanations write it, signed: +2.1%, −0.4%. */
const signedPct = (x: number) => `${x > 0 ? '+' : x < 0 ? '−' : ''}${Number((Math.abs(x) * 100).toPrecision(3))}%`;
