import { createHash, randomUUID } from 'node:crypto';
import type { FieldProblem } from '../errors/tact-error.js';
import { MESSAGE_TYPES, type Message, type MessageType } from './message.js';
import { MAX_DEPTH, hasLoneSurrogate, nonFinitePath, nulPath, nulProblem, tooDeepPath, wellFormed } from '../errors/input-values.js';

/**
 * Segment's per-message limit (https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/#max-request-size),
 * in UTF-8 bytes of the message as sent — its JSON, as Segment's libraries measure it
 * (loosely-validate-event: `Buffer.byteLength(JSON.stringify(message))`) — not of the message normalised.
 */
export const MAX_MESSAGE_BYTES = 32 * 1024;
/** The largest time a JavaScript Date holds, in ms either side of 1970 (ECMA-262 §21.4.1.1). */
const MAX_DATE_MS = 8.64e15;
/**
 * An ISO-8601 date or date-time (RFC 3339, also with a space before the time or more than three
 * digits of a second). Date.parse alone also reads free text — "foo 2026" as 1 January 2026.
 */
export const ISO_8601 = /^([+-]?\d{4,6})-(\d{2})-(\d{2})(?:([Tt ])(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;

/**
 * Epoch milliseconds of an ISO-8601 date or date-time, NaN for any other text or for a day no
 * calendar has (Date.parse rolls 30 February over to 2 March). A date-time without an offset is
 * UTC (Date.parse would read it in this machine's zone); an offset of hours alone (+01) and a
 * decimal comma (ISO 8601-1 §3.2.6) are read as well, which Date.parse refuses.
 *
 * @example
 * readIsoTime('2026-11-23T11:00:00+01'); // Date.UTC(2026, 10, 23, 10)
 */
export function readIsoTime(text: string): number {
  const fast = readCanonicalTime(text);
  if (fast === fast) return fast; // not NaN
  const p = ISO_8601.exec(text);
  if (!p) return NaN;
  const [, y, mo, d, sep, h, mi, sec, frac, zone] = p;
  const year = Number(y);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][Number(mo) - 1];
  if (days === undefined || Number(d) < 1 || Number(d) > days) return NaN;
  if (!sep) return Date.parse(`${y}-${mo}-${d}`);
  const offset = zone === undefined ? 'Z' : /^[+-]\d{2}$/.test(zone) ? `${zone}:00` : zone;
  return Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${sec ?? '00'}${frac ? `.${frac}` : ''}${offset}`);
}
/** Days in each month of a common year; February of a leap year has 29. */
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * The form `Date.prototype.toISOString` writes and analytics.js sends, `YYYY-MM-DDTHH:MM:SS.sssZ`,
 * read from its digits: the time `readIsoTime` gives it (tested over random times), without a
 * regular expression, a string built and `Date.parse`. NaN for any other text — including a time
 * in this form that names no real instant (month 13, 30 February, hour 24) — which `readIsoTime`
 * then reads, or refuses, the long way.
 */
function readCanonicalTime(t: string): number {
  if (t.length !== 24 || t.charCodeAt(4) !== 45 || t.charCodeAt(7) !== 45 || t.charCodeAt(10) !== 84 || t.charCodeAt(13) !== 58 || t.charCodeAt(16) !== 58 || t.charCodeAt(19) !== 46 || t.charCodeAt(23) !== 90) return NaN;
  const year = digits(t, 0, 4);
  const month = digits(t, 5, 2);
  const day = digits(t, 8, 2);
  const hour = digits(t, 11, 2);
  const minute = digits(t, 14, 2);
  const second = digits(t, 17, 2);
  const ms = digits(t, 20, 3);
  // Date.UTC reads years 0–99 as 1900–1999: those (and every odd case) go the long way.
  if (!(year >= 100) || !(month >= 1 && month <= 12) || !(hour <= 23) || !(minute <= 59) || !(second <= 59) || !(ms >= 0)) return NaN;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 && leap ? 29 : MONTH_DAYS[month - 1];
  if (!(day >= 1 && day <= days)) return NaN;
  return Date.UTC(year, month - 1, day, hour, minute, second, ms);
}

/** The whole number written by `n` ASCII digits of `t` from `at`; NaN when one is not a digit. */
function digits(t: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = t.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  return v;
}
const TOO_DEEP: FieldProblem = { field: '(message)', message: 'The message nests too deeply to be stored; no field Segment defines is nested more than a few levels.' };
/** Segment's per-batch limit. */
export const MAX_BATCH_BYTES = 500 * 1024;

/** What the request carried besides the message: the batch envelope and the arrival time. */
export interface Envelope {
  receivedAt: number;
  /** The batch's sentAt, applied to messages that lack their own. */
  sentAt?: unknown;
  /** The batch's context, merged under each message's own context. */
  context?: unknown;
  /** The batch's integrations object, merged under each message's own. */
  integrations?: unknown;
}

export type Normalized =
  /** `sent`: UTF-8 bytes of the message as sent (JSON.stringify of the raw message), the size the 32 KB limit is of. */
  | { ok: true; message: Message; json: string; sent: number }
  | { ok: false; problems: FieldProblem[]; messageId?: string; tooLarge?: number };

/**
 * Checks one raw message against Segment's spec and returns it normalised, with its JSON for
 * storage, or the problems naming each field. `type` is the route's type; in a batch it comes
 * from the message itself. The 32 KB limit applies to `raw` as sent (the request body of a single
 * call, an element of a batch's `batch`), whatever normalisation adds (messageId, times, the
 * batch's context) or drops (fields Segment does not define).
 *
 * @example
 * normalizeMessage({ userId: 'u1', event: 'Signed Up' }, 'track', { receivedAt: Date.now() });
 */
export function normalizeMessage(raw: unknown, type: MessageType | undefined, env: Envelope): Normalized {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, problems: [{ field: '(message)', message: 'Each message must be a JSON object.' }] };
  }
  const r = raw as Record<string, unknown>;
  const sentId = typeof r.messageId === 'string' ? r.messageId : undefined;
  // A message refused before it is serialised below is measured on its own (a rare path): one too
  // large as sent is refused for its size first, whatever else is wrong with it.
  const refuse = (problems: FieldProblem[]): Normalized => {
    let sent: number;
    try {
      sent = Buffer.byteLength(JSON.stringify(r));
    } catch {
      return { ok: false, messageId: sentId, problems: [TOO_DEEP] };
    }
    return sent > MAX_MESSAGE_BYTES ? tooLarge(sent, sentId) : { ok: false, problems, messageId: sentId };
  };
  const problems: FieldProblem[] = [];
  const t = (type ?? r.type) as MessageType;
  if (!MESSAGE_TYPES.includes(t)) {
    problems.push({ field: 'type', message: r.type === undefined ? 'The `type` property is required in a batch message; it must be one of track, identify, page, screen, group, alias.' : `The \`type\` property must be one of track, identify, page, screen, group, alias; it was ${JSON.stringify(r.type)}.` });
    return refuse(problems);
  }
  const userId = idField(r, 'userId', problems);
  const anonymousId = idField(r, 'anonymousId', problems);
  // An alias needs its `userId` whatever else it carries: said below.
  if (userId === undefined && anonymousId === undefined && !problems.length && t !== 'alias') {
    const empty = (['userId', 'anonymousId'] as const).filter((k) => r[k] === '');
    problems.push({ field: 'userId', message: `${t === 'identify' ? 'An' : 'A'} ${t} call needs a \`userId\` or an \`anonymousId\`; neither was present on the data you sent${empty.length ? ` (${empty.map((k) => `\`${k}\``).join(' and ')} ${empty.length > 1 ? 'were' : 'was'} empty, which is no id)` : ''}.` });
  }
  const m: Message = { messageId: '', type: t, context: {}, timestamp: 0, receivedAt: env.receivedAt };
  if (userId !== undefined) m.userId = userId;
  if (anonymousId !== undefined) m.anonymousId = anonymousId;
  if (t === 'track') {
    if (typeof r.event !== 'string' || r.event.trim() === '') {
      problems.push({ field: 'event', message: r.event === undefined ? 'The `event` property is required for a track call. It was not present on the data you sent.' : 'The `event` property must be a non-empty string naming what the user did, e.g. "Order Completed".' });
    } else m.event = r.event.trim();
  }
  if (t === 'page' || t === 'screen') {
    for (const key of ['name', 'category'] as const) {
      const v = r[key];
      if (v === undefined || v === null) continue;
      if (typeof v !== 'string') problems.push({ field: key, message: `The \`${key}\` property of a ${t} call must be a string.` });
      else m[key] = v;
    }
  }
  if (t === 'group') {
    const g = idField(r, 'groupId', problems);
    if (g === undefined && !problems.some((p) => p.field === 'groupId')) problems.push({ field: 'groupId', message: `The \`groupId\` property is required for a group call. ${r.groupId === '' ? 'It was empty, which names no account.' : 'It was not present on the data you sent.'}` });
    m.groupId = g;
  }
  if (t === 'alias') {
    const p = idField(r, 'previousId', problems);
    if (p === undefined && !problems.some((x) => x.field === 'previousId')) problems.push({ field: 'previousId', message: `The \`previousId\` property is required for an alias call. ${r.previousId === '' ? 'It was empty, which is no id.' : 'It was not present on the data you sent.'}` });
    if (userId === undefined && !problems.some((x) => x.field === 'userId')) problems.push({ field: 'userId', message: 'The `userId` property is required for an alias call: it is the identity `previousId` becomes.' });
    m.previousId = p;
  }
  const traits = objectField(r, 'traits', problems);
  if (traits) m.traits = traits;
  const properties = objectField(r, 'properties', problems);
  if (properties) m.properties = properties;
  const context = objectField(r, 'context', problems);
  const batchContext = isObject(env.context) ? env.context : undefined;
  m.context = batchContext ? { ...batchContext, ...(context ?? {}) } : context ?? {};
  const integrations = objectField(r, 'integrations', problems);
  const batchIntegrations = isObject(env.integrations) ? env.integrations : undefined;
  if (batchIntegrations) m.integrations = { ...batchIntegrations, ...(integrations ?? {}) };
  else if (integrations) m.integrations = integrations;

  const original = timeField(r, 'originalTimestamp', problems) ?? timeField(r, 'timestamp', problems);
  const sentAt = timeField(r, 'sentAt', problems) ?? timeFromEnvelope(env.sentAt, problems);
  // null is absent here as in every other field (a client serialising its unset fields sends it).
  // An id of white space alone is as empty as '': every client sending it would share one id, and
  // all but the first message would be acknowledged as retries and dropped.
  if (r.messageId !== undefined && r.messageId !== null && (typeof r.messageId !== 'string' || r.messageId.trim() === '' || r.messageId.length > 200)) {
    const blank = typeof r.messageId === 'string' && r.messageId !== '' && r.messageId.trim() === '';
    problems.push({ field: 'messageId', message: `The \`messageId\` property must be a non-empty string of at most 200 characters${blank ? ', not white space alone' : ''}.` });
  }
  if (problems.length) return refuse(problems);
  // Traits are checked here, as sent (an identify's context.traits becomes its traits below, and
  // is named where it was sent); the rest of the message once serialised (tooDeepMessage).
  const deepTraits = tooDeepTraits(m, t);
  if (deepTraits) return refuse([tooDeepProblem(deepTraits)]);

  // Segment's clock-skew correction: timestamp = receivedAt − (sentAt − originalTimestamp).
  if (original && sentAt) m.timestamp = env.receivedAt - (sentAt.ms - original.ms);
  else m.timestamp = original ? original.ms : env.receivedAt;
  if (!(Math.abs(m.timestamp) <= MAX_DATE_MS)) {
    return refuse([{ field: 'sentAt', message: `The \`sentAt\` (${sentAt?.iso}) is too far from the message's own time (${original?.iso}) to correct for the clock's skew: the corrected time would be no date.` }]);
  }
  if (original && m.timestamp > env.receivedAt + MAX_FUTURE_MS) return refuse([futureProblem(r, original, sentAt, m.timestamp - env.receivedAt)]);
  if (original) m.originalTimestamp = original.iso;
  if (sentAt) m.sentAt = sentAt.iso;
  if (typeof r.messageId === 'string') m.messageId = r.messageId;
  else if (!original) m.messageId = randomUUID();
  else {
    try {
      m.messageId = contentId(m);
    } catch {
      return { ok: false, messageId: sentId, problems: [tooDeepOrWhole(m)] }; // a value too deep to serialise (the stack)
    }
  }
  // After the content id, which hashes the traits as sent (ids made before the merge stay the same).
  const traitsKept = keptTraits(t === 'identify' ? m.context.traits : undefined, m.traits);
  if (traitsKept) m.traits = traitsKept;

  let json: string;
  let sent: number;
  try {
    ({ json, sent } = serializeMeasuring(m, r));
  } catch {
    // Only a value nested deep enough to overflow the stack gets here (a message is 32 KB at most as sent).
    return { ok: false, messageId: sentId, problems: [tooDeepOrWhole(m)] };
  }
  if (sent > MAX_MESSAGE_BYTES) return tooLarge(sent, sentId);
  const deep = tooDeepMessage(m, json);
  if (deep) return { ok: false, messageId: sentId, problems: [tooDeepProblem(deep)] };
  // JSON text writes NUL as \u0000 and half a character (an unpaired surrogate) as \udXXX: one
  // search of the text, and a walk only when it matches (a text holding a backslash and "u0000"
  // matches too; the walk then finds nothing).
  const nul = json.includes('\\u0000') ? nulPath(m) : undefined;
  if (nul) return { ok: false, messageId: m.messageId, problems: [nulProblem(nul)] };
  // JSON.stringify writes a number JSON.parse read as ±Infinity (1e400) as null: only a text
  // holding null can hold one, so only such a message is walked (times and ids are checked above),
  // and its path written only once one is found. For an analytics.js track call of 900 bytes, of
  // ≈ 12 µs to normalise it: the search 0.2–0.5 µs, the walk 0.2–0.9 µs (nonFinitePath's 0.8–3 µs).
  if (json.includes('null') && holdsNonFinite(m, 0)) return { ok: false, messageId: m.messageId, problems: [nonFiniteProblem(nonFinitePath(m) as string)] };
  if (json.includes('\\ud') && /\\ud[89a-f]/.test(json)) {
    // An identifier with half a character would become another one once stored (both stores write
    // U+FFFD for it): refused. Elsewhere the text is kept, with U+FFFD in its place, as stored.
    for (const key of ['userId', 'anonymousId', 'groupId', 'previousId', 'messageId'] as const) {
      const v = m[key];
      if (typeof v === 'string' && hasLoneSurrogate(v)) return { ok: false, messageId: undefined, problems: [{ field: key, message: `The \`${key}\` holds half a character (an unpaired UTF-16 surrogate, not valid Unicode); send the whole character or leave it out.` }] };
    }
    const whole = wellFormed(m);
    Object.assign(m, whole);
    json = JSON.stringify(m);
  }
  return { ok: true, message: m, json, sent };
}

