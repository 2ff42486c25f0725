import { packId, unpackId } from '../identity/profile-id.js';
import type { CompiledBudget } from './policy-compile.js';
import type { BudgetUse, Contact, ContactMatch, ContactView } from './stages/types.js';

/** The key prefix of a subject with no profile yet (decider.ts: `anon:<identifier>`). */
const ANON = 'anon:';
/** Numbers a contact takes in a subject's log: time, kind, and the decision id packed in three. */
const W = 5;

interface SubjectLog {
  /** Contacts, oldest first, W numbers each: at, kind (index into the ledger's kinds), packed id (a, b, c). */
  c: number[];
  /** Decision ids not of Tact's own form, by contact position (absent when every id packed). */
  odd?: (string | undefined)[];
  /** `id`: the outcome's own id (one dismissal credited to several decisions is recorded once per decision). */
  dismissals: { at: number; action: string; id?: string }[];
  /** Contacts and dismissals taken in so far (see `version`). */
  changes?: number;
  /** Its contacts before the ledger's `lazyBefore` were read from the log (`loadOlder`). */
  loaded?: true;
}

/** What a contact was: its action, channel and the action's topics at the time (shared by all contacts alike). */
interface ContactKind {
  action: string;
  channel: string;
  topics: readonly string[];
}

const MINUTE = 60_000;

/**
 * What a contact cap needs of a subject's history: its `max` newest contacts that match, within
 * its window. A ledger told its caps keeps only those (and every recent contact), so what it holds
 * per subject is bounded by the caps, not by the decision rate times the window.
 */
export interface Retention extends ContactMatch {
  max: number;
  windowMs: number;
}

/**
 * How long every contact is kept whatever the caps say: the outcome recorder reads older contacts
 * from the log, which holds the committed ones only, and a contact synced from another process may
 * arrive a little late. (A decision's contact is recorded before its log write and taken back if
 * the write fails: a subject with a write in flight is not fitted at all — `hold`.)
 */
export const RECENT_MS = 5 * MINUTE;

/**
 * Contact-policy counters in memory: each subject's recent action choices and dismissals, and
 * per-channel volume in one-minute buckets for global budgets. Rebuilt from the decision log at
 * start, then updated by every decision (before its log write, so two concurrent decisions for
 * one subject cannot both pass a cap) and every dismissal. No decision queries the store for them.
 *
 * A subject's contacts are one array of numbers — no object per contact: at 1,000 decisions a
 * second a day of contacts is 86 million of them, and as objects (with their id strings) each
 * was three heap objects the collector had to trace. Told the caps (`setRetention`), pruning keeps
 * of each subject only the contacts some cap counts and those of the last minutes: what a subject
 * holds is then bounded by its caps, not by how often it is decided for. Outcomes are credited from
 * the decision log (outcomes/recorder.ts), not from here.
 *
 * @example
 * ledger.record('p1', { at: Date.now(), action: 'winback', channel: 'email', topics: [], decisionId: 'd1' });
 * ledger.view('p1').count(0, {}); // 1
 */
export class ContactLedger {
  private readonly subjects = new Map<string, SubjectLog>();
  private readonly buckets = new Map<string, Map<number, Map<string, number>>>();
  private readonly windows = new Map<string, BudgetUse & { byAction: Map<string, number>; channel: string }>();
  private readonly empty: SubjectLog = { c: [], dismissals: [] };
  private readonly kinds: ContactKind[] = [];
  /** action → channel → the kinds of that action and channel (one per topics list seen). */
  private readonly kindOf = new Map<string, Map<string, number[]>>();

  private dismissalsMs: number;
  /** How many subjects in memory are `anon:<identifier>` keys (decided for before they had a profile). */
  private anonymous = 0;
  /** Where an unfinished pruning pass stands (`pruneSome`). */
  private cursor: Iterator<[string, SubjectLog]> | undefined;
  /** The caps whose needs bound what is kept (`setRetention`); undefined: every contact of the window. */
  private retention: readonly Retention[] | undefined;
  /** How many dismissals of an action a subject keeps (`setRetention`); undefined: all of the window. */
  private dismissalsKept: number | undefined;
  /** Contacts held, over all subjects. */
  private held = 0;
  /** Subjects with a contact whose log write is in flight (`hold`), and how many. */
  private readonly writing = new Map<string, number>();
  /** How many contacts each retention rule has met in `fit`, and which contacts it keeps (scratch). */
  private met: number[] = [];
  private keep = new Uint8Array(64);
  /**
   * Contacts before this time are not read at start: a subject's are read from the log at its first
   * decision (`loadOlder`, docs/adr/0006-lazy-contact-ledger.md). -Infinity: every
   * subject's contacts of the window are held (`needsLoad` is false for all).
   */
  private before = -Infinity;
  /** `anon:` keys with contacts before `lazyBefore` not read yet: they count as holding history (`has`). */
  private olderAnonymous = new Set<string>();
  /** Bumped by every `readLazily`: a read begun before it is not taken in. */
  generation = 0;

