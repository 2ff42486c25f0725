import { describe, expect, it } from 'vitest';
import { DecideState } from './decide-state.js';
import type { DecisionStore } from './decision-store.js';
import type { Hold } from './records.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 1);
/** The policy's review windows: approvals valid 30 days, rejections kept 14, pending reviews expiring after 7. */
const WINDOWS = { approvalValidMs: 30 * DAY, rejectForMs: 14 * DAY, reviewExpireMs: 7 * DAY };

/** A review of the loan for `profileKey`, created `createdDaysAgo` and, unless pending, decided `decidedDaysAgo`. */
function hold(id: string, status: Hold['status'], createdDaysAgo: number, decidedDaysAgo: number | null = null): Hold {
  return {
    id, decisionId: `d-${id}`, profileKey: `p-${id}`, subject: id, placement: 'home', action: 'loan', variant: null, queue: 'default',
    status, createdAt: NOW - createdDaysAgo * DAY, decidedAt: decidedDaysAgo === null ? null : NOW - decidedDaysAgo * DAY, reviewer: null, note: null, deliveredIn: null,
  };
}

/**
 * Each review as the human-territory stage reads it (src/decide/stages/human-territory.ts): an
 * approval counts while decided within `approvalValidFor`, a rejection within `rejectFor`, a pending
 * review while created within `expireAfter`; past that it changes no decision, and the state lets it go.
 */
const HOLDS = [
  hold('approved-fresh', 'approved', 40, 29),
  hold('approved-lapsed', 'approved', 400, 31), // approved 31 days ago, never delivered
  hold('rejected-fresh', 'rejected', 20, 13),
  hold('rejected-old', 'rejected', 200, 15),
  hold('pending-fresh', 'pending', 6),
  hold('pending-expired', 'pending', 8),
];
const KEPT = ['approved-fresh', 'rejected-fresh', 'pending-fresh'];

const keptIn = (state: DecideState) => HOLDS.flatMap((h) => state.holdsOf(h.profileKey).map((x) => x.id));

describe('the decision state lets go of reviews that can no longer change a decision', () => {
  it('drops lapsed approvals, old rejections and expired pending reviews at its pruning', () => {
    const state = new DecideState(30 * DAY);
    state.setReviewWindows(WINDOWS);
    for (const h of HOLDS) state.putHold(h);
    state.prune(NOW);
    expect(keptIn(state)).toEqual(KEPT);
    expect(state.heldReviews).toBe(3);
  });

  it('reads back from the log only those that matter (the log keeps every approved and pending one)', async () => {
    const state = new DecideState(30 * DAY);
    state.setReviewWindows(WINDOWS);
    await state.loadHolds({ liveHolds: async () => HOLDS } as unknown as DecisionStore, NOW);
    expect(keptIn(state)).toEqual(KEPT);
  });

  it('keeps a review that still matters under a longer window set later', async () => {
    const state = new DecideState(30 * DAY);
    state.setReviewWindows({ ...WINDOWS, approvalValidMs: 60 * DAY });
    for (const h of HOLDS) state.putHold(h);
    state.prune(NOW);
    expect(keptIn(state)).toEqual(['approved-fresh', 'approved-lapsed', 'rejected-fresh', 'pending-fresh']);
  });
});
