import type { IdentityRow } from '../profiles/profile-store.js';
import { identityCandidates } from '../profiles/lookup.js';

/**
 * The unit an experiment assigns: the person, named by their first identifier — the value of the
 * oldest identity of their profile (ties: kind, then value), or, for a subject with no profile
 * yet, the value its identifier names. So every identifier of a person gets the same arm (asked
 * by userId, by e-mail or by the anonymousId of any of their devices once linked), a visitor
 * keeps theirs when their first event creates their profile, and a profile that absorbs another
 * keeps its own first identifier — the arm of the person's earliest exposures, which is the arm
 * the readout counts them in.
 *
 * @example
 * experimentUnit('ana', [{ kind: 'anonymousId', value: 'a-1', createdAt: 1 }, { kind: 'userId', value: 'ana', createdAt: 5 }]); // 'a-1'
 * experimentUnit('email:Ana@Example.com', undefined); // 'ana@example.com'
 */
export function experimentUnit(subject: string, identities: readonly IdentityRow[] | undefined): string {
  let first: IdentityRow | undefined;
  for (const i of identities ?? []) {
    if (!first || i.createdAt < first.createdAt || (i.createdAt === first.createdAt && (i.kind < first.kind || (i.kind === first.kind && i.value < first.value)))) first = i;
  }
  if (first) return first.value;
  // `kind:value` names its value (normalised as the profile will hold it: the first candidate); a bare value is itself.
  const colon = subject.indexOf(':');
  if (colon > 0 && subject.slice(0, colon) !== 'profile') return identityCandidates(subject)[0].value;
  return subject.trim();
}
