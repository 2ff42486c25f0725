/**
 * The operator's merge rules for the identity graph (compare Segment's Identity Resolution
 * settings): how many values of each identifier kind one profile may hold, which values are never
 * identifiers, and which kinds win when a limit is hit.
 */
export interface MergeRules {
  /**
   * Most distinct values of a kind on one profile, e.g. { userId: 1 }. Kinds not listed have no
   * limit. A profile over a limit lowered since keeps its values but gains no more of that kind.
   */
  limits: Record<string, number>;
  /**
   * Values that are never treated as identifiers (compared case-insensitively, after trimming);
   * besides them, any value made only of zeroes and dashes (Segment's suggested pattern).
   */
  blocked: string[];
  /** Values the operator took off the default blocked ones: the zeroes-and-dashes pattern spares them too. */
  unblocked?: string[];
  /**
   * Identifier kinds from strongest to weakest; kinds not listed come after, in the default order
   * (userId, email, external ids in name order as in Segment's Identity Resolution settings,
   * anonymousId) — before anonymousId when it is listed last (see kindRank).
   */
  priority: string[];
}

/**
 * The merge rules document as an operator writes it: each part is optional and laid over the
 * defaults rather than replacing them (an operator who raises one limit keeps the others and the
 * blocked values). `null` for a kind's limit lifts its default; `unblocked` takes values off the
 * default blocked list; `priority`, an order, replaces the default one whole.
 */
export interface MergeRulesDocument {
  limits?: Record<string, number | null>;
  blocked?: string[];
  unblocked?: string[];
  priority?: string[];
}

/**
 * Values that a broken client sends when it has no id; never merge on them. The nil UUID is what
 * Apple's and Google's advertising ids read when the user limits ad tracking (Segment's suggested
 * "zeroes and dashes" pattern, which isBlocked applies besides this list, matches it too).
 */
export const DEFAULT_BLOCKED = ['', 'null', 'undefined', 'anonymous', 'unknown', 'none', 'nil', 'n/a', '0', '-1', 'nan', 'guest', 'test@test.com', '00000000-0000-0000-0000-000000000000'];

export const DEFAULT_MERGE_RULES: MergeRules = {
  limits: { userId: 1, email: 5 },
  blocked: DEFAULT_BLOCKED,
  priority: ['userId', 'email', 'anonymousId'],
};

/**
 * The rank of a kind in the priority order (lower is stronger). Kinds not listed come after the
 * listed ones in the default order — `userId`, then `email`, then external ids (one rank:
 * identifiersOf orders them by name), then `anonymousId` — but before an `anonymousId` that ends
 * the order, as it ends the default one (a person's id outranks a cookie). So an order that leaves
 * out Tact's own kinds never ranks e-mails above user ids (until 2026-12-06 every kind not listed
 * ranked in name order, `email` before `userId`).
 *
 * @example
 * kindRank(DEFAULT_MERGE_RULES, 'userId'); // 0
 * kindRank(DEFAULT_MERGE_RULES, 'phone'); // 4: after email, before anonymousId
 * kindRank(withDefaults({ priority: ['email'] }), 'userId'); // 1: after email, listed first
 */
export function kindRank(rules: MergeRules, kind: string): number {
  const n = rules.priority.length;
  const trailingAnon = rules.priority[n - 1] === 'anonymousId';
  const i = rules.priority.indexOf(kind);
  if (i >= 0 && !(trailingAnon && i === n - 1)) return i;
  const rest = trailingAnon ? n - 1 : n;
  // Among the kinds left out: Tact's default order, external ids before the cookie.
  return rest + (kind === 'userId' ? 0 : kind === 'email' ? 1 : kind === 'anonymousId' ? 3 : 2);
}

/** Whether a value may not serve as an identifier under these rules (an empty one never may). */
export function isBlocked(rules: MergeRules, value: string): boolean {
  return whyBlocked(rules, value) !== undefined;
}

/**
 * Segment's suggested blocked pattern, "Zeroes and Dashes (^[0-]*$)": the placeholder a client
 * sends with no real value (a phone "000-000-0000", an id "0000", the nil UUID).
 */
