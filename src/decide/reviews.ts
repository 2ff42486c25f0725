import { TactError, validationError } from '../errors/tact-error.js';
import type { DecisionStore } from './decision-store.js';
import type { DecideState } from './decide-state.js';
import type { Hold } from './records.js';

/**
 * The plain review state of high-stakes choices: a held choice waits as "pending"; a person
 * approves it (the subject's next decision at a placement where it competes may deliver it) or
 * rejects it (it is not offered to that subject for the policy's `review.rejectFor`).
 *
 * @example
 * await reviews.decide('01J…', 'approved', 'kim', 'checked affordability');
 */
export class Reviews {
  /** Verdicts in progress in this process, by review: one at a time each. */
  private readonly deciding = new Map<string, Promise<Hold>>();

  constructor(private readonly store: DecisionStore, private readonly state: DecideState, private readonly now: () => number) {}

  /** Newest first; `before`: the last review of the previous page. */
  async list(q: { status?: Hold['status']; queue?: string; limit: number; before?: string }): Promise<Hold[]> {
    if (q.before && !(await this.store.getHold(q.before))) throw validationError([{ field: 'before', message: `The \`before\` \`${q.before}\` is no review's id; pass the id of the last review of the previous page.` }]);
    return this.store.listHolds(q);
  }

  async get(id: string): Promise<Hold> {
    const h = await this.store.getHold(id);
    if (!h) throw new TactError('not_found', { what: 'review', id });
    return h;
  }

  /**
   * A person's verdict on a pending review. Of verdicts sent at once (two reviewers, a double
   * click, another process) exactly one is written; the others get a 409 naming it.
   */
  async decide(id: string, status: 'approved' | 'rejected', reviewer: string, note?: string): Promise<Hold> {
    const mine = (this.deciding.get(id) ?? Promise.resolve()).catch(() => undefined).then(() => this.decideNow(id, status, reviewer, note));
    this.deciding.set(id, mine);
    try {
      return await mine;
    } finally {
      if (this.deciding.get(id) === mine) this.deciding.delete(id);
    }
  }

  private async decideNow(id: string, status: 'approved' | 'rejected', reviewer: string, note?: string): Promise<Hold> {
    const h = await this.get(id);
    if (h.status !== 'pending') throw decided(h);
    const next: Hold = { ...h, status, reviewer, note: note ?? null, decidedAt: this.now() };
    if (!(await this.store.decideHold(next))) throw decided(await this.get(id));
    this.state.putHold(next);
    return next;
  }
}

const decided = (h: Hold) => new TactError('conflict', { detail: `The review ${h.id} is already ${h.status}${h.reviewer ? ` (by ${h.reviewer})` : ''}; only a pending review can be approved or rejected.` });
