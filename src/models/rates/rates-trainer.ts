import { type HeldOutPoint, heldOutReport } from '../../learn/calibration/held-out.js';
import { type RateCounts, betaMean } from '../../learn/rates/beta-binomial.js';
import { type GroupAroundParent, fitConcentration } from '../../learn/rates/concentration.js';
import { type LadderCounts, type LadderModel, type Rung, climbLadder, subjectBelief } from '../../learn/rates/ladder.js';
import { type TrialState, countsAt, ownCounts } from '../../learn/rates/rate-trials.js';
import { type LadderPosition, SegmentLookup } from '../../segments/segment-lookup.js';
import { CALIBRATION_WINDOW } from '../calibration/calibration.js';
import type { EstimateStore } from '../estimates/estimate-store.js';
import { runOffThread } from '../train/off-thread.js';
import { timeSlicer } from '../train/time-slice.js';
import type { TrainContext, Trainer } from '../train/trainer.js';
import { DEFAULT_CONCENTRATION, type RatesModelState, groupKeys, ladderFor, othersOf } from './rate-model.js';
import { countedUnder } from './rate-rows.js';
import { type CompiledRate, ratesKind } from './rates-kind.js';

const NONE: RateCounts = { successes: 0, trials: 0 };

/** A subject's row as the fit reads it: its resolved counts, its group rows now, and its own share of each. */
export interface SubjectCounts {
  counts: RateCounts;
  keys: ReturnType<typeof groupKeys>;
  own: { population: RateCounts; segment?: RateCounts; micro?: RateCounts };
}

/** Why a rung keeps its default κ: fewer than two of its groups hold trials. */
const TOO_FEW: Record<Rung, string> = {
  segment: 'fewer than two segments hold trials',
  'micro-segment': 'fewer than two micro-segments of the live version hold trials',
  personal: 'fewer than two subjects hold resolved trials',
};

/**
 * The mean of the posterior a rung below `counts`' deepest rung is centred on (climbLadder): the
 * deepest rung earned (until 2026-12-05 the deepest present, earned or not).
 */
const parentMean = (ladder: LadderModel, counts: LadderCounts): number => {
  const { rung, details } = climbLadder(ladder, counts);
  return betaMean(details.filter((d) => d.rung === rung).pop()!.posterior);
};

/**
 * Each rung's groups around the mean of the parent a read centres them on (rateNow, climbLadder),
 * fitted top down, since a parent's posterior depends on its own κ:
 * - segments around the population's posterior mean;
 * - a micro-segment around its members' segments' posterior means, weighted by the trials each
 *   member credited to it (the population's for a member in no segment or in one that has not
 *   earned its rung): micro-segments cut across segments, and a read centres each member's
 *   micro-segment rung on that member's segment;
 * - a subject around the deepest group rung of its position now that has earned its place — its
 *   micro-segment, else its segment, else the population — counted without its own trials, as the
 *   read path counts them.
 * A rung with fewer than two groups holding trials keeps its default κ (`unfitted` says why).
 *
 * @example
 * fitLadder(rate, population, groupRows, subjects); // { concentration: { segment: 2, 'micro-segment': 100, personal: 998000 }, unfitted: { 'micro-segment': '…' } }
 */
export function fitLadder(rate: CompiledRate, population: RateCounts, groupRows: ReadonlyMap<string, RateCounts>, subjects: readonly SubjectCounts[]): { concentration: Record<Rung, number>; unfitted: Partial<Record<Rung, string>> } {
  const concentration = { ...DEFAULT_CONCENTRATION };
  const unfitted: Partial<Record<Rung, string>> = {};
  const fit = (rung: Rung, groups: GroupAroundParent[]) => {
    const k = fitConcentration(groups);
    if (k === null) unfitted[rung] = TOO_FEW[rung];
    else concentration[rung] = k;
  };
  // The ladder a read will climb, with the κ fitted so far (population prior Beta(1, 1)).
  const ladder = (): LadderModel => ({ ...ladderFor(rate, undefined), concentration: { ...concentration } });
  const row = (id: string) => groupRows.get(id) ?? NONE;
  const ids = (prefix: string) => [...groupRows.keys()].filter((id) => id.startsWith(prefix));

  const popMean = parentMean(ladder(), { population });
  fit('segment', ids('segment:').map((id) => ({ ...row(id), parentMean: popMean })));

  const afterSegment = ladder();
  const weights = new Map<string, { sum: number; weight: number }>();
  for (const s of subjects) {
    if (!s.keys.micro || !s.own.micro?.trials) continue;
    const m = s.keys.segment ? parentMean(afterSegment, { population, segment: row(s.keys.segment) }) : popMean;
    const w = weights.get(s.keys.micro) ?? weights.set(s.keys.micro, { sum: 0, weight: 0 }).get(s.keys.micro)!;
    w.sum += m * s.own.micro.trials;
    w.weight += s.own.micro.trials;
  }
  fit('micro-segment', ids('micro-segment:').map((id) => {
    const w = weights.get(id);
    return { ...row(id), parentMean: w?.weight ? w.sum / w.weight : popMean };
  }));

  const afterMicro = ladder();
  fit('personal', subjects.filter((s) => s.counts.trials > 0).map((s) => {
    const counts: LadderCounts = { population: othersOf(population, s.own.population) };
    if (s.keys.segment) counts.segment = othersOf(row(s.keys.segment), s.own.segment ?? NONE);
    if (s.keys.micro) counts['micro-segment'] = othersOf(row(s.keys.micro), s.own.micro ?? NONE);
    return { ...s.counts, parentMean: parentMean(afterMicro, counts) };
  }));
  return { concentration, unfitted };
}

