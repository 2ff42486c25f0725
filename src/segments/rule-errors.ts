/**
 * Evaluations of segment rules that failed (a missing field, a type mismatch, a non-boolean
 * result), per segment and expression, counted by this process since it started: the subject was
 * left out of the segment, and the operator sees how often and why. Editing the expression starts
 * its count afresh.
 *
 * @example
 * errors.note('vip', 'traits.plan == "pro"', 'No such key: plan', Date.now());
 * errors.of('vip', 'traits.plan == "pro"'); // { count: 1, message: 'No such key: plan', at: 1764… }
 */
export class RuleErrors {
  private readonly byRule = new Map<string, { count: number; message: string; at: number }>();

  /** Counts one failed evaluation (one entry per segment and expression: a handful per definition). */
  note(segment: string, when: string, message: string, at: number): void {
    const k = key(segment, when);
    this.byRule.set(k, { count: (this.byRule.get(k)?.count ?? 0) + 1, message, at });
  }

  of(segment: string, when: string): { count: number; message: string; at: number } | undefined {
    return this.byRule.get(key(segment, when));
  }
}

const key = (segment: string, when: string) => `${segment}\u0000${when}`;
