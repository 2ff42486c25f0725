import type { Message } from '../collect/message.js';
import { kindRank, SEGMENT_KINDS, whyBlocked, type MergeRules } from './merge-rules.js';

/** One identifier of a person: its kind (userId, anonymousId, email, or an external id type) and value. */
export interface Identifier {
  kind: string;
  value: string;
}

/**
 * An identifier a message carried but that was not used, and why. Its kind and value are bounded
 * (shortened: the first 64 characters of a longer one), as the profile records it (identityConflicts).
 */
export interface IgnoredIdentifier extends Identifier {
  reason: string;
  /** Where the message carried it (`userId`, `traits.email`, `context.externalIds[2].id` …), when known. */
  field?: string;
}

/**
 * Normalises a value of a kind. An e-mail loses the invisible format characters a copy and paste
 * brings along (Unicode category Cf: zero-width spaces and joiners U+200B–U+200D, the word joiner
 * U+2060, the byte order mark U+FEFF, bidirectional marks, soft hyphens), is trimmed, taken out of
 * angle brackets (`<ana@x.io>`, `Ana <ana@x.io>`) and of a leading `mailto:` (in any case),
 * lower-cased (whole: RFC 5321 makes only the domain case-insensitive and leaves the local part to
 * the receiving server, which in practice ignores its case) and put in Unicode NFC, so an accent
 * typed as one character or as a letter and a combining mark is one address (until 2026-12-06 a
 * zero-width space, brackets or `mailto:` made another identity). Other values are opaque ids, only
 * trimmed.
 *
 * @example
 * normalizeIdentifier('email', ' Ana@Example.COM '); // 'ana@example.com'
 * normalizeIdentifier('email', 'MAILTO:ana@x.io\u200B'); // 'ana@x.io'
 */
export function normalizeIdentifier(kind: string, value: string): string {
  if (kind !== 'email') return value.trim();
  let v = value.replace(FORMAT_CHARACTERS, '').trim();
  const open = v.lastIndexOf('<');
  if (open >= 0 && v.endsWith('>')) v = v.slice(open + 1, -1).trim();
  if (/^mailto:/i.test(v)) v = v.slice('mailto:'.length).trim();
  return v.toLowerCase().normalize('NFC');
}

const FORMAT_CHARACTERS = /\p{Cf}/gu;

/**
 * Whether a normalised e-mail reads as an address: text, an "@", and text after it (the last "@":
 * a quoted local part may hold one), with no space or angle bracket. A domain without a dot
 * (`ana@localhost`) is taken — an intranet's mail has such — and so is anything else a server might
 * accept: a value that is not an address is set aside and recorded as an identity conflict.
 *
 * @example
 * isEmailAddress('ana@x.io'); // true
 * isEmailAddress('ana @x.io'); // false
 */
export function isEmailAddress(value: string): boolean {
  const at = value.lastIndexOf('@');
  return at > 0 && at < value.length - 1 && !/[\s<>]/u.test(value);
}

/**
 * Tact's name for an identifier kind: Segment's `user_id` and `anonymous_id` (externalIds types,
 * Identity Resolution settings) are `userId` and `anonymousId`; every other kind is its own name.
 *
 * @example
 * tactKind('user_id'); // 'userId'
 * tactKind('phone'); // 'phone'
 */
