import { runChecks, type Stage } from './types.js';

/**
 * Applicability: whether an action fits this moment and context (the page, the device, the
 * request's `context`): its own `applicability` rule, then the policy's applicability rules.
 *
 * @example
 * applicability(candidates, ctx);
 */
export const applicability: Stage = (candidates, ctx) => {
  for (const c of candidates) if (!c.out) runChecks('applicability', c.rules.applicability, c, ctx);
};
