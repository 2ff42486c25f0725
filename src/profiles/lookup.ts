import { closestWord } from '../errors/edit-distance.js';
import { TactError, validationError } from '../errors/tact-error.js';
import { normalizeIdentifier, tactKind } from '../identity/identifiers.js';
import { whyBlocked, type MergeRules } from '../identity/merge-rules.js';
import type { ProfileStore } from './profile-store.js';

/**
 * Finds the profile an identifier names. `kind:value` names the kind (`email:ana@example.com`,
 * `anonymousId:a-1`, `profile:<id>` for Tact's own id; Segment's `user_id:` and `anonymous_id:`
 * are read as `userId:` and `anonymousId:`); a bare value is tried as userId, then
 * anonymousId, then email. Returns the live profile id and how it was found.
 *
 * @example
 * await findProfile(store.profiles, 'email:Ana@Example.com'); // { profileId: '…', matched: { kind: 'email', value: 'ana@example.com' } }
 */
export async function findProfile(profiles: ProfileStore, identifier: string): Promise<{ profileId: string; matched: { kind: string; value: string } } | undefined> {
  if (identifier.startsWith('profile:')) {
    const s = await profiles.getProfile(identifier.slice('profile:'.length));
    if (s) return { profileId: s.id, matched: { kind: 'profile', value: s.id } };
  }
  for (const c of identityCandidates(identifier)) {
    const id = await profiles.findProfileId(c.kind, c.value);
    if (id) return { profileId: id, matched: c };
  }
  return undefined;
}

const BARE_KINDS = ['userId', 'anonymousId', 'email'];

/** Kinds whose values may hold colons (`userId:tenant:42`): the value runs to the end, never a longer kind. */
const OWN_KINDS = new Set([...BARE_KINDS, 'user_id', 'anonymous_id', 'profile']);

/** How many kinds an identifier's colons may name (`ios` and `ios:idfa` for `ios:idfa:ABC`): each is one more read. */
const MAX_NAMED_KINDS = 4;

/**
 * Every identity `findProfile` may find an identifier as (Tact's own `profile:<id>` aside): the
 * kind it names, then the bare value as userId, anonymousId and email — for a check in one query
 * of whether a subject that had no profile has one now. The kind named runs to the first colon;
 * an external id's type may hold colons (`ios:idfa:ABC` is kind `ios:idfa`), so, unless the first
 * kind is one of Tact's own, each longer prefix is a kind tried after it (at most 4 kinds in all).
 *
 * @example
 * identityCandidates('Ana@Example.com'); // [{ kind: 'userId', value: 'Ana@Example.com' }, …, { kind: 'email', value: 'ana@example.com' }]
 * identityCandidates('ios:idfa:ABC'); // [{ kind: 'ios', value: 'idfa:ABC' }, { kind: 'ios:idfa', value: 'ABC' }, …]
 */
export function identityCandidates(identifier: string): { kind: string; value: string }[] {
  const out: { kind: string; value: string }[] = [];
  let colon = identifier.indexOf(':');
  if (colon > 0) {
    const first = identifier.slice(0, colon);
    // Segment's `user_id:` / `anonymous_id:` name the kinds an externalId of those types is stored as.
    const kind = tactKind(first);
    if (kind !== 'profile') out.push({ kind, value: normalizeIdentifier(kind, identifier.slice(colon + 1)) });
    if (!OWN_KINDS.has(first)) {
      for (let n = 1; n < MAX_NAMED_KINDS && (colon = identifier.indexOf(':', colon + 1)) > 0; n++) {
        const longer = identifier.slice(0, colon);
        out.push({ kind: longer, value: normalizeIdentifier(longer, identifier.slice(colon + 1)) });
      }
    }
  }
  for (const kind of BARE_KINDS) out.push({ kind, value: normalizeIdentifier(kind, identifier) });
  return out;
}

/**
 * The 404 for an identifier no profile holds. When it names a kind (`userid:u1`) that is none of
 * Tact's own nor one the merge rules name, but is near one, it says so and suggests that one
 * (`unknown_identifier_kind`, `suggestion` holding the identifier meant); any other kind may be an
 * external id's type, and a bare value anything: `not_found`.
 *
 * @example
 * profileNotFound('userid:u1', rules).message; // 'No profile matches `userid:u1`, and `userid` is not … did you mean `userId:u1`? …'
 */
export function profileNotFound(identifier: string, rules: MergeRules, field = 'identifier'): TactError {
  // One no profile can ever hold (`email:` with nothing after it, a blocked "null"): a 400 saying
  // why, not a 404 that reads as "not yet" (until 2026-12-05).
  const never = identifier.trim() === '' ? 'it is blank' : neverIdentifies(identifier, rules);
  if (never) return validationError([{ field, message: `The \`${field}\` ${JSON.stringify(identifier)} cannot name a profile (${never}): name the person by a userId, anonymousId or e-mail of theirs, or \`kind:value\`.` }]);
  const near = nearKind(identifier, rules);
  if (near) return new TactError('unknown_identifier_kind', near, { extra: { suggestion: near.suggestion } });
  return new TactError('not_found', { what: 'profile', id: identifier });
}