/**
 * How far after its receipt a message's time may be, once corrected with `sentAt`: a day. With
 * `sentAt` the correction leaves only the network's delay, so a time still ahead is a wrong one;
 * without it (server libraries, imports), a day covers a client that writes its local time as UTC
 * (offsets reach UTC+14). Beyond it one wrong clock would stand as a profile's last activity for
 * years, and its decayed counts would weigh every real event as long past next to it (≈ 0).
 */
export const MAX_FUTURE_MS = 24 * 3600_000;

function futureProblem(r: Record<string, unknown>, original: { iso: string }, sentAt: { iso: string } | undefined, aheadMs: number): FieldProblem {
  const field = r.originalTimestamp !== undefined && r.originalTimestamp !== null ? 'originalTimestamp' : 'timestamp';
  const ahead = howFarAhead(aheadMs);
  const corrected = sentAt ? `, corrected for the clock's skew with \`sentAt\` (${sentAt.iso}),` : '';
  return { field, message: `The \`${field}\` (${original.iso})${corrected} is ${ahead} after the message arrived; more than 24 hours ahead is a wrong clock, not an event. Send the time it happened, or leave \`${field}\` out for the time of receipt.` };
}

/**
 * How far past its receipt a refused time is (more than MAX_FUTURE_MS), cut to the minute and never
 * said as the limit itself: "24 hours 55 minutes", "just over 24 hours" (within its first minute
 * past), "30 hours"; from two days on, whole days.
 */
