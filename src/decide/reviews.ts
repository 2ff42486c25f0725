import { TactError, validationError } from '../errors/tact-error.js';
import type { DecisionStore } from './decision-store.js';
import type { DecideState } from './decide-state.js';
import type { Hold } from './records.js';

/** What the API shows of a review: `expired` is a pending one older than the policy's `review.expireAfter`. */
export type ReviewStatus = Hold['status'] | 'expired';

/**
 * A review as read: its status at the time of reading, and when it expires — a pending (or
 * expired) one, when it takes no more verdict; an approved one, when its approval lapses undelivered.
 */
export interface Review extends Omit<Hold, 'status'> {
  status: ReviewStatus;
  expiresAt: number | null;
}

/**
 * The plain review state of high-stakes choices: a held choice waits as "pending"; a person
 * approves it (the subject's next decision at a placement where it competes may deliver it, within
 * the policy's `review.approvalValidFor`: later, a new review is asked) or rejects it (it is not
 * offered to that subject for the policy's `review.rejectFor`). A review
 * left pending for the policy's `review.expireAfter` is `expired`: computed when read, so a
 * changed policy applies to the reviews already open; no verdict is taken on it, and its subject
 * keeps the placement's safe default.
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
    private readonly expireMs: () => number = () => 7 * 86_400_000,
    private readonly approvalMs: () => number = () => 30 * 86_400_000,
  ) {}

  /**
   * Newest first; `before`: the last review of the previous page. The store orders by creation,
   * so the expired reviews are the pending ones after the newest expired: `pending` stops there,
   * and `expired` reads past the pending ones before it.
   */
  async list(q: { status?: ReviewStatus; queue?: string; limit: number; before?: string }): Promise<Review[]> {
    if (q.before && !(await this.store.getHold(q.before))) throw validationError([{ field: 'before', message: `The \`before\` \`${q.before}\` is no review's id; pass the id of the last review of the previous page.` }]);
    const view = this.viewer();
    if (q.status !== 'pending' && q.status !== 'expired') return (await this.store.listHolds({ ...q, status: q.status })).map(view);
    const out: Review[] = [];
    for (let before = q.before; ; ) {
      const page = await this.store.listHolds({ ...q, status: 'pending', before });
      for (const r of page.map(view)) {
        if (r.status === q.status) out.push(r);
        else if (q.status === 'pending') return out;
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

  /** A hold as read now, under the policy in force. */
  private viewer(): (h: Hold) => Review {
    const now = this.now();
    const expireMs = this.expireMs();
    const approvalMs = this.approvalMs();
    return (h) => {
      if (h.status === 'approved') return { ...h, expiresAt: (h.decidedAt ?? h.createdAt) + approvalMs };
      if (h.status !== 'pending') return { ...h, expiresAt: null };
      const expiresAt = h.createdAt + expireMs;
      return { ...h, status: expiresAt <= now ? 'expired' : 'pending', expiresAt };
    };
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
    if (h.status !== 'pending') throw decided(h);
    const next: Hold = { ...h, status, reviewer, note: note ?? null, decidedAt: this.now() };
    if (!(await this.store.decideHold(next))) throw decided(await this.hold(id));
    this.state.putHold(next);
    return next;
  }
}

const expired = (r: Review) => new TactError('conflict', { detail: `The review ${r.id} expired at ${new Date(r.expiresAt ?? 0).toISOString()}: it was pending for longer than the policy's \`review.expireAfter\`, so no verdict is taken on it; its subject keeps the placement's safe default.` });
const decided = (h: Hold) => new TactError('conflict', { detail: `The review ${h.id} is already ${h.status}${h.reviewer ? ` (by ${h.reviewer})` : ''}; only a pending review can be approved or rejected.` });
