import type { RateCounts } from '../learn/rates/beta-binomial.js';

const NONE: Readonly<RateCounts & { version: number }> = Object.freeze({ successes: 0, trials: 0, version: 0 });
/** How many decisions' group keys are remembered for crediting their later successes. */
const REMEMBERED = 200_000;

/**
 * Trials (choices of an action) and successes (its goal outcome, attributed) per action, per
 * (action, subject) and per (action, group) — a group being the subject's segment
 * (`segment:<name>`) or micro-segment (`micro-segment:<version>:<index>`) at decision time — kept
 * in memory: rebuilt from the log at start, updated online by every decision and every outcome,
 * so the very next decision uses them.
 *
 * @example
 * const c = new OutcomeCounts(); c.trial('winback', 'p1', 1, ['segment:vip'], 'd1'); c.success('winback', 'p1', 1, 'd1');
 * c.population('winback'); // { successes: 1, trials: 1 }
 * c.group('winback', 'segment:vip'); // { successes: 1, trials: 1 }
 */
export class OutcomeCounts {
  private readonly pop = new Map<string, RateCounts & { version: number }>();
  /** subject → action → counts: one lookup per decision, then one per candidate. */
  private readonly personal = new Map<string, Map<string, RateCounts>>();
  /** group key → action → counts. */
  private readonly groups = new Map<string, Map<string, RateCounts & { version: number }>>();
  /** decision id → the group keys its trials were credited to (insertion order = age). */
  private readonly decisionGroups = new Map<string, readonly string[]>();
  /** Bumped on every change: caches compare it. */
  version = 0;

  /** A choice of `action` for `subject`; with `groups`, also credited to them (and remembered under `decisionId`). */
  trial(action: string, subject: string, n = 1, groups?: readonly string[], decisionId?: string): void {
    this.bump(action, subject, 0, n);
    if (!groups?.length) return;
    for (const g of groups) this.bumpGroup(action, g, 0, n);
    if (decisionId) this.rememberGroups(decisionId, groups);
  }

  /** Remembers which groups a decision's trials went to (rebuild: its counts were loaded already), so its later successes credit them. */
  rememberGroups(decisionId: string, groups: readonly string[]): void {
    if (!groups.length) return;
    if (this.decisionGroups.size >= REMEMBERED) this.decisionGroups.delete(this.decisionGroups.keys().next().value as string);
    this.decisionGroups.set(decisionId, groups);
  }

  /** A success of `action` for `subject`; with the decision's id, also credited to the groups its trial went to. */
  success(action: string, subject: string, n = 1, decisionId?: string | null): void {
    this.bump(action, subject, n, 0);
    const groups = decisionId ? this.decisionGroups.get(decisionId) : undefined;
    for (const g of groups ?? []) this.bumpGroup(action, g, n, 0);
  }

  /** Counts loaded from the log (rebuild): trials and successes of one (action, group). */
  loadGroup(action: string, group: string, trials: number, successes: number): void {
    this.bumpGroup(action, group, successes, trials);
  }

  population(action: string): Readonly<RateCounts & { version: number }> {
    return this.pop.get(action) ?? NONE;
  }

  /** The subject's own counts of `action`, with those of the profile keys merged into it (`also`). */
  personalCounts(action: string, subject: string, also: readonly string[] = []): RateCounts | undefined {
    const own = this.personal.get(subject)?.get(action);
    if (!also.length) return own;
    let sum: RateCounts | undefined = own && { successes: own.successes, trials: own.trials };
    for (const k of also) {
      const c = this.personal.get(k)?.get(action);
      if (!c) continue;
      sum ??= { successes: 0, trials: 0 };
      sum.successes += c.successes;
      sum.trials += c.trials;
    }
    return sum;
  }

  /** Counts of `action` in one group (segment or micro-segment key). */
  group(action: string, group: string): Readonly<RateCounts & { version: number }> {
    return this.groups.get(group)?.get(action) ?? NONE;
  }

  private bumpGroup(action: string, group: string, s: number, t: number): void {
    let byAction = this.groups.get(group);
    if (!byAction) this.groups.set(group, (byAction = new Map()));
    const q = byAction.get(action);
    if (q) {
      q.successes += s;
      q.trials += t;
      q.version += 1;
    } else byAction.set(action, { successes: s, trials: t, version: 1 });
    this.version += 1;
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