function howFarAhead(ms: number): string {
  if (ms >= 2 * 86_400_000) return `${Math.floor(ms / 86_400_000)} days`;
  const hours = Math.floor(ms / 3600_000);
  const minutes = Math.floor((ms % 3600_000) / 60_000);
  if (hours * 3600_000 + minutes * 60_000 <= MAX_FUTURE_MS) return 'just over 24 hours';
  return minutes === 0 ? `${hours} hours` : `${hours} hours ${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/**
 * Nesting deeper than this is refused (the limit every other body has, server/input-guard.ts):
 * Segment's messages nest a few levels (`properties.products[0].price` is 3 below the message), and
 * SQLite's JSON functions stop at 1000 levels, so a group whose traits nest that deep failed the
 * next write of its account — and with it the whole batch.
 */
export const MAX_MESSAGE_DEPTH = MAX_DEPTH;

/**
 * Where an identify's or a group's traits (an identify's context.traits too) hold an object or a
 * list MAX_MESSAGE_DEPTH levels below the message, else undefined.
 */
function tooDeepTraits(m: Message, t: MessageType): string | undefined {
  if (t !== 'identify' && t !== 'group') return undefined;
  if (m.traits !== undefined && nestsDeeper(m.traits, 1)) return below('traits', tooDeepPath(m.traits, MAX_MESSAGE_DEPTH - 1));
  const inContext = t === 'identify' ? (m.context as { traits?: unknown }).traits : undefined;
  if (inContext !== undefined && nestsDeeper(inContext, 2)) return below('context.traits', tooDeepPath(inContext, MAX_MESSAGE_DEPTH - 2));
  return undefined;
}

/**
 * Where any field of the message (`properties`, `context`, `integrations`, the traits as kept)
 * holds an object or a list MAX_MESSAGE_DEPTH levels below the message, else undefined: the same
 * limit as traits (until 2026-12-06 only traits were limited, and `properties` were taken 70 levels
 * deep). Walking every message cost ≈ 0.5–2 µs of the main thread's ≈ 25 µs an event, so its JSON
 * is read first: a value that deep needs more than MAX_MESSAGE_DEPTH `{` or `[` in the text (quoted
 * ones count too, so this only ever walks more than needed), and a message with fewer — an
 * analytics.js track call has about ten — is not walked.
 */
function tooDeepMessage(m: Message, json: string): string | undefined {
  let brackets = 0;
  for (let i = json.indexOf('{'); i !== -1 && brackets <= MAX_MESSAGE_DEPTH; i = json.indexOf('{', i + 1)) brackets++;
  for (let i = json.indexOf('['); i !== -1 && brackets <= MAX_MESSAGE_DEPTH; i = json.indexOf('[', i + 1)) brackets++;
  if (brackets <= MAX_MESSAGE_DEPTH || !nestsDeeper(m, 0)) return undefined;
  return tooDeepPath(m, MAX_MESSAGE_DEPTH);
}

/** A message too deep to serialise (the stack) named where it passes the limit, which it always does; TOO_DEEP if not found. */
function tooDeepOrWhole(m: Message): FieldProblem {
  const path = tooDeepPath(m, MAX_MESSAGE_DEPTH);
  return path ? tooDeepProblem(path) : TOO_DEEP;
}

/** `field` and a path below it as tooDeepPath writes it (`x.a`, `[0].a`). */
const below = (field: string, path: string | undefined): string => (!path ? field : path.startsWith('[') ? `${field}${path}` : `${field}.${path}`);

/** Whether `v` holds an object or a list MAX_MESSAGE_DEPTH levels below the message, `v` being `depth` below it (tooDeepPath's test, without its path). */
function nestsDeeper(v: unknown, depth: number): boolean {
  if (v === null || typeof v !== 'object') return false;
  if (depth >= MAX_MESSAGE_DEPTH) return true;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (nestsDeeper(v[i], depth + 1)) return true;
    return false;
  }
  for (const k in v) if (nestsDeeper((v as Record<string, unknown>)[k], depth + 1)) return true;
  return false;
}

function tooDeepProblem(field: string): FieldProblem {
  return { field, message: `The message nests deeper than ${MAX_MESSAGE_DEPTH} levels at \`${field}\`; no field Segment defines is nested more than a few levels.` };
}

/**
 * The one name no trait has: assigning `__proto__` changes an object's prototype instead of adding
 * a key, so profiles, accounts and consent never hold it (profile-state.ts sets aside a consent
 * purpose of that name, and an event name counts under "(other)").
 */
const PROTO = '__proto__';

/**
 * The traits a message sets, or undefined when they are `own` as sent: an identify's
 * `context.traits` (where RudderStack's SDKs send them) overlaid by its top-level `traits`, key by
 * key, the top-level winning; a trait named `__proto__` — at the top, or in Segment's reserved
 * `company` — left out. `own` is never changed: the size as sent is measured against it.
 *
 * @example
 * keptTraits({ email: 'a@x.io', plan: 'free' }, { plan: 'pro' }); // { email: 'a@x.io', plan: 'pro' }
 */
export function keptTraits(context: unknown, own: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  const under = isObject(context) && Object.keys(context).length > 0 ? context : undefined;
  const company = own !== undefined && Object.hasOwn(own, 'company') ? own.company : under?.company;
  const protoIn = (o: Record<string, unknown> | undefined) => o !== undefined && Object.hasOwn(o, PROTO);
  const badCompany = isObject(company) && Object.hasOwn(company, PROTO);
  if (!under && !protoIn(own) && !badCompany) return undefined;
  // Spread copies an own `__proto__` key as a key (CopyDataProperties), which `delete` then removes.
  const out: Record<string, unknown> = { ...under, ...own };
  delete out[PROTO];
  if (badCompany) {
    const c: Record<string, unknown> = { ...(company as Record<string, unknown>) };
    delete c[PROTO];
    out.company = c;
  }
  return out;
}

/** Whether `v` holds a number that is not finite, at most MAX_DEPTH levels down: nonFinitePath's test without its bookkeeping. */
function holdsNonFinite(v: unknown, depth: number): boolean {
  if (typeof v === 'number') return !Number.isFinite(v);
  if (v === null || typeof v !== 'object' || depth > MAX_DEPTH) return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (holdsNonFinite(v[i], depth + 1)) return true;
    return false;
  }
  for (const k in v) if (holdsNonFinite((v as Record<string, unknown>)[k], depth + 1)) return true;
  return false;
}

