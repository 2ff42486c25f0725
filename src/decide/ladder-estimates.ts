import type { Estimate } from '../learn/estimate.js';
import type { RateCounts } from '../learn/rates/beta-binomial.js';
import { type LadderCounts, ladderEstimate, type LadderModel } from '../learn/rates/ladder.js';
import type { CompiledAction } from './catalog-compile.js';
import type { EstimateProvider, EstimateSubject } from './estimates.js';
import { HOUR_MS } from './open-trials.js';
import { type OpenAtRungs, withOpenWindows } from './open-windows.js';
import type { DatedCounts, OutcomeCounts } from './outcome-counts.js';
import type { CompiledPolicy } from './policy-compile.js';

/**
 * Estimates of an action's goal rate from the Beta-Binomial ladder (src/learn/rates/ladder.ts)
 * over the logged counts: population (all subjects who got the action) → segment → micro-segment
 * (the subject's groups at decision time) → personal (this subject). The subject's own counts are
 * in the population and group counts too; they are taken out of those (OutcomeCounts.ownShare) and
 * enter at the personal rung only, so they count once. Each rung shrinks toward the one above and
 * is earned only when its own data carry enough of its posterior; the estimate is of the subject's
 * rate at any rung — a member of the deepest earned group given its own counts (subjectBelief in
 * src/learn/rates/ladder.ts) — and says which rung it is centred on and that rung's evidence.
 * Intervals cost a few microseconds, so estimates without personal counts are cached until their counts change.
 *
 * @example
 * const provider = new LadderEstimates(counts, () => tact.settings.get(policyKind).estimates);
 * provider.estimate(action, { key: 'p1', vars, segment: 'segment:vip' }).source; // 'segment' once it has earned it
 */
export class LadderEstimates implements EstimateProvider {
  readonly modelVersion = 'beta-ladder@1';
  /** action → segment ('' for none) → micro-segment ('' for none) → the estimate and the counts' versions it was made from. */
  private cache = new Map<string, Map<string, Map<string, Cached>>>();
  private cached = 0;
  private model: LadderModel | undefined;
  private modelFrom: CompiledPolicy['estimates'] | undefined;
  /** The same counts under other estimates settings (an experiment arm's pinned policy), by those settings. */
  private others = new Map<string, LadderEstimates>();

  private readonly now: () => number;
  private readonly defaultWindow: () => number;

  /**
   * `o.defaultWindow`: the policy's attribution window (ms), for actions without their own (7 days
   * when not given); `o.now`: the clock the open windows are read at.
   */
  constructor(private readonly counts: OutcomeCounts, private readonly config: () => CompiledPolicy['estimates'], private readonly o: { now?: () => number; defaultWindow?: () => number } = {}) {
    this.now = o.now ?? Date.now;
    this.defaultWindow = o.defaultWindow ?? (() => WEEK_MS);
  }

  /**
   * The estimates of the same counts under a policy's estimates settings: this provider when they
   * are the live policy's, else one kept per settings (with its own cache), so a decision in an arm
   * that pins a policy version is estimated with that version's prior, strengths, established width
   * and interval level (until 2026-12-05 it was estimated with the live policy's, and labelled with
   * the pinned level).
   *
   * @example
   * provider.under(pinnedPlay.policy.estimates).estimate(action, subject).level; // the pinned policy's level
   */
  under(settings: CompiledPolicy['estimates']): LadderEstimates {
    const live = this.config();
    if (settings === live) return this;
    const key = settingsKey(settings);
    if (key === settingsKey(live)) return this;
    let other = this.others.get(key);
    if (!other) {
      // A handful of pinned versions at a time; a stale one is rebuilt on its next use.
      if (this.others.size >= 16) this.others.clear();
      other = new LadderEstimates(this.counts, () => settings, this.o);
      this.others.set(key, other);
    }
    return other;
  }