const ZEROES_AND_DASHES = /^[0-]+$/;

/**
 * Why a value may not serve as an identifier under these rules — a reason to record — or
 * undefined when it may.
 *
 * @example
 * whyBlocked(DEFAULT_MERGE_RULES, '000-000-0000'); // 'the value "000-000-0000" is only zeroes and dashes, …'
 */
export function whyBlocked(rules: MergeRules, value: string): string | undefined {
  const v = value.trim().toLowerCase();
  // Asked for every identifier of every message: the lists are normalised once per rules object.
  let sets = blockedSets.get(rules);
  if (!sets) blockedSets.set(rules, (sets = { blocked: new Set(rules.blocked.map(blockKey)), unblocked: new Set((rules.unblocked ?? []).map(blockKey)) }));
  if (v === '' || sets.blocked.has(v)) return `the value "${value}" is on the blocked list of the merge rules`;
  if (ZEROES_AND_DASHES.test(v) && !sets.unblocked.has(v)) {
    return `the value "${value}" is only zeroes and dashes, a placeholder the merge rules block (Segment's suggested pattern ^[0-]*$; list it in \`unblocked\` to use it)`;
  }
  return undefined;
}

const blockKey = (v: string): string => v.trim().toLowerCase();

const blockedSets = new WeakMap<MergeRules, { blocked: Set<string>; unblocked: Set<string> }>();

/** Checks an operator's merge rules document; returns the problems (empty when valid). */
export function checkMergeRules(doc: unknown): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  // A list is no rules (until 2026-12-08 one was stored, and the rules of the config file stopped applying).
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return [{ field: 'mergeRules', message: `The merge rules must be a JSON object with \`limits\`, \`blocked\` and \`priority\`${Array.isArray(doc) ? '; it was a list' : ''}.` }];
  const d = doc as Record<string, unknown>;
  if (d.limits !== undefined) {
    if (typeof d.limits !== 'object' || d.limits === null || Array.isArray(d.limits)) problems.push({ field: 'limits', message: 'The `limits` property must be an object of identifier kind → maximum count.' });
    else for (const [k, v] of Object.entries(d.limits)) {
      const unknown = kindProblem(k, `limits.${k}`, (kind) => `limits.${kind}`);
      if (unknown) problems.push(unknown);
      else if (v !== null && (!Number.isInteger(v) || (v as number) < 1)) problems.push({ field: `limits.${k}`, message: `The limit for \`${k}\` must be a whole number of at least 1, or null for no limit.` });
    }
  }
  if (d.blocked !== undefined && (!Array.isArray(d.blocked) || d.blocked.some((b) => typeof b !== 'string'))) {
    problems.push({ field: 'blocked', message: 'The `blocked` property must be a list of strings (added to the default blocked values).' });
  }
  if (d.unblocked !== undefined && (!Array.isArray(d.unblocked) || d.unblocked.some((b) => typeof b !== 'string'))) {
    problems.push({ field: 'unblocked', message: 'The `unblocked` property must be a list of strings: default blocked values to use as identifiers after all.' });
  } else if (Array.isArray(d.unblocked)) {
    // The empty value is never an identifier (whyBlocked): listed, it would unblock nothing, silently.
    d.unblocked.forEach((v: string, i) => {
      if (v.trim() === '') problems.push({ field: `unblocked[${i}]`, message: `The \`unblocked[${i}]\` is blank: an empty value is never an identifier, whatever the merge rules say, so it unblocks nothing. Leave it out.` });
    });
  }
  if (d.priority !== undefined && (!Array.isArray(d.priority) || d.priority.some((b) => typeof b !== 'string'))) {
    problems.push({ field: 'priority', message: 'The `priority` property must be a list of identifier kinds, strongest first.' });
  } else if (Array.isArray(d.priority)) {
    d.priority.forEach((k: string, i) => {
      const first = (d.priority as string[]).indexOf(k);
      const unknown = kindProblem(k, `priority[${i}]`, (kind) => kind);
      if (first < i) problems.push({ field: `priority[${i}]`, message: `The \`priority[${i}]\` \`${k}\` is listed already, at \`priority[${first}]\`: a kind has one place in the order. Leave out one of them.` });
      else if (unknown) problems.push(unknown);
    });
  }
  return problems;
}

