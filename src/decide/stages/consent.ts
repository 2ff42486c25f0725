import { exclude, type Stage } from './types.js';

/**
 * Consent: an action with a purpose needs the subject's consent for it, as recorded from
 * Segment's `context.consent.categoryPreferences`. No record means no consent, unless the policy
 * lists the purpose under `consent.assumeGranted` (e.g. a legitimate-interest purpose).
 *
 * @example
 * consent(candidates, ctx); // "Advertising" withdrawn → excluded with rule "consent:Advertising"
 */
export const consent: Stage = (candidates, ctx) => {
  const given = (ctx.vars.consent ?? {}) as Record<string, boolean>;
  for (const c of candidates) {
    if (c.out) continue;
    const purpose = c.action.def.purpose;
    if (!purpose) continue;
    ctx.facts.add(c.action.consentFact as string);
    const v = Object.hasOwn(given, purpose) ? given[purpose] : undefined;
    if (v === true) continue;
    if (v === false) exclude(c, 'consent', `consent:${purpose}`, `the subject withdrew consent for "${purpose}"`);
    else if (!ctx.policy.assumeGranted.has(purpose)) exclude(c, 'consent', `consent:${purpose}`, `the subject has not given consent for "${purpose}"`);
  }
};
