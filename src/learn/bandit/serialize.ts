/**
 * The bandit's state as JSON for the store: typed arrays become number arrays (doubles survive
 * JSON exactly), and a format tag guards against loading something else.
 *
 * Every version reads `tact-bandit@1`; the reader before 2026-12-04 accepts that tag alone, and of
 * each action reads `id`, `mean`, `cov`, `evidence` and `rewardSum`, ignoring every other field.
 * So, that a process of any version can read what another writes during a rolling deploy, the
 * writer keeps writing `tact-bandit@1` with the coefficients over the raw features (what `@1`
 * always meant), and adds what newer readers need in fields older ones ignore: each action's
 * `priorEvidence`, `updatedAt` and `range`, and — for a bandit that standardises its features
 * (scaling.ts) — `standardized`: the scaling and each action's coefficients over the standardised
 * features, exactly as held in memory (the raw copy is an affine map of them, exact for an old
 * reader's predictions up to rounding, but not kept for re-reading: converting back loses digits
 * when a feature's mean is many of its standard deviations from 0). Since 2026-12-04 (after commit
 * c7ac045) that block marks `covUpper` and holds each covariance as its upper triangle, exactly
 * (packed-cov.ts: `cov` the d(d + 1)/2 entries, `covSkew`/`covLower` what gives the rest back): a
 * row of 50 actions over 10 features is 18% smaller (serialize-size.test.ts). Rows with the full
 * d×d block are still read. A process of c7ac045 finds the triangle the wrong length for its block,
 * and reads the raw coefficients without a scaling — as it reads a row an older process wrote back.
 * An action's missing `range` (a row written before 2026-12-04, or written back by a process of
 * that age) is read as unknown: all its evidence unrecorded (feature-range.ts); the range it
 * records from then on is written as `partialRange` until it holds.
 *
 * `tact-bandit@2` was written on 2026-12-04 (scaling at the top, coefficients standardised, the
 * moments as sums Σx, Σx²); older processes refused it by its tag. It is still read.
 */
import { type FeatureRange, copyRange, rangeHolds, unknownRange } from './feature-range.js';
import { packCov, unpackCov } from './packed-cov.js';
import { type FeatureScaling, carryPosterior, identityScaling, momentsFromSums } from './scaling.js';
import type { BanditConfig, BanditState } from './thompson.js';

/** One action as stored: `mean`/`cov` over the raw features (over standardised ones in a `tact-bandit@2` row). */
export interface BanditActionJson {
  id: string;
  mean: number[];
  cov: number[];
  evidence: number;
  rewardSum: number;
  priorEvidence?: number;
  updatedAt?: number | null;
  range?: FeatureRange;
  /**
   * Instead of `range` while it does not hold yet (feature-range.ts: fewer outcomes recorded than
   * learned without a range), so that a reader of commit c7ac045, which knows no `unrecorded`,
   * sees none (and neither holds the action to it nor starts a range of its next few outcomes).
   */
  partialRange?: FeatureRange;
}

/** One action's coefficients over the standardised features, in a `tact-bandit@1` row's `standardized` block. */
export interface StandardizedActionJson {
  id: string;
  mean: number[];
  /** d×d, or the upper triangle (d(d + 1)/2) when the block marks `covUpper`. */
  cov: number[];
  covSkew?: number[];
  covLower?: Record<string, number>;
}

/** A scaling as stored: the moments as count, mean and M₂ — or, in a `tact-bandit@2` row, as the sums Σx and Σx². */
export type ScalingJson = Omit<FeatureScaling, 'mean' | 'm2'> & ({ mean: number[]; m2: number[] } | { sum: number[]; sumSq: number[] });

/** Stored form of a {@link BanditState}. */
export interface BanditJson {
  format: 'tact-bandit@1' | 'tact-bandit@2';
  config: BanditConfig;
  updates: number;
  /** `tact-bandit@2` only: the scaling the actions' coefficients are over. */
  scaling?: ScalingJson;
  actions: BanditActionJson[];
  /**
   * `tact-bandit@1` of a bandit that standardises: its scaling and the exact standardised
   * coefficients (readers before 2026-12-04 ignore it). `covUpper`: each `cov` is the upper
   * triangle, with `covSkew`/`covLower` (packed-cov.ts); absent: `cov` is d×d.
   */
  standardized?: { scaling: ScalingJson; covUpper?: boolean; actions: StandardizedActionJson[] };
}

/**
 * JSON-safe copy of the state, as `tact-bandit@1` (above).
 *
 * @example
 * const stored = JSON.stringify(banditToJson(bandit));
 */
export function banditToJson(state: BanditState): BanditJson {
  const params = state.scaling && { center: state.scaling.center, scale: state.scaling.scale };
  return {
    format: 'tact-bandit@1',
    config: { ...state.config },
    updates: state.updates,
    actions: state.actions.map((a) => {
      const raw = carryPosterior(a, params, undefined);
      return {
        id: a.id, mean: [...raw.mean], cov: [...raw.cov], evidence: a.evidence, rewardSum: a.rewardSum,
        ...(a.priorEvidence !== undefined ? { priorEvidence: a.priorEvidence } : {}),
        ...(a.updatedAt !== undefined ? { updatedAt: a.updatedAt } : {}),
        ...(a.range ? { [a.range.unrecorded && !rangeHolds(a.range, a.evidence) ? 'partialRange' : 'range']: copyRange(a.range) } : {}),
      };
    }),
    ...(state.scaling ? { standardized: { scaling: structuredClone(state.scaling), covUpper: true, actions: state.actions.map(standardizedAction) } } : {}),
  };
}