export function tactKind(kind: string): string {
  return Object.hasOwn(SEGMENT_KINDS, kind) ? SEGMENT_KINDS[kind] : kind;
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
  addIdentifier(out, rules, 'userId', m.userId, 'userId');
  if (m.type === 'identify' || m.type === 'alias') addIdentifier(out, rules, 'email', m.traits?.email, 'traits.email');
  const ctxTraits = m.context.traits as Record<string, unknown> | undefined;
  if (ctxTraits && typeof ctxTraits === 'object') addIdentifier(out, rules, 'email', ctxTraits.email, 'context.traits.email');
  const ext = m.context.externalIds;
  if (Array.isArray(ext)) {
    for (let i = 0; i < ext.length; i++) {
      const e = ext[i] as { type?: unknown; id?: unknown; collection?: unknown } | null;
      // Whatever is not read is recorded, not dropped: a client sending its ids in another shape
      // (until 2026-12-05 passed over in silence) learns it from the profile, or from the 400 of a
      // message left with no identifier.
      if (!e || typeof e !== 'object' || Array.isArray(e)) {
        out.ignored.push({ kind: '', value: shortened(jsonText(e)), field: `context.externalIds[${i}]`, reason: `it is ${typeName(e)}, not an external id ({ id, type })` });
        continue;
      }
      const sent = idText(e.id);
      if (typeof e.type !== 'string') {
        const why = e.type === undefined || e.type === null ? 'it has no `type`' : `its \`type\` is ${typeName(e.type)}, not a string`;
        out.ignored.push({ kind: '', value: shortened(sent?.text ?? ''), field: `context.externalIds[${i}].type`, reason: `${why}: an external id needs one (such as "phone" or "ios.idfa") to say what kind of id it is` });
        continue;
      }
      // An id of no type would be one identity of kind '' for every client that sends such ids:
      // all of them whose values match ("1", a shared default) would merge into one person.
      if (e.type.trim() === '') {
        if (sent) out.ignored.push({ kind: '', value: shortened(sent.text), field: `context.externalIds[${i}].type`, reason: `its \`type\` is empty: an external id needs one (such as "phone" or "ios.idfa") to say what kind of id it is` });
        continue;
      }
      const kind = tactKind(e.type);
      if (kind.length > MAX_KIND_LENGTH) {
        if (sent) out.ignored.push({ kind: shortened(kind), value: shortened(sent.text), field: `context.externalIds[${i}].type`, reason: tooLong(kind, '') as string });
        continue;
      }
      // Segment's externalIds name their collection: "users", or "accounts" for an account's id,
      // which every member shares and which would merge them all into one person.
      if (e.collection !== undefined && e.collection !== null && e.collection !== 'users') {
        if (sent) out.ignored.push({ kind, value: shortened(sent.text), field: `context.externalIds[${i}].id`, reason: `it identifies an account (collection ${collectionName(e.collection)}), not a person` });
        continue;
      }
      addIdentifier(out, rules, kind, e.id, `context.externalIds[${i}].id`);
    }
  } else if (ext !== undefined && ext !== null) {
    out.ignored.push({ kind: 'externalIds', value: shortened(jsonText(ext)), field: 'context.externalIds', reason: `it is ${typeName(ext)}, not a list of external ids ({ id, type }): none of its ids was read` });
  }
  addIdentifier(out, rules, 'anonymousId', m.anonymousId, 'anonymousId');
  sortByRank(out.ids, rules);
  return out;
}

/**
 * The longest identifier value, in UTF-16 code units, as for a userId (normalizeMessage). Beyond
 * it no one's id is meant, and PostgreSQL could not index it: a B-tree entry holds ≈ 2,700 bytes,
 * and an identity is indexed by its kind and value (≤ 3 bytes of UTF-8 per code unit).
 */
export const MAX_IDENTIFIER_LENGTH = 512;
/** The longest identifier kind: an external id's `type` names a kind ("phone", "ios.idfa"). */
export const MAX_KIND_LENGTH = 100;

/**
 * Why a kind or value is too long to be an identifier, or undefined when it is not.
 *
 * @example
 * tooLong('email', 'a'.repeat(600)); // 'it is 600 characters long, and an identifier may be at most 512'
 */
export function tooLong(kind: string, value: string): string | undefined {
  if (kind.length > MAX_KIND_LENGTH) return `its type is ${kind.length} characters long, and an identifier's type may be at most ${MAX_KIND_LENGTH}`;
  if (value.length > MAX_IDENTIFIER_LENGTH) return `it is ${value.length} characters long, and an identifier may be at most ${MAX_IDENTIFIER_LENGTH}`;
  return undefined;
}

/** An external id's collection as a reason names it: bounded, as the reason is recorded (a key of identityConflicts). */
function collectionName(c: unknown): string {
  return typeof c === 'string' ? JSON.stringify(shortened(c)) : `of type ${Array.isArray(c) ? 'array' : typeof c}`;
}

