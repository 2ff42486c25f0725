import { TactError, validationError } from '../errors/tact-error.js';
import type { CompiledCatalog } from './catalog-compile.js';
import type { DecisionStore } from './decision-store.js';
import type { DecideState } from './decide-state.js';
import type { Hold } from './records.js';
import { isReviewedContent } from './stages/approved-content.js';
import { newestReview, openedAfter } from './stages/human-territory.js';

/**
 * What the API shows of a review: `expired` is a pending one older than the policy's
 * `review.expireAfter`; `superseded`, a pending one whose content the catalog edited or withdrew since,
 * or that a newer review of the same person and action followed (`Hold.supersededBy`).
 */
export type ReviewStatus = Hold['status'] | 'expired' | 'superseded';

/**
 * A review as read: its status at the time of reading, and when it expires — a pending (or
 * expired) one, when it takes no more verdict; an approved one, when its approval lapses undelivered;
 * a rejected one, when its block ends (the action may be offered to the subject again).
 * `supersededBy`: of a review whose content changed since it was held (pending: `superseded`;
 * approved: never to be delivered), the newer review of the same subject and action, of the content
 * as it is now, while the decision state keeps it; of a review a newer one of the same subject and
 * action followed (decisions follow only the newest: pending ones read `superseded`), that newer
 * one; else null.
 */
export interface Review extends Omit<Hold, 'status'> {
  status: ReviewStatus;
  expiresAt: number | null;
  supersededBy: string | null;
}

/** The policy and catalog in force, as the review state reads them (each call: the current one). */
export interface ReviewRules {
  /** The policy's `review.expireAfter` (ms). */
  expireMs: () => number;
  /** The policy's `review.approvalValidFor` (ms). */
  approvalMs: () => number;
  /** The policy's `review.rejectFor` (ms). */
  rejectMs: () => number;
  /** The catalog in force: a review is of content it still has, or superseded. */
  catalog: () => CompiledCatalog;
  /** The policy's `review.queue`: where the reviews still open are routed now. */
  queue: () => string;
}

/**
 * The plain review state of high-stakes choices: a held choice waits as "pending"; a person
 * approves it (the subject's next decision at a placement where it competes may deliver it, within
 * the policy's `review.approvalValidFor`: later, a new review is asked) or rejects it (it is not
 * offered to that subject for the policy's `review.rejectFor`). A review
 * left pending for the policy's `review.expireAfter` is `expired`: computed when read, so a
 * changed policy applies to the reviews already open; no verdict is taken on it, and its subject
 * keeps the placement's safe default. A pending review whose content (the action's terms, the
 * variant's content) the catalog edited or withdrew since is `superseded`, also computed when read:
 * no verdict is taken on it, and the subject's next decision holds the action under a new review.
 *
 * @example
 * await reviews.decide('01J…', 'approved', 'kim', 'checked affordability');
 */
export class Reviews {
  /** Verdicts in progress in this process, by review: one at a time each. */
  private readonly deciding = new Map<string, Promise<Hold>>();

  constructor(
    private readonly store: DecisionStore,
    private readonly state: DecideState,
    private readonly now: () => number,
    private readonly rules: ReviewRules,
  ) {}

  /**
   * Newest first; `before`: the last review of the previous page. The store orders by creation,
   * so the expired reviews are the pending ones after the newest expired: `pending` and
   * `superseded` (both among the pending ones before it) stop there, and `expired` reads past the
   * pending ones before it. `queue`: a review still open (pending in the store) is under the
   * policy's `review.queue` now in force, wherever it was opened — the work moves with the queue;
   * one with a verdict under the queue it was opened under.
   */
  async list(q: { status?: ReviewStatus; queue?: string; limit: number; before?: string }): Promise<Review[]> {
    if (q.before && !(await this.store.getHold(q.before))) throw validationError([{ field: 'before', message: `The \`before\` \`${q.before}\` is no review's id; pass the id of the last review of the previous page.` }]);
    const view = this.viewer();
    const status = q.status;
    const open = status === 'pending' || status === 'expired' || status === 'superseded';
    // The open reviews are all under the queue in force: another queue has none; this one, every one.
    const openHere = !q.queue || q.queue === this.rules.queue();
    if (open && !openHere) return [];
    if (!open && q.queue && status === undefined) return this.filtered({ ...q, queue: openHere ? undefined : q.queue }, (h) => (h.status === 'pending' ? openHere : h.queue === q.queue), view);
    if (!open) return (await this.store.listHolds({ ...q, status })).map(view);
    const out: Review[] = [];
    for (let before = q.before; ; ) {
      const page = await this.store.listHolds({ ...q, queue: undefined, status: 'pending', before });
      for (const r of page.map(view)) {
        if (r.status === q.status) out.push(r);
        else if (r.status === 'expired') return out;
        if (out.length === q.limit) return out;
      }
      if (page.length < q.limit) return out;
      before = page[page.length - 1].id;
    }
  }

