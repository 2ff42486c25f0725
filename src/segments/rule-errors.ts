/**
 * Evaluations of a rule that all failed, this many at least, and none that ran: the rule is
 * warned of (GET /v1/segments). Few enough to show soon after the rule is written (its
 * re-evaluation of the stored subjects), enough that a handful of odd profiles does not set it off.
 */
export const FAILING_RULE_EVALUATIONS = 20;

/** How the evaluations of one segment rule went. */
interface Tally {
  /** Failed evaluations. */
  count: number;
  message: string;
  at: number;
  /** Evaluations that ran (admitting the subject or not). */
  ran: number;
}

/**
 * Evaluations of segment rules that failed (a missing field, a type mismatch, a non-boolean
 * result), per segment and expression, counted by this process since it started: the subject was
 * left out of the segment, and the operator sees how often and why. Editing the expression starts
 * its count afresh. A count of evaluations, not of subjects: a subject evaluated again (its next
 * event, a sweep, a model going live) counts again. A rule whose every evaluation failed, at
 * least {@link FAILING_RULE_EVALUATIONS} of them, is warned of ({@link RuleErrors.warning}): a
 * comparison of a value the check could not type when it was written (a last_value feature holding
 * strings, compared with a number) fails so for everyone.
 *
 * @example
 * errors.note('vip', 'traits.plan == "pro"', 'No such key: plan', Date.now());
 * errors.of('vip', 'traits.plan == "pro"'); // { count: 1, message: 'No such key: plan', at: 1764… }
 */
export class RuleErrors {
  private readonly byRule = new Map<string, Tally>();

  /** Counts one failed evaluation (one entry per segment and expression: a handful per definition). */
  note(segment: string, when: string, message: string, at: number): void {
    const t = this.tally(segment, when);
    Object.assign(t, { count: t.count + 1, message, at });
  }

  /** Counts one evaluation that ran: the rule is not failing for everyone. */
  ran(segment: string, when: string): void {
    this.tally(segment, when).ran++;
  }

  of(segment: string, when: string): { count: number; message: string; at: number } | undefined {
    const t = this.byRule.get(key(segment, when));
    return t?.count ? { count: t.count, message: t.message, at: t.at } : undefined;
  }

  /**
   * A sentence when every evaluation of the rule in this process failed, at least
   * {@link FAILING_RULE_EVALUATIONS} of them; undefined otherwise.
   *
   * @example
   * errors.warning('strcmp', 'features.last_viewed_category > 3.0');
   * // 'Each of the 960 evaluations of this rule in this process failed (the last: no such overload: dyn<string> > double), so the segment holds no one. …'
   */
  warning(segment: string, when: string): string | undefined {
    const t = this.byRule.get(key(segment, when));
    if (!t || t.ran > 0 || t.count < FAILING_RULE_EVALUATIONS) return undefined;
    return `Each of the ${t.count} evaluations of this rule in this process failed (the last: ${t.message.replace(/\.$/, '')}), so the segment holds no one. A value it reads likely holds another type than the rule compares it with (a last_value feature or a trait holds whatever the events sent): compare it with a value of that type, or convert it (\`string(…)\`, \`double(…)\`).`;
  }

  private tally(segment: string, when: string): Tally {
    const k = key(segment, when);
    return this.byRule.get(k) ?? this.byRule.set(k, { count: 0, message: '', at: 0, ran: 0 }).get(k)!;
  }
}

const key = (segment: string, when: string) => `${segment}\u0000${when}`;