/** A value too long to record whole (an identity conflict is indexed by it): its start, marked as cut. */
export function shortened(v: string): string {
  return v.length > 64 ? `${v.slice(0, 64)}…` : v;
}

/**
 * An id as sent, read as text — a string as it is, a number by its digits — with why it cannot be
 * an id, if so: a number JSON does not hold exactly (beyond 2^53 − 1, or not whole) is read as the
 * nearest double, so two 64-bit ids such as …890 and …891 would be one ("…000") and two people
 * would merge, as a userId sent so is refused (normalizeMessage); an object, a list or a boolean
 * names no one. Undefined when none was sent (absent, null).
 *
 * @example
 * idText(42); // { text: '42' }
 * idText(12345678901234567890); // { text: '12345678901234567000', why: 'it is the number 12345678901234567000 as read: beyond 9007199254740991 …' }
 */
export function idText(raw: unknown): { text: string; why?: string } | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === 'string') return { text: raw };
  if (typeof raw === 'number') {
    if (Number.isSafeInteger(raw)) return { text: String(raw) };
    const why = Number.isInteger(raw)
      ? `it is the number ${String(raw)} as read: beyond 9007199254740991 (2^53 − 1) JSON holds a number only approximately, and ids that differ would become one (send it as a string)`
      : `it is the number ${String(raw)}, not a whole one (send an id as a string)`;
    return { text: String(raw), why };
  }
  return { text: jsonText(raw), why: `it is ${typeName(raw)}, not a string or a number` };
}

/** A JSON value as its text (what a conflict records of a value that is no id), bounded by the caller. */
function jsonText(v: unknown): string {
  return JSON.stringify(v) ?? String(v);
}

/** A value's JSON type, as a reason names it: "an object", "an array", "a boolean", "null". */
function typeName(v: unknown): string {
  return Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function addIdentifier(out: { ids: Identifier[]; ignored: IgnoredIdentifier[] }, rules: MergeRules, kind: string, raw: unknown, field: string): void {
  const sent = idText(raw);
  if (!sent) return;
  if (sent.why) {
    out.ignored.push({ kind: shortened(kind), value: shortened(sent.text), field, reason: sent.why });
    return;
  }
  const value = normalizeIdentifier(kind, sent.text);
  // White space alone, trimmed to nothing: quoted as sent, not as "" on the blocked list (until 2026-12-08).
  if (value === '') {
    out.ignored.push({ kind, value: shortened(sent.text), field, reason: `the value ${JSON.stringify(shortened(sent.text))} is white space alone, which identifies no one` });
    return;
  }
  const long = tooLong(kind, value);
  if (long) {
    out.ignored.push({ kind: shortened(kind), value: shortened(value), field, reason: long });
    return;
  }
  const blocked = whyBlocked(rules, value);
  if (blocked) {
    out.ignored.push({ kind, value: shortened(value), field, reason: blocked });
    return;
  }
  if (kind === 'email' && !isEmailAddress(value)) {
    out.ignored.push({ kind, value: shortened(value), field, reason: 'it is not an e-mail address' });
    return;
  }
  for (const i of out.ids) if (i.kind === kind && i.value === value) return;
  out.ids.push({ kind, value });
}

/**
 * Strongest kind first, kinds of one rank (those the rules do not list) in name order, so the
 * order a client lists its externalIds in does not decide which profile a message joins; stable
 * within a kind (an insertion sort: a message carries a handful of identifiers).
 */
function sortByRank(ids: Identifier[], rules: MergeRules): void {
  for (let i = 1; i < ids.length; i++) {
    const x = ids[i];
    const r = kindRank(rules, x.kind);
    let j = i - 1;
    while (j >= 0 && weaker(kindRank(rules, ids[j].kind), ids[j].kind, r, x.kind)) {
      ids[j + 1] = ids[j];
      j--;
    }
    ids[j + 1] = x;
  }
}

/** Whether an identifier of kind `a` (rank ra) comes after one of kind `b` (rank rb). */
function weaker(ra: number, a: string, rb: number, b: string): boolean {
  return ra > rb || (ra === rb && a > b);
}

/** The key an identifier is indexed by. */
export function identifierKey(kind: string, value: string): string {
  return `${kind}\u0000${value}`;
}
