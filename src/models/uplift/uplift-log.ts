import type { DecisionRecord } from '../../decide/decision.js';
import type { Store } from '../../store/store.js';

/** The parts of a logged decision uplift learning reads (the rest is dropped as pages are read). */
export type LoggedRecord = Pick<DecisionRecord, 'id' | 'at' | 'profileKey' | 'facts' | 'scored'>;

/** One logged decision as uplift learning reads it: the arm it received and what followed. */
export interface LoggedDecision {
  record: LoggedRecord;
  /** "none" (nothing was done: chosen, or the holdout) or the action chosen at rank 1. */
  arm: string;
  /** The logging policy's probability of that arm. */
  propensity: number;
  /** Outcome types the subject produced within the window after the decision (each outcome once). */
  followed: ReadonlySet<string>;
}

const PAGE = 2000;

/**
 * Reads the decision log for uplift learning and off-policy comparison: decisions whose outcome
 * window has closed (`at + windowMs ≤ now`, so none is censored), newest first up to `max`, each
 * with its arm — the rank-1 action, or "none" when nothing was done (a "none" choice or the
 * holdout; handoffs and held decisions are left out) — and the outcome types the subject
 * produced within the window, whether or not attribution credited them to the decision (a "none"
 * decision is credited nothing, yet its subject may convert: that is the control).
 *
 * @example
 * const rows = await readDecisionLog(store, { now: Date.now(), windowMs: 7 * 864e5, sinceMs: 90 * 864e5, max: 50_000 });
 */
export async function readDecisionLog(store: Store, o: { now: number; windowMs: number; sinceMs: number; max: number }): Promise<LoggedDecision[]> {
  const from = o.now - o.sinceMs;
  const seen = new Set<string>();
  const records: (LoggedRecord & { arm: string; propensity: number })[] = [];
  let to = o.now - o.windowMs + 1;
  while (records.length < o.max) {
    const page = await store.decisions.queryDecisions({ from, to, limit: PAGE });
    const fresh = page.filter((d) => !seen.has(d.id));
    for (const d of fresh) {
      seen.add(d.id);
      const first = d.choices[0];
      if (!first || first.kind === 'handoff' || first.held) continue;
      const arm = d.arm === 'holdout' || first.kind === 'none' ? 'none' : (first.action as string);
      records.push({ id: d.id, at: d.at, profileKey: d.profileKey, facts: d.facts, scored: d.scored.filter((t) => t.value !== undefined), arm, propensity: first.propensity });
    }
    if (page.length < PAGE) break;
    const last = page[page.length - 1].at;
    to = fresh.length ? last + 1 : last;
  }
  if (!records.length) return [];
  const byProfile = new Map<string, { at: number; type: string }[]>();
  const outcomeIds = new Set<string>();
  for (const out of await store.decisions.outcomesSince(from)) {
    const key = `${out.profileKey}|${out.id}`;
    if (outcomeIds.has(key)) continue;
    outcomeIds.add(key);
    let list = byProfile.get(out.profileKey);
    if (!list) byProfile.set(out.profileKey, (list = []));
    list.push({ at: out.at, type: out.type });
  }
  const rows: LoggedDecision[] = [];
  for (const { arm, propensity, ...record } of records.slice(0, o.max)) {
    const followed = new Set<string>();
    for (const e of byProfile.get(record.profileKey) ?? []) if (e.at >= record.at && e.at <= record.at + o.windowMs) followed.add(e.type);
    rows.push({ record, arm, propensity, followed });
  }
  return rows;
}
