import type { DecisionStore } from './decision-store.js';
import type { Hold } from './records.js';

/** The policy's review windows, in ms (src/decide/policy-compile.ts). */
export interface ReviewWindows {
  rejectForMs: number;
  approvalValidMs: number;
  reviewExpireMs: number;
}

/**
 * The live reviews (holds) in memory by subject, so a decision reads its subject's without a
 * query: pending, approved and rejected ones while they can still change a decision, and how
 * often each subject's changed (a decision that opens or delivers one checks that nothing moved
 * under it). Part of the decide state (decide-state.ts), which tells it what is news.
 *
 * @example
 * const book = new HoldBook(); book.put(hold); book.of('p1'); // [hold]
 */
export class HoldBook {
  private readonly byKey = new Map<string, Hold[]>();
  private readonly changes = new Map<string, number>();
  /** The policy's review windows (`setWindows`); until set, every live review is kept. */
  private windows: ReviewWindows | undefined;

  /** How far back a rejection can still refuse a decision (0 until the policy's windows are set). */
  get rejectForMs(): number {
    return this.windows?.rejectForMs ?? 0;
  }

  setWindows(w: ReviewWindows): void {
    this.windows = w;
  }

  /**
   * Reads the live reviews again: pending, approved, and those rejected within `lookbackMs` or
   * `rejectFor` — of them, those that still matter. Only what can still matter is read: the log
   * keeps every review, and this runs on every sync. `put` takes each one in.
   */
  async load(store: DecisionStore, now: number, lookbackMs: number, put: (h: Hold) => void): Promise<void> {
    const w = this.windows;
    const live = await store.liveHolds({
      pending: w ? now - w.reviewExpireMs : -1,
      approved: w ? now - w.approvalValidMs : -1,
      rejected: now - Math.max(lookbackMs, this.rejectForMs),
    });
    this.byKey.clear();
    for (const h of live) if (this.matters(h, now)) put(h);
  }

  /**
   * Whether a review can still change a decision, by the rules of the human-territory stage: an
   * approval within `approvalValidFor`, a rejection within `rejectFor`, a pending review within
   * `expireAfter`. The log keeps every approved and pending review, however old: without this they
   * would stay in memory for ever. A review a newer one of the same person and action superseded
   * (`supersededBy`) never changes a decision again: decisions follow the newest.
   */
  private matters(h: Hold, now: number): boolean {
    const w = this.windows;
    if (!live(h)) return false;
    if (!w) return true;
    switch (h.status) {
      case 'approved': return (h.decidedAt ?? 0) > now - w.approvalValidMs;
      case 'rejected': return (h.decidedAt ?? 0) >= now - w.rejectForMs;
      case 'pending': return h.createdAt > now - w.reviewExpireMs;
      default: return false;
    }
  }

  /** Lets go of the reviews that no longer matter ({@link matters}). */
  prune(now: number): void {
    if (!this.windows) return;
    for (const [key, list] of this.byKey) {
      const kept = list.filter((h) => this.matters(h, now));
      if (!kept.length) this.byKey.delete(key);
      else if (kept.length < list.length) this.byKey.set(key, kept);
    }
  }

  /** Reviews held (for the gauges and tests). */
  get size(): number {
    let n = 0;
    for (const list of this.byKey.values()) n += list.length;
    return n;
  }

  /** The subject's holds, with those of the profile keys merged into it (`also`): a review opened before a merge is still the person's. */
  of(profileKey: string, also: readonly string[] = []): readonly Hold[] {
    const own = this.byKey.get(profileKey) ?? [];
    if (!also.length) return own;
    const more = also.flatMap((k) => this.byKey.get(k) ?? []);
    return more.length ? [...own, ...more] : own;
  }

  /** How many times the subject's reviews changed, under its key and the `also` keys its history is under too. */
  version(profileKey: string, also: readonly string[] = []): number {
    let v = this.changes.get(profileKey) ?? 0;
    for (const k of also) v += this.changes.get(k) ?? 0;
    return v;
  }

  /** Takes in a state of a review, replacing the review's earlier one; `news`: a state not seen before, which changes the subject's {@link version}. */
  put(h: Hold, news: boolean): void {
    if (news) this.changes.set(h.profileKey, (this.changes.get(h.profileKey) ?? 0) + 1);
    const list = (this.byKey.get(h.profileKey) ?? []).filter((x) => x.id !== h.id);
    if (live(h)) list.push(h);
    if (list.length) this.byKey.set(h.profileKey, list);
    else this.byKey.delete(h.profileKey);
  }
}

/** A review that can still change a decision under some window: not delivered, and not superseded by a newer one. */
const live = (h: Hold): boolean => h.status !== 'delivered' && !h.supersededBy;