function nonFiniteProblem(field: string): FieldProblem {
  return { field, message: `The \`${field}\` must be a finite number; 1e400 and other numbers beyond ±1.8e308 are read as Infinity, which no store keeps.` };
}

function tooLarge(sent: number, messageId: string | undefined): Normalized {
  return { ok: false, tooLarge: sent, messageId, problems: [{ field: '(message)', message: `A single message may be at most 32 KB; this one is ${sent} bytes.` }] };
}

/**
 * `JSON.stringify(m)`, and `Buffer.byteLength(JSON.stringify(r))` — the size of the message as
 * sent — without serialising `r` again: only the few members the two do not share are.
 * Exact, by the definition of JSON.stringify (ECMA-262 §25.5.2.5 SerializeJSONObject, no indent):
 * a plain object (own string keys, JSON values — as JSON.parse returns, and `m`) serialises to
 * "{" + its members joined by "," + "}", each member QuoteJSONString(key) + ":" + the serialisation
 * of its value on its own, one per key of EnumerableOwnProperties (Object.keys) whose value
 * serialises to something (not undefined). With c ≥ 1 members of b_i bytes the text is
 * 1 + Σ (b_i + 1) bytes — additive per member, whatever the order. A member of `r` whose value `m`
 * holds under the same key (===: the same object, not changed since, or the same primitive) is the
 * same text in both; so bytes(r) = bytes(m) − Σ over `m`'s other members (b + 1) + Σ over `r`'s
 * other members (b + 1): those a normalisation added (messageId, times, receivedAt, a context
 * merged with the batch's), and those it dropped or rewrote (unknown fields, a trimmed event name,
 * a time or number id rewritten). `m` always has members (messageId); `r` with none is "{}".
 */
