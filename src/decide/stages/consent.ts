import { purposeKey } from '../../profiles/profile-state.js';
import { exclude, type Stage } from './types.js';

/**
 * Consent: an action with a purpose needs the subject's consent for it, as recorded from
 * Segment's `context.consent.categoryPreferences`. No record means no consent, unless the policy
 * lists the purpose under `consent.assumeGranted` (e.g. a legitimate-interest purpose). Purposes
 * match without regard to case or surrounding spaces (purposeKey): the profile keeps one state
 * per purpose, and should it show two spellings (a decision replayed from an older log), a
 * withdrawal under either wins.
 *
 * @example
 * consent(candidates, ctx); // "Advertising" withdrawn → excluded with rule "consent:Advertising"
 */
export const consent: Stage = (candidates, ctx) => {
  const given = byPurpose((ctx.vars.consent ?? {}) as Record<string, unknown>);
  for (const c of candidates) {
    if (c.out) continue;
    const purpose = c.action.def.purpose;
    if (!purpose) continue;
    ctx.facts.add(c.action.consentFact as string);
    const v = given.get(purposeKey(purpose));
    if (v === true) continue;
    if (v === false) exclude(c, 'consent', `consent:${purpose}`, `the subject withdrew consent for "${purpose}"`);
    else if (!ctx.policy.assumeGranted.has(purpose)) exclude(c, 'consent', `consent:${purpose}`, `the subject has not given consent for "${purpose}"`);
  }
};

/** The subject's consent by purpose key: granted only where every spelling says `true`. */
function byPurpose(given: Record<string, unknown>): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const [k, v] of Object.entries(given)) {
    const key = purposeKey(k);
    out.set(key, (out.get(key) ?? true) && v === true);
  }
  return out;
}
