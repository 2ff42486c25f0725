/**
 * Why an outcome that named a decision or an action was credited to no decision:
 * - `decision_unknown`: the log has no decision with the id named (never made, or past the retention);
 * - `decision_of_another_subject`: the decision named was made for another subject;
 * - `decision_after_outcome`: the outcome is dated more than five minutes before the decision named;
 * - `action_not_chosen`: the decision named did not choose the action named;
 * - `decision_past_window`: the decision named fits, but the outcome came after its attribution window;
 * - `action_not_shown`: no decision of the subject's within the window chose the action named (a catalog action);
 * - `action_unknown`: the action named is not in the catalog, and no decision of the subject's chose it.
 * The API refuses the first four with a 4xx naming the field; a track event is recorded credited
 * to no decision (after its subject's own decisions were tried), and counted here.
 */
export const UNMATCHED_REASONS = ['decision_unknown', 'decision_of_another_subject', 'decision_after_outcome', 'action_not_chosen', 'decision_past_window', 'action_not_shown', 'action_unknown'] as const;
export type UnmatchedReason = (typeof UNMATCHED_REASONS)[number];

/** An outcome credited to no decision though it named one, or an action, and why. */
export interface UnmatchedOutcome {
  id: string;
  source: 'api' | 'event';
  type: string;
  reason: UnmatchedReason;
  decisionId?: string;
  action?: string;
  /** `decision_past_window`, `action_not_shown`: the attribution window that applied (ms). */
  windowMs?: number;
  /** `decision_past_window`: when the decision named was made (ms). */
  decidedAt?: number;
  /** `decision_past_window`, `action_not_shown`: the outcome's time (ms). */
  at?: number;
}

/** At most one warning line this often (ms); the line counts the others. */
export const UNMATCHED_LOG_EVERY_MS = 60_000;

type Warn = (data: Record<string, unknown>, msg: string) => void;

/**
 * The tally of unmatched outcomes since the start, by source and reason (read by
 * `tact_outcomes_unmatched_total` at each scrape), and a warning at most once a minute: the first
 * at once, then one with the count of each reason since the last line and the latest example.
 *
 * @example
 * const u = new UnmatchedOutcomes((data, msg) => log.warn(data, msg));
 * u.note([{ id: 'm1', source: 'event', type: 'conversion', reason: 'action_not_shown', action: 'loan-offer' }]);
 * u.tally(); // [{ source: 'event', reason: 'action_not_shown', count: 1 }]
 */
export class UnmatchedOutcomes {
  private readonly counts = new Map<string, number>();
  /** Noted since the last line, by reason, with the latest example. */
  private pending = new Map<UnmatchedReason, number>();
  private example: UnmatchedOutcome | undefined;
  private loggedAt = -Infinity;

  constructor(private readonly warn?: Warn, private readonly now: () => number = Date.now) {}

  note(misses: readonly UnmatchedOutcome[]): void {
    if (!misses.length) return;
    for (const m of misses) {
      const key = `${m.source}|${m.reason}`;
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
      this.pending.set(m.reason, (this.pending.get(m.reason) ?? 0) + 1);
      this.example = m;
    }
    const now = this.now();
    if (!this.warn || now - this.loggedAt < UNMATCHED_LOG_EVERY_MS) return;
    this.loggedAt = now;
    const reasons = Object.fromEntries(this.pending);
    const n = [...this.pending.values()].reduce((a, b) => a + b, 0);
    const e = this.example as UnmatchedOutcome;
    this.pending = new Map();
    this.warn(
      { unmatched: n, reasons, example: e },
      `${n} outcome${n === 1 ? '' : 's'} named a decision or action that did not match and ${n === 1 ? 'was' : 'were'} recorded credited to no decision (no goal, no success, no dismissal of an action): e.g. the ${e.source === 'event' ? 'tracked event' : 'report'} \`${e.id}\` (${describe(e)}). Counted by reason in tact_outcomes_unmatched_total; at most one such line a minute.`,
    );
  }

  /** The counts since the start, by source and reason. */
  tally(): { source: string; reason: string; count: number }[] {
    return [...this.counts].map(([key, count]) => {
      const [source, reason] = key.split('|');
      return { source, reason, count };
    });
  }
}

function describe(e: UnmatchedOutcome): string {
  const d = `the decision \`${e.decisionId}\``;
  const a = `the action \`${e.action}\``;
  switch (e.reason) {
    case 'decision_unknown': return `${d} is not in the log`;
    case 'decision_of_another_subject': return `${d} was made for another subject`;
    case 'decision_after_outcome': return `it is dated more than five minutes before ${d}`;
    case 'action_not_chosen': return `${d} did not choose ${a}`;
    case 'decision_past_window': return `it came after the attribution window of ${d}`;
    case 'action_not_shown': return `no decision of the subject's within the attribution window chose ${a}`;
    case 'action_unknown': return `${a} is not in the catalog`;
  }
}
