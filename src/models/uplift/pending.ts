import type { Store } from '../../store/store.js';
import { HELD_OUT_SPLIT, heldOutDecision, type HeldOutSplit } from './held-out.js';
import { subjectMoves } from './subjects.js';

/** Decisions a pending count reads at most (as many as the log read it goes with: UPLIFT_LOG.max). */
export const PENDING_SCAN = 100_000;

/**
 * How many decisions of held-out subjects (held-out.ts) were made in the last `windowMs` before
 * `now`, per arm as the log reads it (uplift-log.ts: "none" for a holdout or a "none" first
 * choice, else the first choice's action; handoffs aside): the decisions a read that stops at
 * `now − windowMs` leaves out because their outcomes may still come — held out under each of
 * `splits` (default: the current split; a subject followed through its merges, as the log reads
 * it: subjects.ts), as the rows they go with are. Counted page by page over
 * that span, newest first, at most `scanMax` decisions (a 7-day window at 1,000 decisions a second
 * holds 600 million): past that the counts are a lower bound (`atLeast`).
 *
 * @example
 * const open = await heldOutPendingByArm(store, Date.now(), 7 * 864e5); // { counts: Map { 'none' => 12, 'shoes' => 9 }, atLeast: false }
 */
export async function heldOutPendingByArm(store: Pick<Store, 'decisions' | 'profiles'>, now: number, windowMs: number, scanMax = PENDING_SCAN, splits: readonly HeldOutSplit[] = [HELD_OUT_SPLIT]): Promise<{ counts: Map<string, number>; atLeast: boolean }> {
  const PAGE = Math.min(2000, scanMax);
  const counts = new Map<string, number>();
  if (windowMs <= 0) return { counts, atLeast: false };
  let after: { at: number; id: string } | undefined;
  let scanned = 0;
  const open: { key: string; arm: string }[] = [];
  const count = async (atLeast: boolean) => {
    const moves = await subjectMoves(store.profiles, open.map((d) => d.key));
    for (const d of open) if (splits.every((s) => heldOutDecision(d.key, moves.get(d.key), s))) counts.set(d.arm, (counts.get(d.arm) ?? 0) + 1);
    return { counts, atLeast };
  };
  for (;;) {
    // A read with `windowMs` takes `at + windowMs ≤ now`; these are the rest, up to now.
    const page = await store.decisions.queryDecisions({ from: now - windowMs + 1, to: now + 1, after, limit: PAGE });
    for (const d of page) {
      const first = d.choices[0];
      if (!first || first.kind === 'handoff') continue;
      open.push({ key: d.profileKey, arm: d.arm === 'holdout' || first.kind === 'none' ? 'none' : (first.action as string) });
    }
    scanned += page.length;
    if (page.length < PAGE) return count(false);
    if (scanned >= scanMax) return count(true);
    const last = page[page.length - 1];
    after = { at: last.at, id: last.id };
  }
}