function serializeMeasuring(m: Message, r: Record<string, unknown>): { json: string; sent: number } {
  const json = JSON.stringify(m);
  const held = m as unknown as Record<string, unknown>;
  let sent = Buffer.byteLength(json);
  for (const k of Object.keys(held)) if (!(Object.hasOwn(r, k) && r[k] === held[k])) sent -= memberBytes(k, held[k]);
  for (const k of Object.keys(r)) if (!(Object.hasOwn(held, k) && r[k] === held[k])) sent += memberBytes(k, r[k]);
  return { json, sent: Math.max(2, sent) };
}

/** UTF-8 bytes of `"key":value` and its separator, 0 for a value JSON leaves out. */
function memberBytes(key: string, value: unknown): number {
  const v = jsonBytes(value);
  return v < 0 ? 0 : jsonBytes(key) + 1 + v + 1;
}

/** Printable ASCII other than `"` and `\`: JSON writes such a string as it is, within quotes. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/**
 * UTF-8 bytes of JSON.stringify(v), −1 when it gives undefined. Shortcuts where the text is known
 * (ECMA-262 §25.5.2.2 QuoteJSONString, §25.5.2.3): a plain ASCII string is itself within quotes,
 * a finite number is Number::toString's ASCII text.
 */
function jsonBytes(v: unknown): number {
  if (typeof v === 'string' && PLAIN.test(v)) return v.length + 2;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v).length;
  const s = JSON.stringify(v);
  return s === undefined ? -1 : Buffer.byteLength(s);
}

