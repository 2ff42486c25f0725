import { eventKey, type Message } from '../collect/message.js';
import { shortened } from '../identity/identifiers.js';
import type { CompiledFeature } from './features/definition.js';
import { applyToFeature, matches, mergeFeature, type FeatureState } from './features/state.js';

/** Count, first and last time of one event name on one profile. */
export interface EventCount {
  n: number;
  t0: number;
  t1: number;
}

/** Consent for one purpose (a Segment consent category), with when and by which message it was set. */
export interface PurposeConsent {
  granted: boolean;
  at: number;
  messageId: string;
}

/**
 * Everything Tact knows as fact about one person: declared traits, event counts, computed
 * features and consent. Inferences (model estimates) live elsewhere and are never mixed in here.
 */
export interface ProfileState {
  id: string;
  /** Increases on every write: lets a cache tell whether its copy is current. */
  version: number;
  createdAt: number;
  updatedAt: number;
  firstSeenAt?: number;
  lastSeenAt?: number;
  eventCount: number;
  traits: Record<string, unknown>;
  /** When each trait was last set (event time), so the newer value wins in a merge. */
  traitsAt: Record<string, number>;
  events: Record<string, EventCount>;
  features: Record<string, FeatureState>;
  consent: Record<string, PurposeConsent>;
  timezone?: string;
  locale?: string;
  /**
   * When the time zone and the locale were last set (event time), so a late event does not
   * replace a newer one and a merge keeps the newer. Absent on states written before they were
   * kept: the next message that carries one sets it.
   */
  timezoneAt?: number;
  localeAt?: number;
  /** Store bookkeeping: the highest event sequence number folded into this state. */
  seq?: number;
  /**
   * Store bookkeeping: sequence numbers of the most recent events by event time (on equal times
   * the later sequence number), newest last — not the last to arrive, so an import of old events
   * or a merge does not push out the newest ones (until 2026-12-05 it kept the highest numbers).
   */
  recent?: number[];
  /**
   * The event time of each of `recent`, in its order. Absent on states written before it was kept:
   * their events then count as of the profile's lastSeenAt (recentTimes).
   */
  recentAt?: number[];
  /**
   * How many profiles were merged into this one, directly or through a chain (one whose state
   * predates this count counts as one). 0 lets a decision skip reading the merge records; absent
   * on states written before it was kept, which then read them.
   */
  absorbed?: number;
  /**
   * The event time from which the stored consent history may not be the event-time history:
   * the earliest statement that arrived after a newer one of the same purpose, or the start of
   * two merged profiles' overlap. Set only then (the in-order path writes no more than a change),
   * and a read of the history rebuilds it from that time out of the stored events
   * (consent-history.ts). Absent while the stored history is exact; the embedded store clears it
   * when a checkpoint writes that rebuild back (store/sqlite/consent-write-back.ts).
   */
  consentLateSince?: number;
  /** Why `consentLateSince` is set (the cause at that time), so a history that cannot be rebuilt says why. */
  consentLateCause?: ConsentLateCause;
}

/** What marks a consent history for a rebuild: a statement that arrived after a newer one, or a merge. */
export type ConsentLateCause = 'late_statement' | 'merge';

/** How many recent event sequence numbers a profile keeps. */
export const RECENT_EVENTS = 50;

/**
 * The one name a trait, event or consent purpose cannot have: assigning `__proto__` on an object
 * changes its prototype instead of adding a key, on the object built and on one read back from
 * JSON. Any other name (`constructor`, `prototype`, `toString`) is an own key like any other, read
 * with {@link own}: a state read back by JSON.parse inherits Object's members. (Until 2026-12-05
 * `constructor` and `prototype` were set aside as `__proto__` is.) One rule, docs/collection.md:
 * normalisation leaves such a trait out of identify and group traits (normalize.ts keptTraits), so
 * neither profiles nor accounts hold one; here a purpose is set aside, an event counted under
 * "(other)", and a trait of a message stored before that rule skipped.
 */