  /** The store's reviews (of `q.queue`, when given) that `keep` keeps, a page of `q.limit`, read page by page. */
  private async filtered(q: { queue?: string; limit: number; before?: string }, keep: (h: Hold) => boolean, view: (h: Hold) => Review): Promise<Review[]> {
    const out: Review[] = [];
    for (let before = q.before; ; ) {
      const page = await this.store.listHolds({ queue: q.queue, limit: q.limit, before });
      for (const h of page) {
        if (keep(h)) out.push(view(h));
        if (out.length === q.limit) return out;
      }
      if (page.length < q.limit) return out;
      before = page[page.length - 1].id;
    }
  }

  async get(id: string): Promise<Review> {
    return this.viewer()(await this.hold(id));
  }

  private async hold(id: string): Promise<Hold> {
    const h = await this.store.getHold(id);
    if (!h) throw new TactError('not_found', { what: 'review', id });
    return h;
  }

  /** A hold as read now, under the policy and catalog in force. */
  private viewer(): (h: Hold) => Review {
    const now = this.now();
    const expireMs = this.rules.expireMs();
    const approvalMs = this.rules.approvalMs();
    const rejectMs = this.rules.rejectMs();
    const catalog = this.rules.catalog();
    const queue = this.rules.queue();
    const current = (h: Hold) => {
      const action = catalog.actions.get(h.action);
      // An action no longer high-stakes is delivered without a review: one still open is no work to do.
      return !!action?.def.highStakes && isReviewedContent(h, action);
    };
    return (open) => {
      // A review still open is routed to the queue in force (a changed `review.queue` takes the work with it).
      const h = open.status === 'pending' ? { ...open, queue } : open;
      // Decisions follow the subject's newest review of the action (human-territory.ts): an older
      // one a newer was opened after is history, whatever a window lengthened since would say —
      // marked so in the store (`supersededBy`, also across a merge), or newer in the decision state.
      const newer = this.followedBy(h);
      if (h.status === 'approved') return { ...h, expiresAt: (h.decidedAt ?? h.createdAt) + approvalMs, supersededBy: newer ?? (current(h) ? null : this.replacement(h, current)) };
      if (h.status === 'rejected') return { ...h, expiresAt: (h.decidedAt ?? h.createdAt) + rejectMs, supersededBy: newer };
      if (h.status !== 'pending') return { ...h, expiresAt: null, supersededBy: null };
      const expiresAt = h.createdAt + expireMs;
      if (expiresAt <= now) return { ...h, status: 'expired', expiresAt, supersededBy: null };
      if (newer) return { ...h, status: 'superseded', expiresAt, supersededBy: newer };
      if (current(h)) return { ...h, status: 'pending', expiresAt, supersededBy: null };
      return { ...h, status: 'superseded', expiresAt, supersededBy: this.replacement(h, current) };
    };
  }

  /** The newer review of the same person and action that decisions follow instead of `h`: as the store marks it, else as the decision state has one. */
  private followedBy(h: Hold): string | null {
    return h.supersededBy ?? this.newer(h);
  }

  /** The newest review of the same subject (profile key) and action opened after `h`, which decisions follow instead, if the decision state keeps one. */
  private newer(h: Hold): string | null {
    return newestReview(this.state.holdsOf(h.profileKey).filter((x) => openedAfter(x, h)), h.action)?.id ?? null;
  }