  /**
   * @param contactsMs how far back contacts are kept: the longest window that counts them (caps,
   *   budgets, attribution of outcomes that name no decision)
   * @param dismissalsMs how far back dismissals are kept (the suppression window; default the same)
   */
  constructor(private contactsMs: number, dismissalsMs = contactsMs) {
    this.dismissalsMs = dismissalsMs;
  }

  /** Widens (or narrows) how far back contacts, and dismissals, are kept. */
  setLookback(contactsMs: number, dismissalsMs = contactsMs): void {
    this.contactsMs = contactsMs;
    this.dismissalsMs = dismissalsMs;
  }

  /**
   * Keeps, of each subject's contacts older than {@link RECENT_MS}, only those some cap needs (its
   * `max` newest matches in its window) — applied by pruning — and of its dismissals of an action
   * the `dismissals` newest (the suppression rule's count; 0 when there is none) — applied as they
   * come. Returns false when the new rules need what the old ones let go (a higher max or count, a
   * longer window, another match): the caller reads it again from the log ({@link readLazily}).
   */
  setRetention(rules: readonly Retention[] | undefined, dismissals?: number): boolean {
    const old = this.retention;
    const oldDismissals = this.dismissalsKept;
    this.retention = rules?.map((r) => ({ ...r }));
    this.dismissalsKept = dismissals;
    const dismissalsCovered = oldDismissals === undefined || (dismissals !== undefined && dismissals <= oldDismissals);
    if (!old) return dismissalsCovered;
    if (!rules) return false;
    return dismissalsCovered && rules.every((r) => old.some((o) => o.channel === r.channel && o.topic === r.topic && o.action === r.action && o.max >= r.max && o.windowMs >= r.windowMs));
  }

  /** The caps it keeps contacts for, and how many dismissals of an action (`setRetention`). */
  get retained(): { caps: readonly Retention[] | undefined; dismissals: number | undefined } {
    return { caps: this.retention, dismissals: this.dismissalsKept };
  }

  /** Forgets every contact older than `before` (to read them again from the log); returns how many. */
  private dropOlder(before: number): number {
    let n = 0;
    for (const s of this.subjects.values()) n += trimContacts(s, before);
    this.held -= n;
    return n;
  }

  /** Contacts held, over all subjects (kept as they come and go). */
  get contactCount(): number {
    return this.held;
  }

  /**
   * How many contacts and dismissals a subject's log has taken in, under its key and the `also`
   * keys its history is under too (a decision checks it did not change under it).
   */
  version(subject: string, also: readonly string[] = []): number {
    let v = this.subjects.get(subject)?.changes ?? 0;
    for (const k of also) v += this.subjects.get(k)?.changes ?? 0;
    return v;
  }

  record(subject: string, c: Contact): void {
    this.remember(subject, c);
    this.countVolume(c);
  }

  /**
   * A contact read from the log, the log read in time order (a rebuild): recorded with its channel
   * volume, and the subject's contacts fitted to the caps whenever they reach a power of two from 64
   * on — so reading a week of contacts at a high rate holds what the caps need, not the week.
   */
  load(subject: string, c: Contact): void {
    const s = this.remember(subject, c);
    this.countVolume(c);
    const n = s.c.length / W;
    if (this.retention && n >= 64 && (n & (n - 1)) === 0) this.fit(s, c.at, subject.startsWith(ANON));
  }

  private remember(subject: string, c: Contact): SubjectLog {
    const s = this.log(subject);
    s.changes = (s.changes ?? 0) + 1;
    insert(s, c.at, this.kindIndex(c), c.decisionId);
    this.held += 1 - trimContacts(s, c.at - this.contactsMs);
    return s;
  }

