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
 * when a feature's mean is many of its standard deviations from 0).
 *
 * `tact-bandit@2` was written on 2026-12-04 (scaling at the top, coefficients standardised, the
 * moments as sums Σx, Σx²); older processes refused it by its tag. It is still read.
 */
import { type FeatureRange, copyRange } from './feature-range.js';
import { type FeatureScaling, carryPosterior, momentsFromSums } from './scaling.js';
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
  /** `tact-bandit@1` of a bandit that standardises: its scaling and the exact standardised coefficients (readers before 2026-12-04 ignore it). */
  standardized?: { scaling: ScalingJson; actions: { id: string; mean: number[]; cov: number[] }[] };
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
        ...(a.range ? { range: copyRange(a.range) } : {}),
      };
    }),
    ...(state.scaling ? { standardized: { scaling: structuredClone(state.scaling), actions: state.actions.map((a) => ({ id: a.id, mean: [...a.mean], cov: [...a.cov] })) } } : {}),
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
  const fits = (mean: number[], cov: number[]) => mean.length === d && cov.length === d * d;
  // Where the coefficients and the scaling come from: the @2 row's own fields, the @1 row's
  // `standardized` block when it matches the actions, else the raw coefficients without a scaling.
  const std = json.format === 'tact-bandit@1' ? json.standardized : undefined;
  const stdActions = std && new Map(std.actions.map((a) => [a.id, a]));
  const useStd = !!std && json.actions.every((a) => {
    const s = stdActions!.get(a.id);
    return s !== undefined && fits(s.mean, s.cov);
  });
  const scalingJson = json.format === 'tact-bandit@2' ? json.scaling : useStd ? std!.scaling : undefined;
  const scaling = scalingJson && readScaling(scalingJson);
  if (scaling && (scaling.center.length !== d - 1 || scaling.scale.length !== d - 1 || scaling.mean.length !== d - 1)) throw new Error(`The stored bandit's scaling does not match its ${json.config.features} features.`);
  return {
    config: { ...json.config },
    updates: json.updates,
    ...(scaling ? { scaling } : {}),
    actions: json.actions.map((a) => {
      const coef = useStd ? stdActions!.get(a.id)! : a;
      if (!fits(a.mean, a.cov) || !fits(coef.mean, coef.cov)) throw new Error(`The stored action "${a.id}" does not match the bandit's ${json.config.features} features.`);
      return {
        id: a.id, dimension: d, mean: Float64Array.from(coef.mean), cov: Float64Array.from(coef.cov), evidence: a.evidence, rewardSum: a.rewardSum,
        ...(a.priorEvidence !== undefined ? { priorEvidence: a.priorEvidence } : {}),
        ...(a.updatedAt !== undefined ? { updatedAt: a.updatedAt } : {}),
        ...(a.range && a.range.min.length === a.range.max.length && (a.range.min.length === 0 || a.range.min.length === d - 1) ? { range: copyRange(a.range) } : {}),
      };
    }),
  };
}

/** A stored scaling, its moments as count, mean and M₂ whichever form they were stored in. */
function readScaling(s: ScalingJson): FeatureScaling {
  const moments = 'm2' in s ? { mean: [...s.mean], m2: [...s.m2] } : momentsFromSums(s.count, s.sum, s.sumSq);
  return { center: [...s.center], scale: [...s.scale], count: s.count, ...moments, binary: [...s.binary], fittedAt: s.fittedAt };
}