  /** The newest review of the same subject and action opened after `h`, of the content as it is now (the decision state's: those that can still change a decision). */
  private replacement(h: Hold, current: (h: Hold) => boolean): string | null {
    let newest: Hold | undefined;
    for (const x of this.state.holdsOf(h.profileKey)) {
      if (x.id === h.id || x.action !== h.action || x.createdAt < h.createdAt || !current(x)) continue;
      if (!newest || openedAfter(x, newest)) newest = x;
    }
    return newest?.id ?? null;
  }

  /**
   * A person's verdict on a pending review. Of verdicts sent at once (two reviewers, a double
   * click, another process) exactly one is written; the others get a 409 naming it.
   */
  async decide(id: string, status: 'approved' | 'rejected', reviewer: string, note?: string): Promise<Review> {
    const mine = (this.deciding.get(id) ?? Promise.resolve()).catch(() => undefined).then(() => this.decideNow(id, status, reviewer, note));
    this.deciding.set(id, mine);
    try {
      return this.viewer()(await mine);
    } finally {
      if (this.deciding.get(id) === mine) this.deciding.delete(id);
    }
  }

  private async decideNow(id: string, status: 'approved' | 'rejected', reviewer: string, note?: string): Promise<Hold> {
    const h = await this.hold(id);
    const r = this.viewer()(h);
    if (r.status === 'expired') throw expired(r);
    if (r.status === 'superseded') throw r.supersededBy !== null && this.followedBy(h) === r.supersededBy ? overtaken(r) : superseded(r, this.rules.catalog());
    if (h.status !== 'pending') throw decided(h);
    const next: Hold = { ...h, status, reviewer, note: note ?? null, decidedAt: this.now() };
    if (!(await this.store.decideHold(next))) {
      // The store takes no verdict on a review a newer one followed meanwhile (a decision opened it).
      const now = await this.hold(id);
      throw now.status === 'pending' && now.supersededBy ? overtaken({ ...r, supersededBy: now.supersededBy }) : decided(now);
    }
    this.state.putHold(next);
    return next;
  }
}

const expired = (r: Review) => new TactError('conflict', { detail: `The review ${r.id} expired at ${new Date(r.expiresAt ?? 0).toISOString()}: it was pending for longer than the policy's \`review.expireAfter\`, so no verdict is taken on it; its subject keeps the placement's safe default.` });
const superseded = (r: Review, catalog: CompiledCatalog) => {
  const action = catalog.actions.get(r.action);
  if (action && !action.def.highStakes) return new TactError('conflict', { detail: `The review ${r.id} is of an action the catalog no longer marks \`highStakes\` (\`${r.action}\`): decisions deliver it without a review, so no verdict is taken on it.` });
  const withdrawn = !action || (r.variant === null ? action.declaresVariants : !action.variants.some((v) => v.id === r.variant));
  const what = `the action \`${r.action}\`${r.variant === null ? '' : ` (variant \`${r.variant}\`)`}`;
  const instead = r.supersededBy ? `look at the review ${r.supersededBy} instead, which is of the content as it is now.` : `the subject's next decision where \`${r.action}\` competes opens a review of the content as it is now.`;
  return new TactError('conflict', { detail: `The review ${r.id} is of content that changed since it was held: the catalog ${withdrawn ? 'no longer offers' : 'edited'} ${what} since, so an approval would deliver nothing and a rejection would judge terms no customer gets; no verdict is taken on it: ${instead}` });
};
const overtaken = (r: Review) => new TactError('conflict', { detail: `The review ${r.id} was followed by a newer review of the same subject and action, ${r.supersededBy}, opened once this one no longer applied: decisions follow the newest, so no verdict is taken on this one; look at the review ${r.supersededBy} instead.` });
const decided = (h: Hold) => new TactError('conflict', { detail: `The review ${h.id} is already ${h.status}${h.reviewer ? ` (by ${h.reviewer})` : ''}; only a pending review can be approved or rejected.` });