  private countVolume(c: Contact): void {
    let ch = this.buckets.get(c.channel);
    if (!ch) this.buckets.set(c.channel, (ch = new Map()));
    const minute = Math.floor(c.at / MINUTE);
    let b = ch.get(minute);
    if (!b) ch.set(minute, (b = new Map()));
    b.set(c.action, (b.get(c.action) ?? 0) + 1);
    for (const w of this.windows.values()) {
      if (w.channel === c.channel && c.at >= w.windowStart) {
        w.total += 1;
        w.byAction.set(c.action, (w.byAction.get(c.action) ?? 0) + 1);
      }
    }
  }

  /**
   * Marks a subject as having a contact whose log write is in flight, until `release`: pruning does
   * not fit such a subject to its caps (a contact taken back after a fit could leave a cap counting
   * one short), however long the write takes.
   */
  hold(subject: string): void {
    this.writing.set(subject, (this.writing.get(subject) ?? 0) + 1);
  }

  /** Subjects with a contact whose log write is in flight. */
  get writesInFlight(): number {
    return this.writing.size;
  }

  release(subject: string): void {
    const n = (this.writing.get(subject) ?? 1) - 1;
    if (n > 0) this.writing.set(subject, n);
    else this.writing.delete(subject);
  }

  /** Takes back a contact whose decision could not be logged. */
  unrecord(subject: string, decisionId: string): void {
    const s = this.subjects.get(subject);
    if (!s) return;
    const packed: number[] = [];
    const isPacked = packId(decisionId, packed);
    for (let i = s.c.length / W - 1; i >= 0; i--) {
      const o = i * W;
      const same = isPacked ? s.c[o + 2] === packed[0] && s.c[o + 3] === packed[1] && s.c[o + 4] === packed[2] : s.odd?.[i] === decisionId;
      if (!same) continue;
      const at = s.c[o];
      const { action, channel } = this.kinds[s.c[o + 1]];
      s.c.splice(o, W);
      this.held--;
      s.odd?.splice(i, 1);
      const b = this.buckets.get(channel)?.get(Math.floor(at / MINUTE));
      if (b) b.set(action, (b.get(action) ?? 1) - 1);
      for (const w of this.windows.values()) {
        if (w.channel === channel && at >= w.windowStart) {
          w.total -= 1;
          w.byAction.set(action, (w.byAction.get(action) ?? 1) - 1);
        }
      }
    }
  }

  /**
   * A dismissal of `action`. With its outcome's `id`, the same dismissal is taken once: the `even`
   * attribution model credits one outcome to each decision that showed the action, one record
   * each, and the person dismissed it once.
   */
  dismiss(subject: string, at: number, action: string, id?: string): void {
    const s = this.log(subject);
    if (id !== undefined && s.dismissals.some((d) => d.id === id && d.action === action)) return;
    s.changes = (s.changes ?? 0) + 1;
    s.dismissals.push(id === undefined ? { at, action } : { at, action, id });
    if (s.dismissals.length > 1 && s.dismissals[s.dismissals.length - 2].at > at) s.dismissals.sort((a, b) => a.at - b.at);
    this.trim(s.dismissals, at, this.dismissalsMs);
    if (this.dismissalsKept === undefined) return;
    // The suppression rule asks whether there are at least `count` in its window: the newest `count` answer it.
    let n = 0;
    for (const d of s.dismissals) if (d.action === action) n++;
    for (let i = 0; n > this.dismissalsKept && i < s.dismissals.length; ) {
      if (s.dismissals[i].action === action) {
        s.dismissals.splice(i, 1);
        n--;
      } else i++;
    }
  }

  /**
   * What contact rules see of a subject: its contacts and dismissals, with those of the profile
   * keys merged into it (`also`) — a person contacted twice under an identity that later merged
   * has been contacted twice.
   */
  view(subject: string, also: readonly string[] = []): ContactView {
    const s = this.subjects.get(subject) ?? this.empty;
    const others = also.map((k) => this.subjects.get(k)).filter((x): x is NonNullable<typeof x> => !!x);
    const logs = others.length ? [s, ...others] : [s];
    return {
      count: (since, match) => {
        let n = 0;
        for (const l of logs) n += this.count(l, since, match);
        return n;
      },
      list: () => {
        const all = logs.flatMap((l) => this.contactsOf(l));
        return logs.length > 1 ? all.sort((a, b) => a.at - b.at) : all;
      },
      dismissals: logs.length > 1 ? logs.flatMap((x) => x.dismissals).sort((a, b) => a.at - b.at) : s.dismissals,
      budgetUse: (b: CompiledBudget, now: number) => this.budgetUse(b, now),
    };
  }

