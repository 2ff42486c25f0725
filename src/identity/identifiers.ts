import type { Message } from '../collect/message.js';
import { isBlocked, kindRank, type MergeRules } from './merge-rules.js';

/** One identifier of a person: its kind (userId, anonymousId, email, or an external id type) and value. */
export interface Identifier {
  kind: string;
  value: string;
}

/** An identifier a message carried but that was not used, and why. */
export interface IgnoredIdentifier extends Identifier {
  reason: string;
}

/**
 * Normalises a value of a kind: emails are trimmed and lower-cased; other values are trimmed.
 *
 * @example
 * normalizeIdentifier('email', ' Ana@Example.COM '); // 'ana@example.com'
 */
export function normalizeIdentifier(kind: string, value: string): string {
  const v = value.trim();
  return kind === 'email' ? v.toLowerCase() : v;
}

/**
 * Every identifier a message carries, strongest first under the rules, with blocked values set
 * aside. Sources: userId, anonymousId, traits.email / context.traits.email, and
 * context.externalIds[] ({id, type}) as Segment's spec defines them. An alias call's previousId
 * is returned apart (`previous`), since alias merges two profiles rather than naming one.
 *
 * @example
 * identifiersOf({ type: 'identify', userId: 'u1', anonymousId: 'a1', traits: { email: 'A@x.io' }, context: {} } as Message, rules);
 */
export function identifiersOf(m: Message, rules: MergeRules): { ids: Identifier[]; ignored: IgnoredIdentifier[] } {
  // Called for every message: no closures, and no sort call for the usual one or two identifiers.
  const out = { ids: [] as Identifier[], ignored: [] as IgnoredIdentifier[] };
  addIdentifier(out, rules, 'userId', m.userId);
  if (m.type === 'identify' || m.type === 'alias') addIdentifier(out, rules, 'email', m.traits?.email);
  const ctxTraits = m.context.traits as Record<string, unknown> | undefined;
  if (ctxTraits && typeof ctxTraits === 'object') addIdentifier(out, rules, 'email', ctxTraits.email);
  const ext = m.context.externalIds;
  if (Array.isArray(ext)) {
    for (const e of ext) {
      if (e && typeof e === 'object' && typeof (e as { type?: unknown }).type === 'string') {
        const kind = (e as { type: string }).type;
        addIdentifier(out, rules, kind === 'user_id' ? 'userId' : kind === 'anonymous_id' ? 'anonymousId' : kind, (e as { id?: unknown }).id);
      }
    }
  }
  addIdentifier(out, rules, 'anonymousId', m.anonymousId);
  sortByRank(out.ids, rules);
  return out;
}

function addIdentifier(out: { ids: Identifier[]; ignored: IgnoredIdentifier[] }, rules: MergeRules, kind: string, raw: unknown): void {
  if (typeof raw === 'number') raw = String(raw);
  if (typeof raw !== 'string') return;
  const value = normalizeIdentifier(kind, raw);
  if (isBlocked(rules, value)) {
    out.ignored.push({ kind, value, reason: `the value "${value}" is on the blocked list of the merge rules` });
    return;
  }
  if (kind === 'email' && !value.includes('@')) {
    out.ignored.push({ kind, value, reason: 'it is not an e-mail address' });
    return;
  }
  for (const i of out.ids) if (i.kind === kind && i.value === value) return;
  out.ids.push({ kind, value });
}

/** Strongest kind first; stable (an insertion sort: a message carries a handful of identifiers). */
function sortByRank(ids: Identifier[], rules: MergeRules): void {
  for (let i = 1; i < ids.length; i++) {
    const x = ids[i];
    const r = kindRank(rules, x.kind);
    let j = i - 1;
    while (j >= 0 && kindRank(rules, ids[j].kind) > r) {
      ids[j + 1] = ids[j];
      j--;
    }
    ids[j + 1] = x;
  }
}

/** The key an identifier is indexed by. */
export function identifierKey(kind: string, value: string): string {
  return `${kind}\u0000${value}`;
}
