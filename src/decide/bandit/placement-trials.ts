import { updateBandit } from '../../learn/bandit/thompson.js';
import type { DecisionRecord } from '../decision.js';
import type { OutcomeRecord } from '../records.js';
import { type Book, type Trial, MAX_OPEN_TRIALS } from './placement-state.js';

/** What an outcome makes of its trial: 1 at a success, 0 at a dismissal or a negative reward; undefined at anything else (an impression, a click: the goal may still follow). */
export const resolution = (o: OutcomeRecord): 0 | 1 | undefined => (o.success ? 1 : o.reward < 0 || o.type === 'dismissal' ? 0 : undefined);

/** The trials a logged decision opens: one per action a bandit chose (not in the holdout). */
export function trialsOf(b: Book, r: DecisionRecord): Trial[] {
  if (!r.bandit || r.arm !== 'treatment') return [];
  const features = r.bandit.features;
  return r.choices.filter((c) => c.kind === 'action' && c.action).map((c) => ({ decisionId: r.id, placement: r.placement, action: c.action as string, features, deadline: r.at + b.d.windowOf(c.action as string) }));
}

/** Opens a trial, the oldest open one dropped beyond {@link MAX_OPEN_TRIALS}. */
export function openTrial(b: Book, t: Trial): void {
  if (b.pending.size >= MAX_OPEN_TRIALS) b.pending.delete(b.pending.keys().next().value as string);
  b.pending.set(`${t.decisionId}|${t.action}`, t);
}

/** Resolves trials by the outcomes just recorded (PlacementBandits.onOutcomes). */
export function resolveOutcomes(b: Book, records: readonly OutcomeRecord[]): void {
  for (const o of records) {
    if (!o.decisionId || !o.action) continue;
    const key = `${o.decisionId}|${o.action}`;
    const t = b.pending.get(key);
    if (!t) continue;
    const y = resolution(o);
    if (y === undefined) continue; // an impression, a click: the goal may still follow
    learn(b, t, y);
    b.pending.delete(key);
    // Dated at or after now (a clock ahead, or this very millisecond): a catch-up from a row written
    // now would take it for one learned after the row; the row names it (persist).
    if (b.d.log && o.at >= b.d.now()) b.ahead.set(key, { placement: t.placement, at: o.at });
  }
}

/** Trials whose window has ended: a success in the log (from any process) or a failure. */
export async function expireTrials(b: Book, now: number): Promise<number> {
  const due = [...b.pending.entries()].filter(([, t]) => t.deadline <= now);
  for (const [key, t] of due) {
    const outcomes = await b.d.decisions.outcomesOf(t.decisionId);
    if (!b.pending.delete(key)) continue;
    learn(b, t, outcomes.some((o) => o.action === t.action && o.success) ? 1 : 0);
  }
  return due.length;
}

/** Learns a trial's result (y: 1 a success, 0 a failure) into its placement's bandit, if it still holds the action at the trial's features. */
function learn(b: Book, t: Trial, y: number): void {
  const e = b.entries.get(t.placement);
  if (!e || !e.state.actions.some((a) => a.id === t.action) || t.features.length !== e.state.config.features) return;
  updateBandit(e.state, t.action, t.features, y, b.d.now());
  e.dirty = true;
}