  /** Use of a budget's current window ({@link budgetWindowStart}). */
  budgetUse(b: Pick<CompiledBudget, 'channel' | 'windowMs'>, now: number): BudgetUse {
    const start = budgetWindowStart(b.windowMs, now);
    const key = `${b.channel}\u0000${b.windowMs}`;
    const w = this.windows.get(key);
    if (w && w.windowStart === start) return w;
    const fresh = { channel: b.channel, windowStart: start, total: 0, byAction: new Map<string, number>() };
    for (const [minute, m] of this.buckets.get(b.channel) ?? []) {
      if (minute * MINUTE < start) continue;
      for (const [a, n] of m) {
        fresh.total += n;
        fresh.byAction.set(a, (fresh.byAction.get(a) ?? 0) + n);
      }
    }
    this.windows.set(key, fresh);
    return fresh;
  }

  /** Drops what is older than the look-back (run now and then), all subjects at once. */
  prune(now: number): void {
    this.cursor = undefined;
    while (!this.pruneSome(now, Infinity));
  }

  /**
   * Prunes up to `max` subjects, going on from where the last call stopped, so a server with a
   * million subjects never holds its event loop for a whole pass; returns true when a pass over
   * every subject ended (then the budget buckets are pruned too).
   */
  pruneSome(now: number, max: number): boolean {
    const before = now - this.contactsMs;
    this.cursor ??= this.subjects.entries();
    for (let i = 0; i < max; i++) {
      const next = this.cursor.next();
      if (next.done) {
        this.cursor = undefined;
        for (const ch of this.buckets.values()) for (const minute of ch.keys()) if (minute * MINUTE < before) ch.delete(minute);
        return true;
      }
      const [k, s] = next.value;
      this.held -= trimContacts(s, before);
      if (this.retention && !this.writing.has(k)) this.fit(s, now, k.startsWith(ANON));
      this.trim(s.dismissals, now, this.dismissalsMs);
      // A subject read since the start keeps its (empty) log while the ledger is lazy: it is not read again.
      if (!s.c.length && !s.dismissals.length && !(s.loaded && this.before !== -Infinity)) {
        this.subjects.delete(k);
        if (k.startsWith(ANON)) this.anonymous--;
      }
    }
    return false;
  }

  /** Subjects with a history in memory. */
  get size(): number {
    return this.subjects.size;
  }

  /** Whether a subject has a history in memory, or one in the log still to be read (`needsLoad`). */
  has(subject: string): boolean {
    return this.subjects.has(subject) || this.olderAnonymous.has(subject);
  }

  /** Whether any subject in memory (or still to be read) was decided for, or dismissed something, before it had a profile. */
  get hasAnonymous(): boolean {
    return this.anonymous > 0 || this.olderAnonymous.size > 0;
  }

  /** Before this time a subject's contacts are read at its first decision; -Infinity when every subject's are held. */
  get lazyBefore(): number {
    return this.before;
  }

  /** Whether a subject's contacts before `lazyBefore` are still to be read from the log. */
  needsLoad(subject: string): boolean {
    return this.before !== -Infinity && this.subjects.get(subject)?.loaded !== true;
  }

  /**
   * From now on, contacts before `before` are read per subject at its first decision: every
   * contact older than that is let go, no subject counts as loaded, and `anonymous` names the
   * `anon:` keys with contacts before `before` (they count as holding history until read). Channel
   * volumes stay as counted.
   */
  readLazily(before: number, anonymous: readonly string[]): void {
    this.dropOlder(before);
    for (const s of this.subjects.values()) s.loaded = undefined;
    this.before = before;
    this.generation++;
    this.olderAnonymous = new Set(anonymous);
  }

  /** Every subject's contacts of the window are held again (the window has moved past `lazyBefore`). */
  allLoaded(): void {
    this.before = -Infinity;
    this.olderAnonymous = new Set();
  }

  /**
   * A subject's contacts before `lazyBefore`, read from the log (in time order): taken in without
   * counting their channel volumes (counted at start, `addVolumes`), fitted to the caps, and the
   * subject marked loaded. Contacts at or after `lazyBefore` are held already and are skipped.
   */
  loadOlder(subject: string, contacts: readonly Contact[], now: number): number {
    let n = 0;
    for (const c of contacts) {
      if (c.at >= this.before) continue;
      this.remember(subject, c);
      n++;
    }
    const s = this.log(subject);
    s.loaded = true;
    this.olderAnonymous.delete(subject);
    if (n && this.retention && !this.writing.has(subject)) this.fit(s, now, subject.startsWith(ANON));
    return n;
  }

