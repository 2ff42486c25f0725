import type { BanditConfig } from '../../learn/bandit/thompson.js';
import type { StoredEstimate } from '../../models/estimates/estimate-store.js';
import type { DecisionRecord } from '../decision.js';
import { type BanditLog, type Book, type RowState, type Trial, MAX_OPEN_TRIALS, stateFor } from './placement-state.js';
import { openTrial, resolution, resolveOutcomes, trialsOf } from './placement-trials.js';

/** Decisions read a page at a time when a load catches up from the log. */
const LOG_PAGE = 1000;

/**
 * How far back a catch-up reads outcomes at least, and decisions where no bandit is stored: what a
 * process learned and did not save is of its last seconds (it saves every 5 s), so an hour covers a
 * restart within the hour of a kill, outcomes dated up to an hour before they were recorded among them.
 */
export const CATCH_UP_HORIZON = 60 * 60_000;

/** Learns what the log holds after each placement's stored row (placement-bandits.ts load): the trials opened, then the outcomes since. */
export async function catchUp(b: Book, log: BanditLog, list: readonly { id: string; config?: BanditConfig; row?: StoredEstimate }[]): Promise<void> {
  b.catching++;
  try {
    const horizon = b.d.now() - CATCH_UP_HORIZON;
    const trials = new Map<string, Trial>();
    const add = (t: Trial) => trials.set(`${t.decisionId}|${t.action}`, t);
    const marks = new Set<string>();
    /** Placements with a row: its time, and the actions it holds (an earlier decision chose among them). */
    const rows = new Map<string, { at: number; actions: Set<string> }>();
    const seen = new Set<string>();
    let from = Infinity;
    for (const p of list) {
      const at = p.row?.updatedAt;
      if (p.row && at !== undefined) {
        const state = p.row.state as RowState;
        // Still ahead of the next row's write, they go on into it (persist).
        for (const [k, on] of Object.entries(state.learnedAhead ?? {})) if (typeof on === 'number') (marks.add(k), b.ahead.set(k, { placement: p.id, at: on }));
        rows.set(p.id, { at, actions: new Set((state.actions ?? []).map((a) => a.id)) });
      }
      // Nothing stored: nothing was learned; what the last process may have learned unsaved is of the last hour.
      const since = at ?? horizon;
      for (const d of await decisionsSince(log, p.id, since)) (seen.add(d.id), trialsOf(b, d).forEach(add));
      from = Math.min(from, since);
    }
    if (from === Infinity) return;
    // Outcomes dated within the horizon only (the log since an idle placement's old row can be long):
    // a trial whose resolving outcome is dated earlier resolves at its window's end, from the log.
    const outcomes = await log.outcomesSince(Math.max(from, horizon));
    // Decisions dated before their placement's row whose trial the row had not resolved: their first
    // resolving outcome is dated after the write, and their window was still open then.
    const earlier = new Map<string, DecisionRecord | undefined>();
    for (const o of outcomes) {
      if (!o.decisionId || !o.action || seen.has(o.decisionId) || resolution(o) === undefined) continue;
      if (![...rows.values()].some((r) => o.at >= r.at && r.actions.has(o.action as string))) continue;
      if (!earlier.has(o.decisionId)) earlier.set(o.decisionId, await log.getDecision(o.decisionId));
      const d = earlier.get(o.decisionId);
      const at = d && rows.get(d.placement)?.at;
      if (!d || at === undefined || d.at >= at || o.at < at) continue;
      const t = trialsOf(b, d).find((x) => x.action === o.action);
      if (!t || t.deadline <= at || trials.has(`${t.decisionId}|${t.action}`)) continue;
      const before = (await log.outcomesOf(d.id)).some((x) => x.action === o.action && x.at < at && resolution(x) !== undefined);
      if (!before) add(t);
    }
    for (const [key, t] of trials) if (!marks.has(key) && !b.openedLive.has(key) && !b.pending.has(key)) openTrial(b, t);
    // Each placement held with the actions its trials chose (an action added after the row was written, as a decision adds it).
    for (const p of list) {
      const config = p.config ?? b.entries.get(p.id)?.state.config;
      const actions = [...new Set([...trials.values()].filter((t) => t.placement === p.id).map((t) => t.action))];
      if (config && actions.length) stateFor(b, p.id, actions, config);
    }
    resolveOutcomes(b, outcomes);
  } finally {
    if (--b.catching === 0) b.openedLive.clear();
  }
}

/** The decisions at a placement logged at or after `from`, oldest first: the newest {@link MAX_OPEN_TRIALS} of them. */
async function decisionsSince(log: BanditLog, placement: string, from: number): Promise<DecisionRecord[]> {
  const out: DecisionRecord[] = [];
  let after: { at: number; id: string } | undefined;
  for (;;) {
    const page = await log.queryDecisions({ placement, from, limit: LOG_PAGE, ...(after ? { after } : {}) });
    out.push(...page);
    if (page.length < LOG_PAGE || out.length >= MAX_OPEN_TRIALS) return out.reverse();
    const last = page[page.length - 1];
    after = { at: last.at, id: last.id };
  }
}
