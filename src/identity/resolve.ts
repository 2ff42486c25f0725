import type { Identifier, IgnoredIdentifier } from './identifiers.js';
import type { IdentityIndex, MergeRecord } from './identity-index.js';
import type { MergeRules } from './merge-rules.js';

export interface ResolveOptions {
  messageId: string;
  at: number;
  /** The message type, recorded as the reason of any merge. */
  reason: string;
  /** Makes a fresh profile id. */
  newId: () => string;
}

export interface Resolution {
  profileId: string;
  created: boolean;
  merges: MergeRecord[];
  /** Identifiers the message carried that were not attached, with the rule that stopped them. */
  dropped: IgnoredIdentifier[];
}

/**
 * Resolves a message's identifiers (strongest first) to one profile, attaching new identifiers and
 * merging profiles the message links — unless that would break a per-kind limit, in which case
 * the weaker identifier is dropped for this message and stays where it was (Segment's identity
 * resolution behaves the same way). When two existing profiles merge, the older one survives. A
 * limit binds only the kinds an attachment or merge adds values of: a profile over a limit
 * lowered since keeps what it has, gains no more of that kind, and may still gain other kinds.
 *
 * @example
 * // anonymous browsing then sign-up: the anonymous profile is kept and gains the userId
 * resolveIdentity(index, [{ kind: 'userId', value: 'u1' }, { kind: 'anonymousId', value: 'a1' }], rules, opts);
 */
export function resolveIdentity(index: IdentityIndex, ids: Identifier[], rules: MergeRules, opts: ResolveOptions): Resolution {
  let target: string | undefined;
  let pending: Identifier[] = [];
  const merges: MergeRecord[] = [];
  const dropped: IgnoredIdentifier[] = [];

  for (const id of ids) {
    const owner = index.lookup(id);
    if (target === undefined && pending.length === 0) {
      if (owner) target = owner;
      else pending.push(id);
      continue;
    }
    if (owner === undefined) {
      const current = target ? index.identitiesOf(target) : pending;
      if (current.some((c) => c.kind === id.kind && c.value === id.value)) continue;
      const why = addingBreaksLimit(rules, current, id);
      if (why) dropped.push({ ...id, reason: why });
      else if (target) index.add(target, id);
      else pending.push(id);
      continue;
    }
    if (owner === target) continue;
    if (target === undefined) {
      // The message's new identifiers would join this one's profile: a merge in all but name (a shared device's first conflict).
      const why = mergingBreaksLimit(rules, index.identitiesOf(owner), pending);
      if (why) {
        dropped.push({ ...id, reason: why });
        continue;
      }
      target = owner;
      for (const p of pending) index.add(owner, p);
      pending = [];
      continue;
    }
    const why = mergingBreaksLimit(rules, index.identitiesOf(target), index.identitiesOf(owner));
    if (why) {
      dropped.push({ ...id, reason: why });
      continue;
    }
    const [into, from] = older(index, target, owner);
    const rec: MergeRecord = { from, into, messageId: opts.messageId, at: opts.at, reason: opts.reason, via: id };
    index.merge(rec);
    merges.push(rec);
    target = into;
  }

  let created = false;
  if (target === undefined) {
    target = opts.newId();
    index.create(target, opts.at);
    for (const p of pending) index.add(target, p);
    created = true;
  }
  return { profileId: target, created, merges, dropped };
}

function older(index: IdentityIndex, a: string, b: string): [string, string] {
  const ca = index.createdAt(a);
  const cb = index.createdAt(b);
  if (ca < cb || (ca === cb && a < b)) return [a, b];
  return [b, a];
}

/**
 * Says which limit adding the identifier `id` to a profile holding `held` would break, or undefined
 * when none. Only the kind of `id` is checked, so a profile over a limit lowered since may still
 * gain identifiers of other kinds, though no more of that one.
 *
 * @example
 * const u = (value: string) => ({ kind: 'userId', value });
 * addingBreaksLimit(DEFAULT_MERGE_RULES, [u('u1'), u('u2')], { kind: 'anonymousId', value: 'a' }); // undefined: it adds no userId
 * addingBreaksLimit(DEFAULT_MERGE_RULES, [u('u1')], u('u2')); // 'adding it to the profile would give the profile 2 userId values and the merge rules allow 1'
 */
export function addingBreaksLimit(rules: MergeRules, held: readonly Identifier[], id: Identifier): string | undefined {
  if (!Object.hasOwn(rules.limits, id.kind)) return undefined;
  const limit = rules.limits[id.kind];
  const values = valuesOf(held, id.kind);
  if (values.has(id.value) || values.size + 1 <= limit) return undefined;
  return `adding it to the profile would give the profile ${values.size + 1} ${id.kind} values and the merge rules allow ${limit}`;
}

/**
 * Says which limit merging the identifiers `a` and `b` into one profile would break, or undefined
 * when none: two profiles, or a profile and the new identifiers of a message it would join. Only a
 * kind both hold values of is checked (the merged profile would have more than either), so one
 * over a limit lowered since may still merge with a profile holding none of that kind.
 *
 * @example
 * mergingBreaksLimit(DEFAULT_MERGE_RULES, [{ kind: 'userId', value: 'u1' }], [{ kind: 'userId', value: 'u2' }]); // 'merging would give one profile 2 userId values and the merge rules allow 1'
 */
export function mergingBreaksLimit(rules: MergeRules, a: readonly Identifier[], b: readonly Identifier[]): string | undefined {
  for (const [kind, limit] of Object.entries(rules.limits)) {
    const inA = valuesOf(a, kind);
    const inB = valuesOf(b, kind);
    const merged = new Set([...inA, ...inB]);
    if (merged.size > limit && merged.size > Math.max(inA.size, inB.size)) {
      // Worded as it always was: a conflict is kept once per reason, so the rows stored (a shared device's) go on counting.
      return `merging would give one profile ${merged.size} ${kind} values and the merge rules allow ${limit}`;
    }
  }
  return undefined;
}

const valuesOf = (ids: readonly Identifier[], kind: string): Set<string> => new Set(ids.filter((i) => i.kind === kind).map((i) => i.value));