const PROTO = '__proto__';

/**
 * Most distinct event names counted per profile, besides "(other)": the names seen first are
 * kept, later ones are counted under "(other)" — on one profile and on a merge of two.
 */
export const MAX_EVENT_NAMES = 500;

/** Where the events of names past the cap (and of `__proto__`) are counted. */
const OTHER = '(other)';

export function newProfileState(id: string, at: number): ProfileState {
  return { id, version: 0, createdAt: at, updatedAt: at, eventCount: 0, traits: {}, traitsAt: {}, events: {}, features: {}, consent: {}, absorbed: 0 };
}

/** A consent change one message made: the purposes whose value changed. */
export interface ConsentChange {
  profileId: string;
  at: number;
  messageId: string;
  changes: Record<string, boolean>;
}

/**
 * Folds one message into a profile: counts, first/last seen, traits (identify), computed features,
 * consent from `context.consent.categoryPreferences` (Segment's consent spec), time zone.
 * Returns the consent change it made, if any, for the consent history; adds to `problems` the
 * purposes it read as not granted for a value that is not a boolean, and the blank names it ignored.
 *
 * @example
 * const change = applyMessage(state, message, compiledFeatures, problems);
 */
export function applyMessage(s: ProfileState, m: Message, features: readonly CompiledFeature[], problems?: ConsentProblem[]): ConsentChange | undefined {
  const t = m.timestamp;
  s.eventCount += 1;
  if (s.firstSeenAt === undefined || t < s.firstSeenAt) s.firstSeenAt = t;
  if (s.lastSeenAt === undefined || t > s.lastSeenAt) s.lastSeenAt = t;
  s.updatedAt = Math.max(s.updatedAt, m.receivedAt);

  let key = eventKey(m);
  if (key === PROTO) key = OTHER;
  let ec = Object.hasOwn(s.events, key) ? s.events[key] : undefined;
  if (!ec && key !== OTHER && namedCount(s.events) >= MAX_EVENT_NAMES) {
    key = OTHER;
    ec = s.events[key];
  }
  if (ec) {
    ec.n += 1;
    if (t < ec.t0) ec.t0 = t;
    if (t > ec.t1) ec.t1 = t;
  } else s.events[key] = { n: 1, t0: t, t1: t };

  if (m.type === 'identify' && m.traits) {
    for (const [k, v] of Object.entries(m.traits)) {
      if (k === PROTO) continue;
      if ((own(s.traitsAt, k) ?? -Infinity) <= t) {
        s.traits[k] = v;
        s.traitsAt[k] = t;
      }
    }
  }
  for (const f of features) {
    if (matches(f, m)) s.features[f.def.name] = applyToFeature(f, own(s.features, f.def.name), m);
  }
  const tz = m.context.timezone;
  if (typeof tz === 'string' && tz && (s.timezoneAt ?? -Infinity) <= t && knownZone(tz)) {
    s.timezone = tz;
    s.timezoneAt = t;
  }
  const locale = m.context.locale;
  if (typeof locale === 'string' && locale && (s.localeAt ?? -Infinity) <= t) {
    s.locale = locale;
    s.localeAt = t;
  }
  return applyConsent(s, m, problems);
}

/**
 * The consent a message states: `context.consent.categoryPreferences` when it is an object (its
 * purposes then count where the name is not blank nor `__proto__`, statedConsent).
 */
export function consentPrefs(m: Pick<Message, 'context'>): Record<string, unknown> | undefined {
  const consent = m.context.consent as { categoryPreferences?: unknown } | undefined;
  const prefs = consent?.categoryPreferences;
  return !prefs || typeof prefs !== 'object' || Array.isArray(prefs) ? undefined : (prefs as Record<string, unknown>);
}

/**
 * Names and keys of the purposes seen, as worked out: every message with consent reads each of its
 * purposes, and each of the profile's, so the same few names are normalised again and again (the
 * ingest's main thread paid ≈ 2 µs a message for it). Bounded: emptied when full.
 */