  estimate(action: CompiledAction, subject: EstimateSubject): Estimate {
    const model = this.currentModel();
    const pop = this.counts.population(action.id);
    const seg = subject.segment ? this.counts.group(action.id, subject.segment) : undefined;
    const micro = subject.microSegment ? this.counts.group(action.id, subject.microSegment) : undefined;
    const personal = this.counts.personalCounts(action.id, subject.key, subject.also);
    const now = this.now();
    const window = action.attributionMs ?? this.defaultWindow();
    if (personal) {
      // The subject's own counts enter at the personal rung only: the rungs above are everyone else's.
      const others = (group: RateCounts, key: string | null | undefined) => minus(group, key ? this.counts.ownShare(action.id, subject.key, key, subject.also) : personal);
      const counts = ladderCounts(others(pop, null), seg && others(seg, subject.segment), micro && others(micro, subject.microSegment), personal);
      // Whatever rung it is shown at, the estimate is of this subject's rate: its own counts shrunk
      // toward the deepest earned group (subjectBelief). Until 2026-12-06 an unearned personal rung
      // fell back to the group as logged, the group's own posterior shown as the subject's.
      return this.withOpen(model, counts, action.id, subject, now, window, changedAt(pop, seg, micro), true);
    }
    // The open choices change as the hour turns, and their exposure as it goes by (OutcomeDelays' slots).
    const hour = Math.floor(now / (HOUR_MS / 20));
    // Called for every candidate of every decision: the lookup builds no strings.
    let bySegment = this.cache.get(action.id);
    if (!bySegment) this.cache.set(action.id, (bySegment = new Map()));
    let byMicro = bySegment.get(subject.segment ?? '');
    if (!byMicro) bySegment.set(subject.segment ?? '', (byMicro = new Map()));
    const hit = byMicro.get(subject.microSegment ?? '');
    if (hit && hit.population === pop.version && hit.segment === (seg?.version ?? 0) && hit.micro === (micro?.version ?? 0) && hit.hour === hour && hit.window === window) return hit.estimate;
    const counts = ladderCounts(pop, seg, micro);
    const estimate = this.withOpen(model, counts, action.id, subject, now, window, changedAt(pop, seg, micro));
    if (!hit && ++this.cached > 50_000) {
      this.cache = new Map();
      this.cached = 0;
    }
    const entry = { population: pop.version, segment: seg?.version ?? 0, micro: micro?.version ?? 0, hour, window, estimate };
    if (hit) Object.assign(hit, entry);
    else byMicro.set(subject.microSegment ?? '', entry);
    return estimate;
  }

  /**
   * The ladder's estimate over `counts`, read with the choices still inside their windows
   * (open-windows.ts), dated `updatedAt`: when its counts last changed.
   */
  private withOpen(model: LadderModel, counts: LadderCounts, action: string, subject: EstimateSubject, now: number, window: number, updatedAt: string | null, personal = false): Estimate {
    const unexposed = unexposedAtRungs(this.counts, action, subject, now, window);
    const e = ladderEstimate(model, counts, updatedAt).estimate;
    const open = openAtRungs(this.counts, action, subject, now, window);
    const won = unexposed && openSuccessesAtRungs(this.counts, action, subject, now, window);
    if (personal) {
      // The subject's own choices still inside their windows, at its personal rung (until 2026-12-06
      // late evening read as failures: a subject just shown an offer read lower for it at once).
      const own = this.counts.personalOpen(action, subject.key, subject.also ?? [], now, window, unexposed && this.counts.delays.curve(action, window, now, this.counts.open));
      // The population rung is everyone else's (the subject's counts taken out of it): so are its open choices.
      open.personal = own.open;
      open.population = Math.max(0, open.population - own.open);
      if (unexposed) {
        unexposed.personal = own.unexposed;
        unexposed.population = Math.max(0, unexposed.population - own.unexposed);
      }
      if (won) {
        won.personal = own.won;
        won.population = Math.max(0, won.population - own.won);
      }
      // So are the group rungs' — as the subject's trials leave their counts (ownShare): its open
      // choices went to the groups it was in when they were made, most often the ones it is in now,
      // and never more of them than it has trials there. Until 2026-12-07 they stayed in (a wider
      // upper end), and a decision's trace could say "n=9, 10 inside their windows".
      if (own.open > 0) {
        for (const [rung, key] of [['segment', subject.segment], ['micro-segment', subject.microSegment]] as const) {
          if (!key) continue;
          const k = Math.min(own.open, open[rung], this.counts.ownShare(action, subject.key, key, subject.also).trials);
          if (!(k > 0)) continue;
          open[rung] -= k;
          if (unexposed) unexposed[rung] = Math.max(0, unexposed[rung] - (own.unexposed * k) / own.open);
          if (won) won[rung] = Math.max(0, won[rung] - Math.min(own.won, k));
        }
      }
    }
    return withOpenWindows(model, counts, open, e, unexposed, won);
  }