function idField(r: Record<string, unknown>, key: string, problems: FieldProblem[]): string | undefined {
  const v = r[key];
  if (v === undefined || v === null) return undefined;
  // A JSON number beyond 2^53 − 1 is read as the nearest double: 64-bit ids that differ become
  // one (…890 and …891 both "12345678901234567000"). Only whole numbers held exactly are taken.
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  if (typeof v === 'number') {
    problems.push({ field: key, message: `The \`${key}\` property must be a string; a number is taken only when whole and at most 9007199254740991 (2^53 − 1), and ${String(v)} (as read) is not: send the id as a string, in quotes, so it is kept as sent.` });
    return undefined;
  }
  if (typeof v !== 'string') {
    problems.push({ field: key, message: `The \`${key}\` property must be a string (or a number); it was ${typeName(v)}.` });
    return undefined;
  }
  if (v.length > 512) {
    problems.push({ field: key, message: `The \`${key}\` property may be at most 512 characters long.` });
    return undefined;
  }
  return v === '' ? undefined : v;
}

function objectField(r: Record<string, unknown>, key: string, problems: FieldProblem[]): Record<string, unknown> | undefined {
  const v = r[key];
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) {
    problems.push({ field: key, message: `The \`${key}\` property must be a JSON object; it was ${typeName(v)}.` });
    return undefined;
  }
  return v;
}

