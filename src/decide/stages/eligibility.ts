import { exclude, runChecks, type Stage } from './types.js';

/**
 * Eligibility: who an action is for at all. The action must be running (start/end), have an
 * approved content variant when it declares variants, and pass its own `eligibility` rule and
 * the policy's eligibility rules about it, in that order.
 *
 * @example
 * eligibility(candidates, ctx); // candidates failing a rule get out = { stage: 'eligibility', rule, reason }
 */
export const eligibility: Stage = (candidates, ctx) => {
  for (const c of candidates) {
    if (c.out) continue;
    const a = c.action;
    if (ctx.now < a.startMs) exclude(c, 'eligibility', 'start', `it starts only at ${new Date(a.startMs).toISOString()}`);
    else if (ctx.now > a.endMs) exclude(c, 'eligibility', 'end', `it ended at ${new Date(a.endMs).toISOString()}`);
    else if (a.declaresVariants && a.variants.length === 0) exclude(c, 'eligibility', 'variants', 'none of its content variants is approved');
    else runChecks('eligibility', c.rules.eligibility, c, ctx);
  }
};