const purposeNames = new Map<string, { name: string; key: string }>();
const MAX_PURPOSE_NAMES = 4096;

function purposeOf(sent: string): { name: string; key: string } {
  let p = purposeNames.get(sent);
  if (p) return p;
  const name = sent.trim().normalize('NFC');
  p = { name, key: name.toUpperCase().toLowerCase() };
  if (purposeNames.size >= MAX_PURPOSE_NAMES) purposeNames.clear();
  purposeNames.set(sent, p);
  return p;
}

/** A purpose's name as kept: trimmed, in Unicode NFC. */
export function purposeName(sent: string): string {
  return purposeOf(sent).name;
}

/**
 * What purposes are matched by: the kept name case-folded (upper, then lower case, so `ß` and
 * `SS` fold alike) — `Advertising`, ` advertising ` and `ADVERTISING` are one purpose.
 */
export function purposeKey(name: string): string {
  return purposeOf(name).key;
}

/** A categoryPreferences entry that states no clean consent: a value not a boolean, or a blank name. */
export interface ConsentProblem {
  /** The purpose's name as sent (its start, when long). */
  purpose: string;
  reason: string;
}

/**
 * The purposes a message states, one per purpose (purposeKey): its first name in the message,
 * granted only when every spelling of it says `true` — `false` and any value not a boolean
 * (`"false"`, `"true"`, `0`, `null`) read as not granted, and are told in `problems`, as is a
 * blank name (ignored). `__proto__` is set aside, as a state cannot hold it.
 *
 * @example
 * statedConsent({ Advertising: true, advertising: 'no', '': true }, problems);
 * // → Map { 'advertising' => { name: 'Advertising', granted: false } }, two problems
 */
export function statedConsent(prefs: Record<string, unknown>, problems?: ConsentProblem[]): Map<string, { name: string; granted: boolean }> {
  const out = new Map<string, { name: string; granted: boolean }>();
  for (const [sent, value] of Object.entries(prefs)) {
    const name = purposeName(sent);
    if (name === PROTO) continue;
    if (!name) {
      problems?.push({ purpose: shortened(sent), reason: `A consent purpose with a blank name (${JSON.stringify(shortened(sent))} in context.consent.categoryPreferences) was ignored.` });
      continue;
    }
    if (typeof value !== 'boolean') problems?.push({ purpose: shortened(sent), reason: `The consent for \`${shortened(name)}\` was ${sentValue(value)}, not a boolean: it reads as not granted (categoryPreferences values are true or false).` });
    const key = purposeKey(name);
    const cur = out.get(key);
    if (cur) cur.granted &&= value === true;
    else out.set(key, { name, granted: value === true });
  }
  return out;
}

/**
 * A `context.consent` sent that states nothing — not an object, or its `categoryPreferences` there
 * but not an object of purposes (a list of names, a string) — is a problem the profile records, as
 * a value not a boolean is: the message is kept (Segment answers 200) and its consent read as
 * unchanged, but a client sending `categoryPreferences: ["Advertising"]` would otherwise go
 * unnoticed (until 2026-12-08 it did). `null` and an object without `categoryPreferences` say
 * nothing, and are no problem.
 */
function unreadConsent(consent: unknown, problems: ConsentProblem[]): void {
  const isObject = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (consent === null) return;
  if (!isObject(consent)) {
    problems.push({ purpose: 'consent', reason: `The \`context.consent\` was ${sentValue(consent)}, not an object holding \`categoryPreferences\`: no consent was read from the message.` });
    return;
  }
  const prefs = (consent as { categoryPreferences?: unknown }).categoryPreferences;
  if (prefs === undefined || prefs === null) return;
  problems.push({ purpose: 'categoryPreferences', reason: `The \`context.consent.categoryPreferences\` was ${sentValue(prefs)}, not an object of purposes ({"Advertising": true, …}): no consent was read from the message.` });
}