/**
 * The calibration of the version being trained: the newest resolved predictions (those whose window
 * has closed, as `calibrationReport` reads them), each replayed under the new ladder on the counts
 * its exposure kept (`inputs`) — what this version would have shown before the outcome. Points
 * recorded before 2026-12-01 kept no inputs and are counted apart (`withoutInputs`). The κ were
 * fitted on counts that include these outcomes: three numbers across every group (the flattery of
 * an in-sample score is ≈ 3 nats in all; rates-comparator.ts).
 */
async function heldOutOf(store: EstimateStore, rate: CompiledRate, ladder: LadderModel, now: number) {
  const points = await store.points('rates', rate.def.name, CALIBRATION_WINDOW, { closedBy: now });
  // The replay and the report's bootstrap intervals take seconds at 50,000 points: off the server's thread.
  return runOffThread<typeof heldOutFigures>(import.meta.url, 'heldOutFigures', [points, ladder]);
}

/**
 * The figures of {@link heldOutOf} from the points read: each replayed under `ladder`, then the
 * held-out report. Exported to run in a worker thread (off-thread.ts).
 *
 * @example
 * heldOutFigures(points, ladder).ece;
 */
export function heldOutFigures(points: Awaited<ReturnType<EstimateStore['points']>>, ladder: LadderModel) {
  const replayed: HeldOutPoint[] = [];
  for (const p of points) {
    if (!p.inputs) continue;
    const post = subjectBelief(ladder, p.inputs).posterior;
    replayed.push({ subjectId: p.subjectId, seq: p.seq, alpha: post.alpha, beta: post.beta, outcome: p.outcome ?? 0 });
  }
  const r = heldOutReport(replayed);
  return {
    n: r.n, ece: r.ece, eceInterval: r.intervals.ece, eceCalibratedReference: r.calibratedReference.ece,
    eceDebiased: r.eceDebiased, eceDebiasedInterval: r.intervals.eceDebiased,
    // The coverage is counted over subjects (their outcomes together), not predictions: its evidence.
    coverage90: r.coverage.coverage, coverage90Interval: r.coverage.interval, coverage90Subjects: r.coverage.subjects,
    ...(points.length > replayed.length ? { withoutInputs: points.length - replayed.length } : {}),
  };
}

/**
 * Where each subject sits now (the read path's position), looked up once per training: `load`
 * reads the profiles of a page of subjects not yet placed in one batched read (until 2026-12-06
 * one read each, a round trip per subject on PostgreSQL) and places them in the page's order;
 * `of` answers for a subject loaded (null: no live profile).
 */
function positions(ctx: TrainContext): { load(ids: readonly string[]): Promise<void>; of(id: string): LadderPosition | null } {
  const lookup = new SegmentLookup(ctx.store.segments, ctx.settings, ctx.registry);
  const seen = new Map<string, LadderPosition | null>();
  const slice = timeSlicer();
  return {
    async load(ids) {
      const missing = [...new Set(ids)].filter((id) => !seen.has(id));
      const states = await ctx.store.profiles.getProfiles(missing);
      for (const id of missing) {
        await slice.pause();
        const state = states.get(id);
        seen.set(id, state ? await lookup.position(state, ctx.now) : null);
      }
    },
    of: (id) => seen.get(id) ?? null,
  };
}

/** Whether a row of the rate's estimates is a subject's (not the population's, a segment's or a micro-segment's). */
const isSubject = (id: string) => id !== 'population' && !id.startsWith('segment:') && !id.startsWith('micro-segment:');