function timeField(r: Record<string, unknown>, key: string, problems: FieldProblem[], subject = `The \`${key}\` property`): { ms: number; iso: string } | undefined {
  const v = r[key];
  if (v === undefined || v === null) return undefined;
  const ms = typeof v === 'string' ? readIsoTime(v) : typeof v === 'number' ? v : NaN;
  // A number beyond ±8.64e15 ms (±273,790 years) is no date: JavaScript's Date cannot hold it.
  if (!(Math.abs(ms) <= MAX_DATE_MS)) {
    // A number is epoch milliseconds: say the range it missed, and what it was (JSON.stringify writes Infinity as null).
    const said = typeof v === 'number'
      ? `a number of milliseconds since 1970 within ±8.64e15 (a Date's range), or an ISO-8601 date string such as "2026-11-23T10:00:00.000Z"; it was ${String(v)}`
      : `an ISO-8601 date string such as "2026-11-23T10:00:00.000Z"; it was ${JSON.stringify(v)}`;
    problems.push({ field: key, message: `${subject} must be ${said}.` });
    return undefined;
  }
  // Times are whole milliseconds everywhere (a Date's resolution; the stores keep integers).
  const whole = Math.round(ms);
  return { ms: whole, iso: typeof v === 'string' ? v : new Date(whole).toISOString() };
}