/**
 * Why a subject a route would keep state under cannot name anyone, or undefined: blank, or its
 * value (after a kind of Tact's own, `email:`, `userId:`, …) one the merge rules block ("null",
 * "undefined", "0", "-1", only zeroes and dashes — a client's `String(undefined)`). The collection
 * API refuses such identifiers; a decision or an outcome for them was kept under one `anon:` key
 * that every such client shared — its caps, dismissals, budgets and reviews (until 2026-12-05).
 *
 * @example
 * subjectProblem('null', DEFAULT_MERGE_RULES)?.message; // 'The `subject` "null" cannot identify anyone (the value "null" is on the blocked list of the merge rules): …'
 */
export function subjectProblem(subject: string, rules: MergeRules, field = 'subject'): { field: string; message: string } | undefined {
  if (subject.trim() === '') return { field, message: `The \`${field}\` is blank: name the person by an identifier of theirs — a userId, anonymousId or e-mail, or \`kind:value\`.` };
  const why = neverIdentifies(subject, rules);
  if (!why) return undefined;
  return { field, message: `The \`${field}\` ${JSON.stringify(subject)} cannot identify anyone (${why}): every client sending it would share one subject's contacts, caps and history. Name the person by an identifier of theirs.` };
}

/**
 * Why an identifier can never name a profile — its value, after a kind of Tact's own (`userId:`,
 * `email:` …), blank or one the merge rules block — or undefined.
 *
 * @example
 * neverIdentifies('userId:undefined', DEFAULT_MERGE_RULES); // 'the value "undefined" is on the blocked list of the merge rules'
 */
export function neverIdentifies(identifier: string, rules: MergeRules): string | undefined {
  const colon = identifier.indexOf(':');
  const kind = colon > 0 ? identifier.slice(0, colon) : undefined;
  const value = kind !== undefined && OWN_KINDS.has(kind) ? identifier.slice(colon + 1) : identifier;
  if (value.trim() === '') return `its value${kind !== undefined && value !== identifier ? ` after \`${kind}:\`` : ''} is blank`;
  return whyBlocked(rules, value);
}

/**
 * For a route that answers a subject no profile holds as a new one (decide, recommendations):
 * the warning that its kind is near one of Tact's or the merge rules' but none of them — the
 * sentence of profileNotFound's `unknown_identifier_kind`, said of an answer given all the same.
 * Empty when the kind is not near one (or the subject found a profile: ask only then).
 *
 * @example
 * subjectWarnings('emial:ana@x.com', rules); // [{ field: 'subject', message: 'No profile matches … did you mean `email:ana@x.com`? … The answer is for a subject Tact knows nothing of.', suggestion: 'email:ana@x.com' }]
 */
export function subjectWarnings(subject: string, rules: MergeRules, field = 'subject', then: string = SUBJECT_UNKNOWN.answer): { field: string; message: string; suggestion: string }[] {
  const near = nearKind(subject, rules);
  if (!near) return [];
  const e = new TactError('unknown_identifier_kind', near);
  return [{ field, message: `${e.message} ${then}`, suggestion: near.suggestion }];
}

/** What {@link subjectWarnings} says was done all the same, by route. */
export const SUBJECT_UNKNOWN = {
  answer: 'The answer is for a subject Tact knows nothing of.',
  /** An outcome by subject alone (until 2026-12-06 it said "the answer", as decide's does: QA). */
  outcome: 'The outcome is recorded for a subject Tact knows nothing of, and credited only to decisions made for that same identifier.',
} as const;

/** The misspelt kind an identifier names, with the identifier meant and the kinds there are; undefined when its kind is known, far from all, or absent. */
function nearKind(identifier: string, rules: MergeRules): { id: string; kind: string; suggestion: string; kinds: string } | undefined {
  const colon = identifier.indexOf(':');
  if (colon <= 0) return undefined;
  const named = identifier.slice(0, colon);
  const known = [...new Set([...BARE_KINDS, ...rules.priority, ...Object.keys(rules.limits)])];
  if (OWN_KINDS.has(named) || known.includes(tactKind(named))) return undefined;
  const near = closestWord(named, [...known, 'profile']);
  if (!near) return undefined;
  return { id: identifier, kind: named, suggestion: `${near}${identifier.slice(colon)}`, kinds: `${known.join(', ')} and profile (Tact's own id)` };
}

/**
 * How the profile was found. A `profile:<id>` of a profile merged away answers with the survivor:
 * the id asked for is named, with `mergedInto`, so a client that kept that id can tell it is now
 * another profile's (findProfile gives the live id only).
 *
 * @example
 * matchedBy('profile:p2', { kind: 'profile', value: 'p1' }, 'p1'); // { kind: 'profile', value: 'p2', mergedInto: 'p1' }
 */
export function matchedBy(identifier: string, matched: { kind: string; value: string }, liveId: string): Record<string, string> {
  const asked = identifier.startsWith('profile:') ? identifier.slice('profile:'.length) : undefined;
  if (matched.kind === 'profile' && asked !== undefined && asked !== liveId) return { kind: 'profile', value: asked, mergedInto: liveId };
  return matched;
}