/**
 * The ladder's hyper-parameters per rate, by empirical Bayes: each rung's prior strength κ is the
 * one that maximises the marginal likelihood of that rung's groups (segments, micro-segments of the
 * live micro-segment model, subjects) around the mean of the parent a read centres them on
 * ({@link fitLadder}; until 2026-12-05 every rung was fitted around the population rate, which read
 * the spread between segments as spread between people and let one e-mail swing a segment
 * member's rate). The population prior stays Beta(1, 1): the population's own counts dwarf it. A
 * rung with too few groups keeps its default κ, and a rate with no rung to fit is left out (its
 * defaults stand); with no rate to fit the training is skipped. `heldOut` is this version's
 * calibration on the recorded predictions, replayed ({@link heldOutOf}).
 *
 * @example
 * await trainModels(ctx, [ratesTrainer], ['rates'], 'cli');
 */
export const ratesTrainer: Trainer = {
  name: 'rates',
  description: 'Prior strength of each rung of the rate ladder (segment, micro-segment, personal), fitted by maximum marginal likelihood.',
  async train(ctx) {
    const rates = ctx.settings.get(ratesKind);
    if (!rates.length) return { skipped: 'no rates are configured' };
    const micro = await ctx.registry.live('micro-segments');
    const microPrefix = micro ? `micro-segment:${micro.version}:` : null;
    const positionOf = positions(ctx);
    const state: RatesModelState = { rates: {} };
    const metrics: Record<string, unknown> = {};
    const reasons: string[] = [];
    for (const r of rates) {
      let population: RateCounts = NONE;
      const groupRows = new Map<string, RateCounts>();
      const subjects: SubjectCounts[] = [];
      const slice = timeSlicer();
      let after = '';
      for (;;) {
        await slice.pause();
        const rows = await ctx.store.estimates.scan('rate', r.def.name, after, 2000);
        if (!rows.length) break;
        await positionOf.load(rows.map((row) => row.subjectId).filter(isSubject));
        for (const row of rows) {
          await slice.pause();
          // A row counted under an earlier definition of the rate is being counted again: not data for this one.
          if (!countedUnder(row, r)) continue;
          const id = row.subjectId;
          if (id === 'population') population = row.state as RateCounts;
          else if (id.startsWith('segment:')) groupRows.set(id, row.state as RateCounts);
          else if (id.startsWith('micro-segment:')) {
            if (microPrefix && id.startsWith(microPrefix)) groupRows.set(id, row.state as RateCounts);
          } else {
            const st = row.state as TrialState;
            const pos = positionOf.of(id);
            const keys = pos ? groupKeys(pos) : { population: 'population' };
            subjects.push({
              counts: countsAt(st, ctx.now, r.windowMs),
              keys,
              own: { population: ownCounts(st, keys.population), segment: keys.segment ? ownCounts(st, keys.segment) : undefined, micro: keys.micro ? ownCounts(st, keys.micro) : undefined },
            });
          }
        }
        after = rows[rows.length - 1].subjectId;
      }
      if (population.trials === 0) {
        reasons.push(`${r.def.name}: no exposure has been recorded yet`);
        continue;
      }
      const groups = { segments: [...groupRows.keys()].filter((k) => k.startsWith('segment:')).length, microSegments: [...groupRows.keys()].filter((k) => k.startsWith('micro-segment:')).length, subjects: subjects.length };
      const mean = population.successes / population.trials;
      // The three golden-section searches take seconds at 25,000 subjects: off the server's thread.
      const { concentration, unfitted } = await runOffThread<typeof fitLadder>(import.meta.url, 'fitLadder', [r, population, groupRows, subjects]);
      if (Object.keys(unfitted).length === 3) {
        // Nothing fitted: the defaults stand, and no number is stored as if fitted.
        reasons.push(`${r.def.name}: ${Object.values(unfitted).join(', ')}`);
        metrics[r.def.name] = { population: { ...population, rate: mean }, groups, skipped: unfitted };
        continue;
      }
      state.rates[r.def.name] = { populationPrior: { alpha: 1, beta: 1 }, concentration };
      metrics[r.def.name] = {
        population: { ...population, rate: mean },
        groups,
        concentration,
        ...(Object.keys(unfitted).length ? { defaults: unfitted } : {}),
        // With their 95% intervals and the ECE a calibrated model would read at this n (held-out.ts).
        heldOut: await heldOutOf(ctx.store.estimates, r, { ...ladderFor(r, undefined), concentration }, ctx.now),
      };
    }
    if (!Object.keys(state.rates).length) {
      const none = reasons.every((x) => x.endsWith('no exposure has been recorded yet'));
      return { skipped: none ? 'no exposure has been recorded for any rate yet' : `no rate has the data to fit a prior strength (${reasons.join('; ')}): the defaults stand` };
    }
    return { state, metrics, dataFrom: null, dataTo: ctx.now };
  },
};
