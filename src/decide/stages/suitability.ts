import { runChecks, type Stage } from './types.js';

/**
 * Suitability: whether an action is right for this person now (not what they bought this
 * morning, not marketing during an open service issue): its own `suitability` rule, then the
 * policy's suitability rules.
 *
 * @example
 * suitability(candidates, ctx);
 */
export const suitability: Stage = (candidates, ctx) => {
  for (const c of candidates) if (!c.out) runChecks('suitability', c.rules.suitability, c, ctx);
};
