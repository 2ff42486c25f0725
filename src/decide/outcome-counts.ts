import type { RateCounts } from '../learn/rates/beta-binomial.js';

const NONE: Readonly<RateCounts & { version: number }> = Object.freeze({ successes: 0, trials: 0, version: 0 });

/**
 * Trials (choices of an action) and successes (its goal outcome, attributed) per action and per
 * (action, subject), kept in memory: rebuilt from the log at start, updated online by every
 * decision and every outcome, so the very next decision uses them.
 *
 * @example
 * const c = new OutcomeCounts(); c.trial('winback', 'p1'); c.success('winback', 'p1');
 * c.population('winback'); // { successes: 1, trials: 1 }
 */
export class OutcomeCounts {
  private readonly pop = new Map<string, RateCounts & { version: number }>();
  /** subject → action → counts: one lookup per decision, then one per candidate. */
  private readonly personal = new Map<string, Map<string, RateCounts>>();
  /** Bumped on every change: caches compare it. */
  version = 0;

  trial(action: string, subject: string, n = 1): void {
    this.bump(action, subject, 0, n);
  }

  success(action: string, subject: string, n = 1): void {
    this.bump(action, subject, n, 0);
  }

  population(action: string): Readonly<RateCounts & { version: number }> {
    return this.pop.get(action) ?? NONE;
  }

  personalCounts(action: string, subject: string): RateCounts | undefined {
    return this.personal.get(subject)?.get(action);
  }

  private bump(action: string, subject: string, s: number, t: number): void {
    const p = this.pop.get(action);
    if (p) {
      p.successes += s;
      p.trials += t;
      p.version += 1;
    } else this.pop.set(action, { successes: s, trials: t, version: 1 });
    let bySubject = this.personal.get(subject);
    if (!bySubject) this.personal.set(subject, (bySubject = new Map()));
    const q = bySubject.get(action);
    if (q) {
      q.successes += s;
      q.trials += t;
    } else bySubject.set(action, { successes: s, trials: t });
    this.version += 1;
  }
}
