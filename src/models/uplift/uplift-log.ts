import type { DecisionRecord } from '../../decide/decision.js';
import { NONE, shownDistribution, type Distribution } from '../../measure/policy-eval/replay-choice.js';
import type { Store } from '../../store/store.js';

/** The parts of a logged decision uplift learning reads (the rest is dropped as pages are read). */
export type LoggedRecord = Pick<DecisionRecord, 'id' | 'at' | 'profileKey' | 'facts' | 'scored'>;

/** One logged decision as uplift learning reads it: the arm it received and what followed. */
export interface LoggedDecision {
  record: LoggedRecord;
  /**
   * "none" (nothing was done: chosen, the holdout, or a held action with nothing to stand in) or
   * the action shown at rank 1 — for a choice held for review, its stand-in (the safe default).
   */
  arm: string;
  /** The logging policy's probability of showing that arm: the choice's `exposurePropensity` (every route to it), else its `propensity`. */
  propensity: number;
  /**
   * What a pick of an action held for review (its logged `review` "review" or "pending") shows at
   * rank 1 of this decision: the safe default or "none". Absent when no option would be held.
   */
  standIn?: string;
  /** Outcome types the subject produced within the window after the decision (each outcome once). */
  followed: ReadonlySet<string>;
}

const PAGE = 2000;

/**
 * Reads the decision log for uplift learning and off-policy comparison: decisions whose outcome
 * window has closed (`at + windowMs ≤ now`, so none is censored), newest first up to `max`, each
 * with its arm — the rank-1 action shown, or "none" when nothing was done (a "none" choice or the
 * holdout; handoffs are left out) — with the probability it was shown, and the outcome types the
 * subject produced within the window, whether or not attribution credited them to the decision (a
 * "none" decision is credited nothing, yet its subject may convert: that is the control).
 *
 * A choice held for review is read as what was shown — the safe default standing in, or nothing —
 * with `exposurePropensity`, as off-policy evaluation reads it: IPS needs the logged arm to be the
 * one whose outcome was observed, with the probability it was shown (Dudík, Langford & Li 2011,
 * §2). Leaving held decisions out learned from, and judged on, only the decisions where nothing was
 * held. `safeDefault` (the placement's, from the catalog) gives the stand-in of decisions where a
 * held action could have been picked but was not, for replaying another policy's pick.
 *
 * @example
 * const rows = await readDecisionLog(store, { now: Date.now(), windowMs: 7 * 864e5, sinceMs: 90 * 864e5, max: 50_000 });
 */
export async function readDecisionLog(store: Store, o: { now: number; windowMs: number; sinceMs: number; max: number; safeDefault?: (placement: string) => string | undefined }): Promise<LoggedDecision[]> {
  const from = o.now - o.sinceMs;
  const seen = new Set<string>();
  const records: (LoggedRecord & { arm: string; propensity: number; standIn?: string })[] = [];
  let to = o.now - o.windowMs + 1;
  while (records.length < o.max) {
    const page = await store.decisions.queryDecisions({ from, to, limit: PAGE });
    const fresh = page.filter((d) => !seen.has(d.id));
    for (const d of fresh) {
      seen.add(d.id);
      const first = d.choices[0];
      if (!first || first.kind === 'handoff') continue;
      const arm = d.arm === 'holdout' || first.kind === 'none' ? 'none' : (first.action as string);
      // A held choice shows its stand-in: the record says which; otherwise the catalog's safe default, as the replay would.
      const standIn = first.held ? arm : standInOf(d, o.safeDefault?.(d.placement));
      records.push({
        id: d.id, at: d.at, profileKey: d.profileKey, facts: d.facts, scored: d.scored.filter((t) => t.value !== undefined),
        arm, propensity: first.exposurePropensity ?? first.propensity, ...(standIn !== undefined ? { standIn } : {}),
      });
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
  for (const { arm, propensity, standIn, ...record } of records.slice(0, o.max)) {
    const followed = new Set<string>();
    for (const e of byProfile.get(record.profileKey) ?? []) if (e.at >= record.at && e.at <= record.at + o.windowMs) followed.add(e.type);
    rows.push({ record, arm, propensity, ...(standIn !== undefined ? { standIn } : {}), followed });
  }
  return rows;
}

/**
 * The arm a pick of `action` at rank 1 of this logged decision shows: its stand-in when the record
 * marks the action as awaiting review, else the action itself.
 *
 * @example
 * shownArm(row, 'loan'); // 'newsletter' while the loan's review is pending
 */
export function shownArm(r: LoggedDecision, action: string): string {
  if (r.standIn === undefined || action === 'none') return action;
  const review = r.record.scored.find((t) => t.action === action)?.review;
  return review === 'review' || review === 'pending' ? r.standIn : action;
}

/**
 * What a held pick at rank 1 of the decision would show, by the replay's own rule
 * (src/measure/policy-eval/replay-choice.ts `shownDistribution`: the safe default when it was among
 * the options and not itself under review, else nothing); undefined when no option would be held.
 */
function standInOf(d: DecisionRecord, safeDefault: string | undefined): string | undefined {
  const held = d.scored.find((s) => s.review === 'review' || s.review === 'pending');
  if (!held) return undefined;
  const pickHeld: Distribution = new Map([[NONE, 0], ...d.scored.map((s) => [s.action, s.action === held.action ? 1 : 0] as [string, number])]);
  for (const [shown, p] of shownDistribution(pickHeld, d, safeDefault)) if (p === 1) return shown === NONE ? 'none' : shown;
  return undefined;
}
