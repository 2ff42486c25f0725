import type { CompiledBudget } from './policy-compile.js';
import type { BudgetUse, Contact, ContactView } from './stages/types.js';

interface SubjectLog {
  contacts: Contact[];
  dismissals: { at: number; action: string }[];
  /** Contacts and dismissals taken in so far (see `version`). */
  changes?: number;
}

const MINUTE = 60_000;

/**
 * Contact-policy counters in memory: each subject's recent action choices and dismissals, and
 * per-channel volume in one-minute buckets for global budgets. Rebuilt from the decision log at
 * start, then updated by every decision (before its log write, so two concurrent decisions for
 * one subject cannot both pass a cap) and every dismissal. No decision queries the store for them.
 *
 * @example
 * ledger.record('p1', { at: Date.now(), action: 'winback', channel: 'email', topics: [], decisionId: 'd1' });
 * ledger.view('p1').contacts.length; // 1
 */
export class ContactLedger {
  private readonly subjects = new Map<string, SubjectLog>();
  private readonly buckets = new Map<string, Map<number, Map<string, number>>>();
  private readonly windows = new Map<string, BudgetUse & { byAction: Map<string, number>; channel: string }>();
  private readonly empty: SubjectLog = { contacts: [], dismissals: [] };

  private dismissalsMs: number;

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

  /** How many contacts and dismissals a subject's log has taken in (a decision checks it did not change under it). */
  version(subject: string): number {
    return this.subjects.get(subject)?.changes ?? 0;
  }

  record(subject: string, c: Contact): void {
    const s = this.log(subject);
    s.changes = (s.changes ?? 0) + 1;
    s.contacts.push(c);
    if (s.contacts.length > 1 && s.contacts[s.contacts.length - 2].at > c.at) s.contacts.sort((a, b) => a.at - b.at);
    this.trim(s.contacts, c.at, this.contactsMs);
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

  /** Takes back a contact whose decision could not be logged. */
  unrecord(subject: string, decisionId: string): void {
    const s = this.subjects.get(subject);
    if (!s) return;
    const gone = s.contacts.filter((c) => c.decisionId === decisionId);
    s.contacts = s.contacts.filter((c) => c.decisionId !== decisionId);
    for (const c of gone) {
      const b = this.buckets.get(c.channel)?.get(Math.floor(c.at / MINUTE));
      if (b) b.set(c.action, (b.get(c.action) ?? 1) - 1);
      for (const w of this.windows.values()) {
        if (w.channel === c.channel && c.at >= w.windowStart) {
          w.total -= 1;
          w.byAction.set(c.action, (w.byAction.get(c.action) ?? 1) - 1);
        }
      }
    }
  }

  dismiss(subject: string, at: number, action: string): void {
    const s = this.log(subject);
    s.changes = (s.changes ?? 0) + 1;
    s.dismissals.push({ at, action });
    if (s.dismissals.length > 1 && s.dismissals[s.dismissals.length - 2].at > at) s.dismissals.sort((a, b) => a.at - b.at);
    this.trim(s.dismissals, at, this.dismissalsMs);
  }

  /** What the contact-policy stage sees for one subject. */
  /**
   * What contact rules see of a subject: its contacts and dismissals, with those of the profile
   * keys merged into it (`also`) — a person contacted twice under an identity that later merged
   * has been contacted twice.
   */
  view(subject: string, also: readonly string[] = []): ContactView {
    const s = this.subjects.get(subject) ?? this.empty;
    const budgetUse = (b: CompiledBudget, now: number) => this.budgetUse(b, now);
    const others = also.map((k) => this.subjects.get(k)).filter((x): x is NonNullable<typeof x> => !!x);
    if (!others.length) return { contacts: s.contacts, dismissals: s.dismissals, budgetUse };
    const all = [s, ...others];
    return {
      contacts: all.flatMap((x) => x.contacts).sort((a, b) => a.at - b.at),
      dismissals: all.flatMap((x) => x.dismissals).sort((a, b) => a.at - b.at),
      budgetUse,
    };
  }

  /** Use of a budget's current window (windows are aligned to multiples of their length since 1970, UTC). */
  budgetUse(b: CompiledBudget, now: number): BudgetUse {
    const start = Math.floor(now / b.windowMs) * b.windowMs;
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

  /** Drops what is older than the look-back (run now and then). */
  prune(now: number): void {
    const before = now - this.contactsMs;
    for (const [k, s] of this.subjects) {
      this.trim(s.contacts, now, this.contactsMs);
      this.trim(s.dismissals, now, this.dismissalsMs);
      if (!s.contacts.length && !s.dismissals.length) this.subjects.delete(k);
    }
    for (const ch of this.buckets.values()) for (const minute of ch.keys()) if (minute * MINUTE < before) ch.delete(minute);
  }

  /** Subjects with a history in memory. */
  get size(): number {
    return this.subjects.size;
  }

  private log(subject: string): SubjectLog {
    let s = this.subjects.get(subject);
    if (!s) this.subjects.set(subject, (s = { contacts: [], dismissals: [] }));
    return s;
  }

  private trim(list: { at: number }[], now: number, windowMs: number): void {
    const before = now - windowMs;
    let i = 0;
    while (i < list.length && list[i].at < before) i++;
    if (i) list.splice(0, i);
  }
}
