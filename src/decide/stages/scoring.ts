import { runCheck, type Stage } from './types.js';

/**
 * Scoring: expected incremental value = estimate × value × levers − contact cost, against doing
 * nothing (whose score is the policy's `noneScore`, 0 by default). The estimate is the action's
 * goal rate from the {@link EstimateProvider}, with its interval and evidence; each lever whose
 * condition holds multiplies. The levers that applied are kept for the explanation.
 *
 * @example
 * scoring(candidates, ctx); // c.score = 0.041 × 40 × 1.2 − 0.5 = 1.47
 */
export const scoring: Stage = (candidates, ctx) => {
  const subject = { key: ctx.subject.key, vars: ctx.vars };
  for (const c of candidates) {
    if (c.out) continue;
    const a = c.action;
    const est = ctx.estimates.estimate(a, subject);
    let levers = 1;
    let applied: [string, number][] | undefined;
    for (const l of c.rules.levers) {
      if (l.when && !runCheck(l.when, c, ctx).pass) continue;
      levers *= l.weight;
      (applied ??= []).push([l.name, l.weight]);
    }
    c.estimate = est;
    c.levers = applied;
    c.score = est.value * a.value * levers - a.contactCost;
  }
};