/**
 * Segment's names for the kinds (its Identity Resolution settings list `user_id` and
 * `anonymous_id`) and Tact's. identifiersOf reads an externalId of such a type as Tact's kind (and
 * a profile lookup `user_id:…` as `userId:…`: see tactKind in identifiers.ts), so
 * no identity is ever of kind `user_id`: a limit on it would limit nothing, and a priority naming
 * it would leave `userId` unlisted, ranked after e-mails and external ids.
 */
export const SEGMENT_KINDS: Readonly<Record<string, string>> = { user_id: 'userId', anonymous_id: 'anonymousId' };

/** The kinds Tact itself gives identifiers (identifiersOf); an external id's `type` names any other. */
export const OWN_IDENTIFIER_KINDS: readonly string[] = ['userId', 'anonymousId', 'email'];

/** A kind as a misspelling of it reads: lower case, without `_` and `-` (`user_id`, `UserID`, `E-mail`). */
const looseKind = (kind: string): string => kind.toLowerCase().replace(/[_-]/g, '');

/**
 * Why the merge rules refuse a kind, or undefined when they take it: a Segment name (`user_id`),
 * or one of Tact's kinds written in another case or with `_` or `-` (`userid`, `Email`). Kinds are
 * compared exactly, so such a kind would be another one, of no identity — its limit limiting
 * nothing, a priority naming it ranking `userId` after e-mails (until 2026-12-05 `userid` and
 * `Email` were taken silently). `write` says what to write instead, given Tact's kind. Any other
 * kind (an external id's `type`) is taken.
 */
function kindProblem(kind: string, field: string, write: (kind: string) => string): { field: string; message: string } | undefined {
  if (Object.hasOwn(SEGMENT_KINDS, kind)) {
    return { field, message: `The merge rules know no identifier kind \`${kind}\`: Tact calls it \`${SEGMENT_KINDS[kind]}\` (Segment's ${kind}). Write \`${write(SEGMENT_KINDS[kind])}\`.` };
  }
  const meant = OWN_IDENTIFIER_KINDS.find((k) => k !== kind && looseKind(k) === looseKind(kind));
  if (meant === undefined) return undefined;
  return { field, message: `The merge rules know no identifier kind \`${kind}\`: kinds are compared exactly, and Tact's is \`${meant}\`. Write \`${write(meant)}\`.` };
}

/**
 * The rules a document puts in force: its limits over the default ones (kind by kind; null lifts
 * one), its blocked values with the default ones but those it unblocks (the empty value stays
 * blocked: isBlocked refuses it whatever the list), and its priority or the default one. A stored
 * document written when each part replaced the default whole keeps its meaning but for the
 * defaults it left out, which now apply too: a value it meant to allow belongs in `unblocked`.
 *
 * @example
 * withDefaults({ limits: { userId: 2 }, blocked: ['void'] }); // limits { userId: 2, email: 5 }; 'void', 'null' … blocked
 */
export function withDefaults(doc: MergeRulesDocument | undefined): MergeRules {
  const limits: Record<string, number> = { ...DEFAULT_MERGE_RULES.limits };
  for (const [kind, limit] of Object.entries(doc?.limits ?? {})) {
    if (limit === null) delete limits[kind];
    else limits[kind] = limit;
  }
  const unblocked = new Set((doc?.unblocked ?? []).map(blockKey));
  const blocked = [...new Set([...DEFAULT_MERGE_RULES.blocked.filter((v) => !unblocked.has(blockKey(v))), ...(doc?.blocked ?? [])])];
  return { limits, blocked, priority: doc?.priority ?? DEFAULT_MERGE_RULES.priority, ...(unblocked.size ? { unblocked: [...unblocked] } : {}) };
}