  private currentModel(): LadderModel {
    const c = this.config();
    if (this.model && this.modelFrom === c) return this.model;
    this.modelFrom = c;
    this.cache = new Map();
    this.cached = 0;
    this.model = {
      populationPrior: { alpha: c.priorMean * c.priorStrength, beta: (1 - c.priorMean) * c.priorStrength },
      concentration: { segment: c.groupStrength, 'micro-segment': c.groupStrength, personal: c.personalStrength },
      minDataWeight: c.minDataWeight,
      establishedWhen: { maxWidth: c.establishedWidth },
      level: c.level,
      modelVersion: this.modelVersion,
    };
    return this.model;
  }
}

const settingsKey = (c: CompiledPolicy['estimates']) => `${c.priorMean}|${c.priorStrength}|${c.groupStrength}|${c.personalStrength}|${c.minDataWeight}|${c.level}|${c.establishedWidth}`;

interface Cached {
  population: number;
  segment: number;
  micro: number;
  /** The twentieth of an hour it was made in and the attribution window it read: the open choices and their exposure change with both. */
  hour: number;
  window: number;
  estimate: Estimate;
}

const WEEK_MS = 7 * 86_400_000;

/** The choices of `action` still inside their windows at each group rung of the subject's ladder. */
function openAtRungs(counts: OutcomeCounts, action: string, subject: EstimateSubject, now: number, window: number): OpenAtRungs {
  return {
    population: counts.openTrials(action, null, now, window),
    segment: subject.segment ? counts.openTrials(action, subject.segment, now, window) : 0,
    'micro-segment': subject.microSegment ? counts.openTrials(action, subject.microSegment, now, window) : 0,
  };
}

/** The open choices' unexposed shares at each group rung (OutcomeCounts.openUnexposed); undefined while no delay is learned. */
function unexposedAtRungs(counts: OutcomeCounts, action: string, subject: EstimateSubject, now: number, window: number): OpenAtRungs | undefined {
  const population = counts.openUnexposed(action, null, now, window);
  if (population === undefined) return undefined;
  return {
    population,
    segment: subject.segment ? (counts.openUnexposed(action, subject.segment, now, window) ?? 0) : 0,
    'micro-segment': subject.microSegment ? (counts.openUnexposed(action, subject.microSegment, now, window) ?? 0) : 0,
  };
}

/** The successes among the open choices at each group rung (OutcomeCounts.openSuccesses, openGroupSuccesses); undefined until a start has read their hours'. */
function openSuccessesAtRungs(counts: OutcomeCounts, action: string, subject: EstimateSubject, now: number, window: number): OpenAtRungs | undefined {
  const population = counts.openSuccesses(action, now, window);
  if (population === undefined) return undefined;
  return {
    population,
    segment: subject.segment ? (counts.openGroupSuccesses(action, subject.segment, now, window) ?? 0) : 0,
    'micro-segment': subject.microSegment ? (counts.openGroupSuccesses(action, subject.microSegment, now, window) ?? 0) : 0,
  };
}

/**
 * When the counts an estimate reads last changed — the newest decision or outcome in any rung of
 * its ladder (each shrinks toward the one above, so each is its evidence; a subject's own counts
 * change with the population's, which holds them) — or null when none of them knows (counts
 * loaded from a store that did not keep it). Until 2026-12-07 the ladder dated its estimates by the
 * decision asking, and the log kept no date for them.
 */
function changedAt(pop: Readonly<DatedCounts>, seg?: Readonly<DatedCounts>, micro?: Readonly<DatedCounts>): string | null {
  let newest = pop;
  if (seg && seg.at > newest.at) newest = seg;
  if (micro && micro.at > newest.at) newest = micro;
  if (!(newest.at > 0)) return null;
  // Kept on the counts until they change: the personal path asks for every candidate the subject has
  // counts for, and a date's ISO form costs about 2 µs (slow host).
  if (newest.isoAt !== newest.at) {
    const mutable = newest as DatedCounts;
    mutable.iso = new Date(newest.at).toISOString();
    mutable.isoAt = newest.at;
  }
  return newest.iso;
}

/** A group's counts without the subject's share, clamped: a group loaded at start may hold less of it than the share assumes. */
function minus(group: RateCounts, own: RateCounts): RateCounts {
  const trials = Math.max(0, group.trials - own.trials);
  return { successes: Math.min(trials, Math.max(0, group.successes - own.successes)), trials };
}

function ladderCounts(population: RateCounts, segment?: RateCounts, micro?: RateCounts, personal?: RateCounts): LadderCounts {
  const counts: LadderCounts = { population };
  if (segment) counts.segment = segment;
  if (micro) counts['micro-segment'] = micro;
  if (personal) counts.personal = personal;
  return counts;
}