/** A value as sent, for a problem's sentence: JSON, bounded. */
function sentValue(v: unknown): string {
  const kind = v === null ? '' : Array.isArray(v) ? ' (an array)' : typeof v === 'object' ? ' (an object)' : ` (a ${typeof v})`;
  return `${shortened(JSON.stringify(v) ?? String(v))}${kind}`;
}

/**
 * A state's consent with one entry per purpose (purposeKey), under the name it was first kept as
 * (trimmed, NFC): a state kept before names were matched without regard to case may hold
 * `Advertising` and `advertising` apart, and the newer statement is the purpose's (on equal times
 * not granted wins). Blank names and `__proto__` are left out. The record itself when nothing
 * needs folding.
 *
 * @example
 * consentByPurpose({ Advertising: { granted: true, at: 1, messageId: 'a' }, advertising: { granted: false, at: 2, messageId: 'b' } });
 * // → { Advertising: { granted: false, at: 2, messageId: 'b' } }
 */
export function consentByPurpose(consent: Record<string, PurposeConsent>): Record<string, PurposeConsent> {
  const names = new Map<string, string>();
  let clean = true;
  for (const k of Object.keys(consent)) {
    const key = purposeKey(k);
    if (names.has(key) || k !== purposeName(k) || !k || k === PROTO) clean = false;
    if (!names.has(key)) names.set(key, purposeName(k));
  }
  if (clean) return consent;
  const out: Record<string, PurposeConsent> = {};
  for (const [k, c] of Object.entries(consent)) {
    const name = names.get(purposeKey(k)) as string;
    if (!name || name === PROTO) continue;
    const cur = own(out, name);
    if (!cur || cur.at < c.at || (cur.at === c.at && !c.granted)) out[name] = { ...c };
  }
  return out;
}

function applyConsent(s: ProfileState, m: Message, problems?: ConsentProblem[]): ConsentChange | undefined {
  const prefs = consentPrefs(m);
  if (!prefs) {
    if (problems && m.context.consent !== undefined) unreadConsent(m.context.consent, problems);
    return undefined;
  }
  s.consent = consentByPurpose(s.consent);
  const changes: Record<string, boolean> = {};
  for (const [key, { name, granted }] of statedConsent(prefs, problems)) {
    // The name the state keeps the purpose under: most often the one sent; else a spelling kept before.
    const purpose = own(s.consent, name) ? name : (Object.keys(s.consent).find((k) => purposeKey(k) === key) ?? name);
    const cur = own(s.consent, purpose);
    if (cur && cur.at > m.timestamp) {
      // Late: the history cannot say what it changed (the equal statements after it were not
      // recorded), so a read rebuilds the history from its time.
      if (s.consentLateSince === undefined || m.timestamp < s.consentLateSince) {
        s.consentLateSince = m.timestamp;
        s.consentLateCause = 'late_statement';
      }
      continue;
    }
    // A grant stated at the same time as the refusal it would replace does not replace it (two
    // devices, one millisecond): on equal times the refusal stands, as in a merge and a rebuild.
    if (cur && cur.at === m.timestamp && !cur.granted && granted) continue;
    if (!cur || cur.granted !== granted) {
      changes[purpose] = granted;
      s.consent[purpose] = { granted, at: m.timestamp, messageId: m.messageId };
    } else {
      cur.at = m.timestamp;
      cur.messageId = m.messageId;
    }
  }
  return Object.keys(changes).length ? { profileId: s.id, at: m.timestamp, messageId: m.messageId, changes } : undefined;
}

/**
 * Folds profile `from` into `into` (identity merge): counts add, times widen, newer traits,
 * consent, time zone and locale win, features merge by their own rules.
 */