/**
 * What is wrong with a batch's own `sentAt`, read as a message's is (`null` is absent): checked
 * once for the batch (parse/batch-body.ts), which is refused naming it, rather than each message
 * without a `sentAt` of its own being refused for it.
 */
export function batchSentAtProblem(v: unknown): FieldProblem | undefined {
  if (v === undefined || v === null) return undefined;
  const problems: FieldProblem[] = [];
  timeField({ sentAt: v }, 'sentAt', problems, 'The batch\'s `sentAt` (the time the batch was sent, for messages without their own)');
  return problems[0];
}

function timeFromEnvelope(v: unknown, problems: FieldProblem[]): { ms: number; iso: string } | undefined {
  return v === undefined ? undefined : timeField({ sentAt: v }, 'sentAt', problems);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function typeName(v: unknown): string {
  return Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/**
 * A stable id for a message sent without one but with its own timestamp, so a client's retry of
 * it is still deduplicated. (Without a timestamp there is nothing stable to tell a retry from a
 * second identical event, so such a message gets a random id.) Everything the message says is
 * hashed, its context (with the batch's merged in) too: two calls that differ only there — consent
 * granted then withdrawn, another `context.traits.email` — are two messages. A retry resends the
 * context as it was (Segment's libraries rewrite only the top-level `sentAt`), and the server adds
 * nothing to it before this, so a retry keeps its id. A message with no context hashes as it did
 * before the context was hashed, so those ids did not change.
 */
function contentId(m: Message): string {
  const h = createHash('sha256');
  const said: unknown[] = [m.type, m.userId, m.anonymousId, m.event, m.name, m.groupId, m.previousId, m.originalTimestamp ?? m.timestamp, m.properties, m.traits];
  if (Object.keys(m.context).length > 0) said.push(m.context);
  // A page's or screen's category, only when it has one: the ids of those without stay as they were
  // (until 2026-12-08 two views differing only in category had one id, the second dropped as a duplicate).
  if (m.category !== undefined) said.push(['category', m.category]); // an array: no context (an object) hashes as it
  h.update(JSON.stringify(said));
  return `tact-${h.digest('base64url').slice(0, 27)}`;
}
