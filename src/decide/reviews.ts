import { TactError } from '../errors/tact-error.js';
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
  constructor(private readonly store: DecisionStore, private readonly state: DecideState, private readonly now: () => number) {}

  list(q: { status?: Hold['status']; queue?: string; limit: number }): Promise<Hold[]> {
    return this.store.listHolds(q);
  }

  async get(id: string): Promise<Hold> {
    const h = await this.store.getHold(id);
    if (!h) throw new TactError('not_found', { what: 'review', id });
    return h;
  }

  async decide(id: string, status: 'approved' | 'rejected', reviewer: string, note?: string): Promise<Hold> {
    const h = await this.get(id);
    if (h.status !== 'pending') throw new TactError('conflict', { detail: `The review ${id} is already ${h.status}${h.reviewer ? ` (by ${h.reviewer})` : ''}; only a pending review can be approved or rejected.` });
    const next: Hold = { ...h, status, reviewer, note: note ?? null, decidedAt: this.now() };
    await this.store.putHold(next);
    this.state.putHold(next);
    return next;
  }
}