export function mergeProfileStates(into: ProfileState, from: ProfileState, features: readonly CompiledFeature[]): void {
  // Read before lastSeenAt moves: a state kept before recentAt dates its events by it.
  const intoAt = into.recent?.length ? recentTimes(into) : [];
  const fromAt = from.recent?.length ? recentTimes(from) : [];
  // Before firstSeenAt moves: the two consent histories side by side are not the merged person's
  // from where both hold statements (the later of their first events on), so a read rebuilds it
  // from there, or from either's own mark (consent-history.ts).
  let late = earlier({ since: into.consentLateSince, cause: into.consentLateCause }, from.consentLateSince, from.consentLateCause);
  if (entries(into.consent).length && entries(from.consent).length) late = earlier(late, maxDef(into.firstSeenAt, from.firstSeenAt), 'merge');
  into.createdAt = Math.min(into.createdAt, from.createdAt);
  into.updatedAt = Math.max(into.updatedAt, from.updatedAt);
  into.eventCount += from.eventCount;
  into.firstSeenAt = minDef(into.firstSeenAt, from.firstSeenAt);
  into.lastSeenAt = maxDef(into.lastSeenAt, from.lastSeenAt);
  for (const [k, ec] of entries(from.events)) {
    const cur = own(into.events, k);
    if (cur) {
      cur.n += ec.n;
      cur.t0 = Math.min(cur.t0, ec.t0);
      cur.t1 = Math.max(cur.t1, ec.t1);
    } else into.events[k] = { ...ec };
  }
  capEventNames(into.events);
  for (const [k, v] of entries(from.traits)) {
    const fromAt = own(from.traitsAt, k);
    if ((own(into.traitsAt, k) ?? -Infinity) < (fromAt ?? -Infinity) || !Object.hasOwn(into.traits, k)) {
      into.traits[k] = v;
      into.traitsAt[k] = fromAt ?? 0;
    }
  }
  const byName = new Map(features.map((f) => [f.def.name, f]));
  for (const [name, st] of Object.entries(from.features)) {
    const merged = mergeFeature(byName.get(name), own(into.features, name), st);
    if (merged) into.features[name] = merged;
  }
  if (late.since !== undefined) {
    into.consentLateSince = late.since;
    into.consentLateCause = late.cause;
  }
  // One purpose whatever the case it was sent in: the newer statement under into's name.
  into.consent = consentByPurpose(into.consent);
  const kept = new Map(Object.keys(into.consent).map((k) => [purposeKey(k), k]));
  for (const [p, c] of Object.entries(consentByPurpose(from.consent))) {
    const name = kept.get(purposeKey(p)) ?? p;
    const cur = own(into.consent, name);
    // On equal times the refusal stands, whichever profile survives (as consentByPurpose reads two spellings).
    if (!cur || cur.at < c.at || (cur.at === c.at && cur.granted && !c.granted)) into.consent[name] = { ...c };
  }
  if (from.timezone && (!into.timezone || (into.timezoneAt ?? -Infinity) < (from.timezoneAt ?? -Infinity))) {
    into.timezone = from.timezone;
    if (from.timezoneAt !== undefined) into.timezoneAt = from.timezoneAt;
  }
  if (from.locale && (!into.locale || (into.localeAt ?? -Infinity) < (from.localeAt ?? -Infinity))) {
    into.locale = from.locale;
    if (from.localeAt !== undefined) into.localeAt = from.localeAt;
  }
  if (from.seq !== undefined) into.seq = Math.max(into.seq ?? 0, from.seq);
  if (from.recent?.length) {
    // The newest events of both by event time, not the highest sequence numbers: those of the
    // profile whose events were sent later would push out every newer one of the other.
    const seen = new Set<number>();
    const all: [at: number, seq: number][] = [];
    const add = (seqs: number[], ats: number[]) => seqs.forEach((seq, i) => {
      if (!seen.has(seq)) all.push([ats[i], seq]);
      seen.add(seq);
    });
    add(into.recent ?? [], intoAt);
    add(from.recent, fromAt);
    const kept = all.sort((a, b) => a[0] - b[0] || a[1] - b[1]).slice(-RECENT_EVENTS);
    into.recent = kept.map((x) => x[1]);
    into.recentAt = kept.map((x) => x[0]);
  }
}

/**
 * A record's own value at `k`: traits, event names and consent purposes come from clients, and a
 * name such as "toString" must not read (nor change) what a plain object inherits.
 */