/**
 * Restores a state from its JSON form (`tact-bandit@1`, with or without the newer fields, or
 * `tact-bandit@2`); throws a whole-sentence error on anything else.
 *
 * @example
 * const bandit = banditFromJson(JSON.parse(stored));
 */
export function banditFromJson(json: BanditJson): BanditState {
  if (json?.format !== 'tact-bandit@1' && json?.format !== 'tact-bandit@2') throw new Error('This is not a stored Tact bandit: its "format" field is missing or unknown.');
  const d = json.config.features + 1;
  const fits = (mean: number[], cov: ArrayLike<number>) => mean.length === d && cov.length === d * d;
  // Where the coefficients and the scaling come from: the @2 row's own fields, the @1 row's
  // `standardized` block when it matches the actions, else the raw coefficients without a scaling.
  const std = json.format === 'tact-bandit@1' ? json.standardized : undefined;
  const stdActions = std && new Map(std.actions.map((a) => [a.id, readStandardized(a, d, std.covUpper === true)]));
  const useStd = !!std && json.actions.every((a) => {
    const s = stdActions!.get(a.id);
    return s !== undefined && fits(s.mean, s.cov);
  });
  const scalingJson = json.format === 'tact-bandit@2' ? json.scaling : useStd ? std!.scaling : undefined;
  // A bandit that standardises, read without its scaling (a row of before 2026-12-04, or one an older
  // process wrote back): its coefficients are over the raw features — the identity scaling, which
  // the next context refits (an exact re-expression, scaling.ts).
  const scaling = scalingJson ? readScaling(scalingJson) : json.config.standardize ? identityScaling(json.config.features) : undefined;
  if (scaling && (scaling.center.length !== d - 1 || scaling.scale.length !== d - 1 || scaling.mean.length !== d - 1)) throw new Error(`The stored bandit's scaling does not match its ${json.config.features} features.`);
  return {
    config: { ...json.config },
    updates: json.updates,
    ...(scaling ? { scaling } : {}),
    actions: json.actions.map((a) => {
      const coef: { mean: number[]; cov: ArrayLike<number> } = useStd ? stdActions!.get(a.id)! : a;
      if (!fits(a.mean, a.cov) || !fits(coef.mean, coef.cov)) throw new Error(`The stored action "${a.id}" does not match the bandit's ${json.config.features} features.`);
      return {
        id: a.id, dimension: d, mean: Float64Array.from(coef.mean), cov: Float64Array.from(coef.cov), evidence: a.evidence, rewardSum: a.rewardSum,
        ...(a.priorEvidence !== undefined ? { priorEvidence: a.priorEvidence } : {}),
        ...(a.updatedAt !== undefined ? { updatedAt: a.updatedAt } : {}),
        range: readRange(a, d),
      };
    }),
  };
}

/** An action's standardised coefficients for the `standardized` block, the covariance as its upper triangle. */
function standardizedAction(a: BanditState['actions'][number]): StandardizedActionJson {
  const p = packCov(a.cov, a.dimension);
  return { id: a.id, mean: [...a.mean], cov: p.upper, ...(p.skew ? { covSkew: p.skew } : {}), ...(p.lower ? { covLower: p.lower } : {}) };
}

/** A `standardized` block's action, its covariance d×d (empty when it does not fit d: the block is then not used). */
function readStandardized(s: StandardizedActionJson, d: number, upper: boolean): { mean: number[]; cov: ArrayLike<number> } {
  if (!Array.isArray(s.mean) || !Array.isArray(s.cov)) return { mean: [], cov: [] };
  return { mean: s.mean, cov: upper ? (unpackCov({ upper: s.cov, skew: s.covSkew, lower: s.covLower }, d) ?? []) : s.cov };
}

/**
 * An action's range as stored, if it is one for these features; else — a row written before ranges
 * were kept, or written back by a process of that age, which drops the field — unknown: all its
 * evidence unrecorded (feature-range.ts).
 */
function readRange(a: BanditActionJson, d: number): FeatureRange {
  const r = a.range ?? a.partialRange;
  const ok = r && Array.isArray(r.min) && Array.isArray(r.max) && r.min.length === r.max.length && (r.min.length === 0 || r.min.length === d - 1)
    && (r.unrecorded === undefined || (Number.isFinite(r.unrecorded) && r.unrecorded >= 0));
  // no context recorded for an action with evidence: all of it unrecorded (else its next outcome would start a range of one)
  return ok && (r.min.length > 0 || !(a.evidence > 0)) ? copyRange(r) : unknownRange(a.evidence);
}

/** A stored scaling, its moments as count, mean and M₂ whichever form they were stored in. */
function readScaling(s: ScalingJson): FeatureScaling {
  const moments = 'm2' in s ? { mean: [...s.mean], m2: [...s.m2] } : momentsFromSums(s.count, s.sum, s.sumSq);
  return { center: [...s.center], scale: [...s.scale], count: s.count, ...moments, binary: [...s.binary], fittedAt: s.fittedAt };
}
