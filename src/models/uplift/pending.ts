import type { Store } from '../../store/store.js';
import { heldOutSubject } from './held-out.js';

/**
 * How many decisions of held-out subjects (held-out.ts) were made in the last `windowMs` before
 * `now`, per arm as the log reads it (uplift-log.ts: "none" for a holdout or a "none" first
 * choice, else the first choice's action; handoffs aside): the decisions a read that stops at
 * `now − windowMs` leaves out because their outcomes may still come. Counted page by page over
 * that span only, so a busy window costs one page in memory, not the whole span.
 *
 * @example
 * const open = await heldOutPendingByArm(store, Date.now(), 7 * 864e5); // Map { 'none' => 12, 'shoes' => 9 }
 */
export async function heldOutPendingByArm(store: Pick<Store, 'decisions'>, now: number, windowMs: number): Promise<Map<string, number>> {
  const PAGE = 2000;
  const counts = new Map<string, number>();
  if (windowMs <= 0) return counts;
  let after: { at: number; id: string } | undefined;
  for (;;) {
    // A read with `windowMs` takes `at + windowMs ≤ now`; these are the rest, up to now.
    const page = await store.decisions.queryDecisions({ from: now - windowMs + 1, to: now + 1, after, limit: PAGE });
    for (const d of page) {
      const first = d.choices[0];
      if (!first || first.kind === 'handoff' || !heldOutSubject(d.profileKey)) continue;
      const arm = d.arm === 'holdout' || first.kind === 'none' ? 'none' : (first.action as string);
      counts.set(arm, (counts.get(arm) ?? 0) + 1);
    }
    if (page.length < PAGE) return counts;
    const last = page[page.length - 1];
    after = { at: last.at, id: last.id };
  }
}