  /**
   * Whether these contacts (a subject's newest older ones, newest first) hold everything the caps
   * need of the subject's history before them: at least each cap's `max` matches within its window
   * at `now` — what is older, the caps would let go (`fit`). False while the caps are not known
   * (every contact is kept then).
   */
  coversCaps(newestFirst: readonly Contact[], now: number): boolean {
    const rules = this.retention;
    if (!rules) return false;
    return rules.every((r) => {
      let n = 0;
      for (const c of newestFirst) if (c.at >= now - r.windowMs && matches(c, r) && ++n >= r.max) return true;
      return r.max <= 0;
    });
  }

  /** How many of a subject's newest contacts a first read takes (`coversCaps` then tells whether they are enough). */
  get firstReadRows(): number {
    let sum = 0;
    for (const r of this.retention ?? []) sum += r.max;
    return Math.max(64, 2 * sum);
  }

  /** Channel volumes counted by the log (`DecisionStore.contactVolumes`) for contacts the ledger does not read. */
  addVolumes(rows: readonly { channel: string; action: string; minute: number; n: number }[]): void {
    for (const r of rows) {
      let ch = this.buckets.get(r.channel);
      if (!ch) this.buckets.set(r.channel, (ch = new Map()));
      const minute = Number(r.minute);
      let b = ch.get(minute);
      if (!b) ch.set(minute, (b = new Map()));
      b.set(r.action, (b.get(r.action) ?? 0) + Number(r.n));
    }
    // The budgets' windows are summed from the buckets again at their next use.
    this.windows.clear();
  }

  /**
   * Replaces the dismissals before `before` with those `read` (the look-back read again from the log,
   * in time order); those read from `before` on join the ones held, each outcome id of an action once.
   */
  replaceDismissals(before: number, read: readonly { profileKey: string; at: number; action: string; id?: string }[]): void {
    for (const s of this.subjects.values()) if (s.dismissals.length) s.dismissals = s.dismissals.filter((d) => d.at >= before);
    for (const d of read) this.dismiss(d.profileKey, d.at, d.action, d.id);
  }

  private log(subject: string): SubjectLog {
    let s = this.subjects.get(subject);
    if (!s) {
      this.subjects.set(subject, (s = { c: [], dismissals: [] }));
      if (subject.startsWith(ANON)) this.anonymous++;
    }
    return s;
  }

  /** The index of a contact's kind (action, channel, topics), made on first sight. */
  private kindIndex(c: Contact): number {
    let byChannel = this.kindOf.get(c.action);
    if (!byChannel) this.kindOf.set(c.action, (byChannel = new Map()));
    let list = byChannel.get(c.channel);
    if (!list) byChannel.set(c.channel, (list = []));
    for (const k of list) {
      const t = this.kinds[k].topics;
      if (t === c.topics || (t.length === c.topics.length && t.every((x, i) => x === c.topics[i]))) return k;
    }
    this.kinds.push({ action: c.action, channel: c.channel, topics: [...c.topics] });
    list.push(this.kinds.length - 1);
    return this.kinds.length - 1;
  }

  /**
   * Drops the contacts older than {@link RECENT_MS} that no cap needs. A cap counts a subject's
   * matching contacts in its window and compares with its max: keeping the `max` newest matches
   * older than the recent ones (and every recent one) gives the same answer — the count is exact
   * below the max and at least the max otherwise — including summed over merged subjects' logs.
   * With `keepNewest` (an `anon:` subject) the newest contact stays for the window, whatever the
   * caps: while it does, the profile the identifier later gets counts the key as its own (`has`,
   * merged-keys.ts), and its decisions are credited from the log. It changes no cap's count: a
   * newest contact that matches a cap is its newest match.
   */
  private fit(s: SubjectLog, now: number, keepNewest: boolean): void {
    const rules = this.retention!;
    const n = s.c.length / W;
    const recent = now - RECENT_MS;
    if (!n || s.c[0] >= recent) return;
    const met = this.met;
    for (let r = 0; r < rules.length; r++) met[r] = 0;
    if (this.keep.length < n) this.keep = new Uint8Array(Math.max(n, 2 * this.keep.length));
    const keep = this.keep;
    let dropped = 0;
    for (let i = n - 1; i >= 0; i--) {
      const at = s.c[i * W];
      keep[i] = 0;
      if (at >= recent) {
        keep[i] = 1;
        continue;
      }
      const k = this.kinds[s.c[i * W + 1]];
      for (let r = 0; r < rules.length; r++) {
        const m = rules[r];
        if (met[r] < m.max && at >= now - m.windowMs && matches(k, m)) {
          met[r]++;
          keep[i] = 1;
        }
      }
      if (keepNewest && i === n - 1) keep[i] = 1;
      if (!keep[i]) dropped++;
    }
    if (!dropped) return;
    let w = 0;
    for (let i = 0; i < n; i++) {
      if (!keep[i]) continue;
      if (w !== i) {
        s.c.copyWithin(w * W, i * W, i * W + W);
        if (s.odd) s.odd[w] = s.odd[i];
      }
      w++;
    }
    this.held -= n - w;
    s.c.length = w * W;
    if (s.odd) {
      s.odd.length = w;
      if (s.odd.every((x) => x === undefined)) s.odd = undefined;
    }
  }