function own<V>(r: Record<string, V>, k: string): V | undefined {
  return Object.hasOwn(r, k) ? r[k] : undefined;
}

/** A record's entries but `__proto__`, which no state is written with, should a stored one hold it. */
function entries<V>(r: Record<string, V>): [string, V][] {
  return Object.entries(r).filter(([k]) => k !== PROTO);
}

function namedCount(events: Record<string, EventCount>): number {
  const n = Object.keys(events).length;
  return Object.hasOwn(events, OTHER) ? n - 1 : n;
}

/**
 * Holds merged counts to the cap of one profile: the names first seen earliest stay (ties by
 * name), the rest are added to "(other)" — what one profile that saw both profiles' events in
 * time order would hold.
 */
function capEventNames(events: Record<string, EventCount>): void {
  if (namedCount(events) <= MAX_EVENT_NAMES) return;
  const names = Object.keys(events).filter((k) => k !== OTHER);
  names.sort((x, y) => events[x].t0 - events[y].t0 || (x < y ? -1 : x > y ? 1 : 0));
  for (const k of names.slice(MAX_EVENT_NAMES)) {
    const ec = events[k];
    const o = events[OTHER];
    if (o) {
      o.n += ec.n;
      o.t0 = Math.min(o.t0, ec.t0);
      o.t1 = Math.max(o.t1, ec.t1);
    } else events[OTHER] = { ...ec };
    delete events[k];
  }
}

/**
 * Records that event `seq`, of event time `at`, was folded into the state (store bookkeeping):
 * it joins the recent ones in time order (on equal times after those of lower sequence numbers),
 * and the oldest beyond RECENT_EVENTS go — an old event arriving late may be the one that goes.
 */
export function noteEventSeq(s: ProfileState, seq: number, at: number): void {
  if (s.seq === undefined || seq > s.seq) s.seq = seq;
  const r = s.recent ?? (s.recent = []);
  const t = recentTimes(s);
  let i = r.length;
  while (i > 0 && (t[i - 1] > at || (t[i - 1] === at && r[i - 1] > seq))) i--;
  if (i === 0 && r.length >= RECENT_EVENTS) return;
  r.splice(i, 0, seq);
  t.splice(i, 0, at);
  if (r.length > RECENT_EVENTS) {
    r.splice(0, r.length - RECENT_EVENTS);
    t.splice(0, t.length - RECENT_EVENTS);
  }
}

/**
 * The event times of a state's recent events (`recentAt`), made when missing: a state written
 * before they were kept lists its events in arrival order, and they count as of its lastSeenAt —
 * later events then rank after them, as they did, and imported older ones before.
 */
function recentTimes(s: ProfileState): number[] {
  const n = s.recent?.length ?? 0;
  if (s.recentAt?.length !== n) s.recentAt = new Array<number>(n).fill(s.lastSeenAt ?? 0);
  return s.recentAt;
}

type LateMark = { since?: number; cause?: ConsentLateCause };

/** The earlier of a consent mark and time `since` with its cause (on equal times the mark stays). */
function earlier(m: LateMark, since: number | undefined, cause: ConsentLateCause | undefined): LateMark {
  return since !== undefined && (m.since === undefined || since < m.since) ? { since, cause } : m;
}

function minDef(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}
function maxDef(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.max(a, b);
}

/** Zones the runtime was asked about: a client sends the same zone with every message. Junk is cached only up to a bound. */
const ZONES = new Map<string, boolean>();

/**
 * Whether Intl knows an IANA time zone. A zone it does not (`Mars/Olympus`, a typo) is not kept on
 * the profile: quiet hours and send times would read it as UTC, while the profile named it.
 */
export function knownZone(tz: string): boolean {
  let ok = ZONES.get(tz);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      ok = true;
    } catch {
      ok = false;
    }
    if (ok || ZONES.size < 10_000) ZONES.set(tz, ok);
  }
  return ok;
}
