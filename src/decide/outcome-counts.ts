import type { RateCounts } from '../learn/rates/beta-binomial.js';
import { OutcomeDelays } from './outcome-delays.js';
import { firstOpenHour, HOUR_MS, OpenTrials } from './open-trials.js';
import { PersonalChoices } from './personal-choices.js';

/**
 * Counts as kept: `at` is when they last changed (the newest decision or outcome in them, ms; 0
 * when not known), and `iso` its ISO-8601 form once asked for (`isoAt` the `at` it is of).
 */
export type DatedCounts = RateCounts & { version: number; at: number; iso: string | null; isoAt: number };

const NONE: Readonly<DatedCounts> = Object.freeze({ successes: 0, trials: 0, version: 0, at: 0, iso: null, isoAt: 0 });
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
  private readonly pop = new Map<string, DatedCounts>();
  /**
   * subject → its counts as numbers, three per action it was ever chosen for — action index,
   * successes, trials — in action-index order (binary search). No object per (subject, action):
   * 100,000 subjects × 100 actions would be 10 million. Not when they last changed: every change of
   * them changes the population's too, whose `at` is the newer.
   */
  private readonly personal = new Map<string, number[]>();
  /** action id → its index in the personal counts. */
  private readonly actionIndex = new Map<string, number>();
  /** group key → action → counts. */
  private readonly groups = new Map<string, Map<string, DatedCounts>>();
  /** group key → its index in the subjects' shares (from 1; {@link ANY_GROUP} is 0). */
  private readonly groupIndex = new Map<string, number>();
  /**
   * subject → what it credited to the groups, three numbers per (action, group) — key (action
   * index · 2³² + group index), successes, trials — in key order, as `personal`. Only subjects whose
   * choices went to a group, or whose counts were loaded without their groups at start, have one.
   */
  private readonly shares = new Map<string, number[]>();
  /** Each subject's newest choices, for its personal rung to read those inside their windows as open (ADR 0007). */
  private readonly recent = new PersonalChoices();
  /** decision id → the group keys its trials were credited to (insertion order = age). */
  private readonly decisionGroups = new Map<string, readonly string[]>();
  /**
   * The choices whose attribution windows are still open, per action and group ('' for the
   * population), by hour of decision: what the estimates read as not yet decided (ADR 0007).
   */
  readonly open = new OpenTrials();
  /** The delays from choices to their credited successes: how much of an open choice's chance has passed (ADR 0007's F). */
  readonly delays = new OutcomeDelays();
  /** Bumped on every change: caches compare it. */
  version = 0;

  /**
   * A choice of `action` for `subject`; with `groups`, also credited to them (and remembered under
   * `decisionId`); with `at` (its decision's time), also counted open until its attribution window ends.
   */
  trial(action: string, subject: string, n = 1, groups?: readonly string[], decisionId?: string, at?: number): void {
    this.bump(action, subject, 0, n, at);
    if (at !== undefined) {
      this.noteChoice(action, subject, at, n);
      this.open.add(action, '', at, n);
      for (const g of groups ?? []) this.open.add(action, g, at, n);
    }
    if (!groups?.length) return;
    for (const g of groups) this.bumpGroup(action, g, 0, n, subject, at);
    if (decisionId) this.rememberGroups(decisionId, groups);
  }

  /**
   * A subject's trials read from the log at start (per action and subject, without the groups they
   * went to). Once group counts are loaded, they count as the subject's share of every group
   * ({@link ownShare}, at most the group's counts): taking out too much only widens an interval,
   * leaving in the subject's own data would narrow it.
   */
  loadTrials(action: string, subject: string, n: number, at?: number | null): void {
    this.bump(action, subject, 0, n, at ?? undefined);
    if (this.groups.size) this.bumpShare(action, subject, ANY_GROUP, 0, n);
  }

  /** A subject's successes read from the log at start, as {@link loadTrials}. */
  loadSuccesses(action: string, subject: string, n: number, at?: number | null): void {
    this.bump(action, subject, n, 0, at ?? undefined);
    if (this.groups.size) this.bumpShare(action, subject, ANY_GROUP, n, 0);
  }

  /** Remembers which groups a decision's trials went to (rebuild: its counts were loaded already), so its later successes credit them. */
  rememberGroups(decisionId: string, groups: readonly string[]): void {
    if (!groups.length) return;
    if (this.decisionGroups.size >= REMEMBERED) this.decisionGroups.delete(this.decisionGroups.keys().next().value as string);
    this.decisionGroups.set(decisionId, groups);
  }

  /**
   * A success of `action` for `subject`; also credited to the groups its decision's trial went to:
   * `groups` when given (read with the decision from the log), else those remembered under
   * `decisionId` (the last {@link REMEMBERED} decisions'). With `decidedAt`, its decision's time,
   * also counted among each group's open choices' successes while their hour is open
   * ({@link openGroupSuccesses}), and marked on the subject's kept choice — looked for under
   * `decidedUnder`, the keys its decision may have been made under, when the success comes under
   * another (a key merged into the subject since), else under `subject`. `at`: the outcome's time,
   * when the counts it changes last changed.
   */
  success(action: string, subject: string, n = 1, decisionId?: string | null, groups?: readonly string[], decidedAt?: number, decidedUnder?: readonly string[], at?: number): void {
    this.bump(action, subject, n, 0, at);
    if (decidedAt !== undefined) this.recent.succeeded(this.indexOf(action), decidedUnder?.length ? decidedUnder : subject, decidedAt, n);
    const to = groups ?? (decisionId ? this.decisionGroups.get(decisionId) : undefined);
    for (const g of to ?? []) {
      this.bumpGroup(action, g, n, 0, subject, at);
      if (decidedAt !== undefined) this.open.addSuccess(action, g, decidedAt, n);
    }
  }

  /**
   * A choice of `action` for `subject` decided at `at`, kept for the personal rung to read as open
   * while its window is (the counts hold its trial already: a start reads the subject's from the
   * log, DecideState.ensureLoaded).
   */
  noteChoice(action: string, subject: string, at: number, n = 1): void {
    this.recent.note(this.indexOf(action), subject, at, n);
  }

  /** A choice read from the log (a start's, or read again after the contact window widened), `won` when a success was credited to it: not kept twice. */
  noteLoggedChoice(action: string, subject: string, at: number, won = false): void {
    this.recent.noteLogged(this.indexOf(action), subject, at, won);
  }

  /**
   * The subject's own choices of `action` (with those of the keys merged into it, `also`) still
   * inside their window of `windowMs` at `now` (PersonalChoices: its newest one by one, the older per day) — how many
   * converted already, and with the learned delay's `curve` how much of their chance to convert is
   * still to come: what the personal rung reads as open (ADR 0007).
   */
  personalOpen(action: string, subject: string, also: readonly string[], now: number, windowMs: number, curve?: Float64Array): { open: number; won: number; unexposed: number } {
    const a = this.actionIndex.get(action);
    return a === undefined ? { open: 0, won: 0, unexposed: 0 } : this.recent.open(a, subject, also, now, windowMs, curve);
  }

  /** Lets go of every subject's older choices' counts from before `before` (PersonalChoices.forgetOlder: the contacts before it are to be read again). */
  forgetOlderChoices(before: number): void {
    this.recent.forgetOlder(before);
  }

  /** Lets go of kept choices decided before `before`, `slice` subjects at a time; true when the pass ended. */
  pruneChoices(before: number, slice = Infinity): boolean {
    return this.recent.prune(before, slice);
  }

  /** Whether the groups of this decision's trials are remembered (the last {@link REMEMBERED} decisions'). */
  remembers(decisionId: string): boolean {
    return this.decisionGroups.has(decisionId);
  }

  /** Counts loaded from the log (rebuild): trials and successes of one (action, group), and when they last changed (`at`, when known). */
  loadGroup(action: string, group: string, trials: number, successes: number, at?: number | null): void {
    this.bumpGroup(action, group, successes, trials, undefined, at ?? undefined);
  }

  /**
   * Choices of `action` decided at hour `hour` (floor(at / 1 h)) in `group` (null for the
   * population), read from the log at start: counted open until their attribution window ends.
   */
  loadOpen(action: string, group: string | null, hour: number, n: number): void {
    this.open.add(action, group ?? '', hour * HOUR_MS, n);
  }

  /** How many of the trials of `action` (in `group`; null for the population) are inside their window of `windowMs` at `now`. */
  openTrials(action: string, group: string | null, now: number, windowMs: number): number {
    return this.open.open(action, group ?? '', now, windowMs);
  }

  /**
   * The open choices of `action` (in `group`; null for the population) weighed by the share of their
   * conversions still to come under the learned delay (OpenTrials.unexposed); undefined while no
   * delay curve is learned (OutcomeDelays.curve).
   */
  openUnexposed(action: string, group: string | null, now: number, windowMs: number): number | undefined {
    const curve = this.delays.curve(action, windowMs, now, this.open);
    return curve && this.open.unexposed(action, group ?? '', now, windowMs, curve);
  }

  /**
   * The successes of `action` (over the population) whose choices are still inside their window of
   * `windowMs` at `now`, as the delays hold them; undefined until a start has read those hours' (OutcomeDelays.successesSince).
   */
  openSuccesses(action: string, now: number, windowMs: number): number | undefined {
    return this.delays.successesSince(action, firstOpenHour(now, windowMs), this.open);
  }

  /**
   * The successes of `action` in `group` whose choices are still inside their window of `windowMs`
   * at `now`: known exactly when the population's are ({@link openSuccesses}; a start reads both
   * from the same rows, loadDelays), else undefined.
   */
  openGroupSuccesses(action: string, group: string, now: number, windowMs: number): number | undefined {
    if (this.openSuccesses(action, now, windowMs) === undefined) return undefined;
    return this.open.successes(action, group, now, windowMs);
  }

  population(action: string): Readonly<DatedCounts> {
    return this.pop.get(action) ?? NONE;
  }

  /** The subject's own counts of `action`, with those of the profile keys merged into it (`also`). */
  personalCounts(action: string, subject: string, also: readonly string[] = []): RateCounts | undefined {
    const a = this.actionIndex.get(action);
    if (a === undefined) return undefined;
    let sum: RateCounts | undefined;
    for (let k = -1; k < also.length; k++) {
      const list = this.personal.get(k < 0 ? subject : also[k]);
      const i: number = list ? find(list, a) : -1;
      if (!list || i < 0 || list[i] !== a) continue;
      sum ??= { successes: 0, trials: 0 };
      sum.successes += list[i + 1];
      sum.trials += list[i + 2];
    }
    return sum;
  }

  /** Counts of `action` in one group (segment or micro-segment key). */
  group(action: string, group: string): Readonly<DatedCounts> {
    return this.groups.get(group)?.get(action) ?? NONE;
  }

  /**
   * What the subject (and the profile keys merged into it, `also`) credited to a group's counts of
   * `action`: taken out of the group when its own counts enter at the personal rung, so they count
   * once. Counts loaded at start without their groups ({@link loadTrials}) are counted in every group.
   */
  ownShare(action: string, subject: string, group: string, also: readonly string[] = []): RateCounts {
    const out = { successes: 0, trials: 0 };
    const a = this.actionIndex.get(action);
    if (a === undefined) return out;
    const g = this.groupIndex.get(group);
    for (let k = -1; k < also.length; k++) {
      const list = this.shares.get(k < 0 ? subject : also[k]);
      if (!list) continue;
      addEntry(list, a * GROUPS + ANY_GROUP, out);
      if (g !== undefined) addEntry(list, a * GROUPS + g, out);
    }
    return out;
  }

  private bumpShare(action: string, subject: string, g: number, s: number, t: number): void {
    const key = this.actionIndex.get(action)! * GROUPS + g;
    let list = this.shares.get(subject);
    if (!list) this.shares.set(subject, (list = []));
    const i = find(list, key);
    if (i >= 0 && list[i] === key) {
      list[i + 1] += s;
      list[i + 2] += t;
    } else list.splice(i < 0 ? list.length : i, 0, key, s, t);
  }

  private bumpGroup(action: string, group: string, s: number, t: number, subject?: string, at = 0): void {
    if (subject !== undefined) {
      let g = this.groupIndex.get(group);
      if (g === undefined) this.groupIndex.set(group, (g = this.groupIndex.size + 1));
      this.bumpShare(action, subject, g, s, t);
    }
    let byAction = this.groups.get(group);
    if (!byAction) this.groups.set(group, (byAction = new Map()));
    const q = byAction.get(action);
    if (q) {
      q.successes += s;
      q.trials += t;
      q.version += 1;
      if (at > q.at) q.at = at;
    } else byAction.set(action, { successes: s, trials: t, version: 1, at, iso: null, isoAt: 0 });
    this.version += 1;
  }

  /** The index of `action` in the subjects' lists (a new one for an action not seen yet). */
  private indexOf(action: string): number {
    let a = this.actionIndex.get(action);
    if (a === undefined) this.actionIndex.set(action, (a = this.actionIndex.size));
    return a;
  }

  /** Adds `s` successes and `t` trials to the population's and the subject's counts of `action`, the population's changed at `at` (ms; 0 when not known). */
  private bump(action: string, subject: string, s: number, t: number, at = 0): void {
    const p = this.pop.get(action);
    if (p) {
      p.successes += s;
      p.trials += t;
      p.version += 1;
      if (at > p.at) p.at = at;
    } else this.pop.set(action, { successes: s, trials: t, version: 1, at, iso: null, isoAt: 0 });
    let a = this.actionIndex.get(action);
    if (a === undefined) this.actionIndex.set(action, (a = this.actionIndex.size));
    let list = this.personal.get(subject);
    if (!list) this.personal.set(subject, (list = []));
    const i = find(list, a);
    if (i >= 0 && list[i] === a) {
      list[i + 1] += s;
      list[i + 2] += t;
    } else list.splice(i < 0 ? list.length : i, 0, a, s, t);
    this.version += 1;
  }
}

/** A subject's share of the groups, under the action's key and group index 0: counts loaded without their groups. */
const ANY_GROUP = 0;
/** Group indices per action in a share's key (action index · GROUPS + group index): below 2⁵³ for 2²¹ actions. */
const GROUPS = 2 ** 32;

/** Adds the counts under `key` in a subject's list to `out` (none when it has no such entry). */
function addEntry(list: readonly number[], key: number, out: RateCounts): void {
  const i = find(list, key);
  if (i < 0 || list[i] !== key) return;
  out.successes += list[i + 1];
  out.trials += list[i + 2];
}

/** The offset of the first entry whose key (action index, or share key) is ≥ `a` in a subject's list, or -1 when none is. */
function find(list: readonly number[], a: number): number {
  let lo = 0;
  let hi = list.length / 3;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid * 3] < a) lo = mid + 1;
    else hi = mid;
  }
  return lo * 3 < list.length ? lo * 3 : -1;
}