  /** Contacts of a log at or after `since` that match every part of `match` (newest first: the log is in time order). */
  private count(s: SubjectLog, since: number, m: ContactMatch): number {
    let n = 0;
    for (let o = s.c.length - W; o >= 0 && s.c[o] >= since; o -= W) {
      if (matches(this.kinds[s.c[o + 1]], m)) n++;
    }
    return n;
  }

  private contactsOf(s: SubjectLog): Contact[] {
    const out: Contact[] = [];
    for (let o = 0, i = 0; o < s.c.length; o += W, i++) {
      const k = this.kinds[s.c[o + 1]];
      const decisionId = s.odd?.[i] ?? unpackId(s.c[o + 2], s.c[o + 3], s.c[o + 4]);
      out.push({ at: s.c[o], action: k.action, channel: k.channel, topics: k.topics, decisionId });
    }
    return out;
  }

  private trim(list: { at: number }[], now: number, windowMs: number): void {
    const before = now - windowMs;
    let i = 0;
    while (i < list.length && list[i].at < before) i++;
    if (i) list.splice(0, i);
  }
}

/** Monday 1970-01-05 00:00 UTC: budget windows are counted from it. */
const FIRST_MONDAY = 4 * 86_400_000;

/**
 * The start of the global budget window of length `windowMs` that holds `at`: windows are aligned to
 * UTC, counted from Monday 1970-01-05 — a day's at midnight, an hour's on the hour, a week's (7d,
 * 1w) on Monday 00:00 as ISO weeks are. (Counted from 1970-01-01, a Thursday, a weekly budget
 * renewed on Thursdays.)
 *
 * @example
 * new Date(budgetWindowStart(7 * 864e5, Date.parse('2026-06-10T12:00:00Z'))).toISOString(); // '2026-06-08T00:00:00.000Z', a Monday
 */
export function budgetWindowStart(windowMs: number, at: number): number {
  return Math.floor((at - FIRST_MONDAY) / windowMs) * windowMs + FIRST_MONDAY;
}

/** Whether a contact of this kind is one a cap (or a cap's count) is about. */
function matches(k: ContactKind, m: ContactMatch): boolean {
  return (!m.channel || k.channel === m.channel) && (!m.topic || k.topics.includes(m.topic)) && (!m.action || k.action === m.action);
}

/** Puts a contact in time order (after those of the same time: a decision's choices stay in rank order). */
function insert(s: SubjectLog, at: number, kind: number, decisionId: string): void {
  let i = s.c.length / W;
  while (i > 0 && s.c[(i - 1) * W] > at) i--;
  const packed: number[] = [];
  const isPacked = packId(decisionId, packed);
  if (!isPacked) packed.push(NaN, NaN, NaN);
  if (i === s.c.length / W) s.c.push(at, kind, packed[0], packed[1], packed[2]);
  else s.c.splice(i * W, 0, at, kind, packed[0], packed[1], packed[2]);
  if (!isPacked || s.odd) {
    s.odd ??= new Array<string | undefined>(s.c.length / W - 1).fill(undefined);
    s.odd.splice(i, 0, isPacked ? undefined : decisionId);
  }
}

/** Drops contacts older than `before`; returns how many. */
function trimContacts(s: SubjectLog, before: number): number {
  let i = 0;
  while (i * W < s.c.length && s.c[i * W] < before) i++;
  if (!i) return 0;
  // In place: `splice` would also build an array of what it removes.
  s.c.copyWithin(0, i * W);
  s.c.length -= i * W;
  if (s.odd) {
    s.odd.splice(0, i);
    if (s.odd.every((x) => x === undefined)) s.odd = undefined;
  }
  return i;
}
