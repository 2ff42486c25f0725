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
 * merging profiles the message links — unless a merge would break a per-kind limit, in which case
 * the weaker identifier is dropped for this message and stays where it was (Segment's identity
 * resolution behaves the same way). When two existing profiles merge, the older one survives.
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
      const why = breaksLimit(rules, current, [id]);
      if (why) dropped.push({ ...id, reason: why });
      else if (target) index.add(target, id);
      else pending.push(id);
      continue;
    }
    if (owner === target) continue;
    if (target === undefined) {
      const why = breaksLimit(rules, index.identitiesOf(owner), pending);
      if (why) {
        dropped.push({ ...id, reason: why });
        continue;
      }
      target = owner;
      for (const p of pending) index.add(owner, p);
      pending = [];
      continue;
    }
    const why = breaksLimit(rules, index.identitiesOf(target), index.identitiesOf(owner));
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

/** Says which limit joining these two identifier sets would break, or undefined when none. */
export function breaksLimit(rules: MergeRules, a: readonly Identifier[], b: readonly Identifier[]): string | undefined {
  for (const [kind, limit] of Object.entries(rules.limits)) {
    const values = new Set<string>();
    for (const i of a) if (i.kind === kind) values.add(i.value);
    for (const i of b) if (i.kind === kind) values.add(i.value);
    if (values.size > limit) {
      return `merging would give one profile ${values.size} ${kind} values and the merge rules allow ${limit}`;
    }
  }
  return undefined;
}
