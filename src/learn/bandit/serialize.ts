/**
 * The bandit's state as JSON for the store: typed arrays become number arrays (doubles survive
 * JSON exactly), and a format tag guards against loading something else.
 *
 * `tact-bandit@2` (since 2026-12-04) adds the feature scaling (scaling.ts) and each action's prior
 * evidence and `updatedAt`; a process older than that refuses it by its tag rather than read
 * standardised coefficients as raw ones. `tact-bandit@1` still loads: its coefficients are over the
 * raw features, so it has no scaling (a bandit that standardises starts from the identity, which
 * changes none of what it learned — see PlacementBandits.stateFor).
 */
import type { FeatureScaling } from './scaling.js';
import type { BanditConfig, BanditState } from './thompson.js';

/** Stored form of a {@link BanditState}. */
export interface BanditJson {
  format: 'tact-bandit@1' | 'tact-bandit@2';
  config: BanditConfig;
  updates: number;
  scaling?: FeatureScaling;
  actions: { id: string; mean: number[]; cov: number[]; evidence: number; rewardSum: number; priorEvidence?: number; updatedAt?: number | null }[];
}

/**
 * JSON-safe copy of the state.
 *
 * @example
 * const stored = JSON.stringify(banditToJson(bandit));
 */
export function banditToJson(state: BanditState): BanditJson {
  return {
    format: 'tact-bandit@2',
    config: { ...state.config },
    updates: state.updates,
    ...(state.scaling ? { scaling: structuredClone(state.scaling) } : {}),
    actions: state.actions.map((a) => ({
      id: a.id, mean: [...a.mean], cov: [...a.cov], evidence: a.evidence, rewardSum: a.rewardSum,
      ...(a.priorEvidence !== undefined ? { priorEvidence: a.priorEvidence } : {}),
      ...(a.updatedAt !== undefined ? { updatedAt: a.updatedAt } : {}),
    })),
  };
}

/**
 * Restores a state from its JSON form; throws a whole-sentence error on anything else.
 *
 * @example
 * const bandit = banditFromJson(JSON.parse(stored));
 */
export function banditFromJson(json: BanditJson): BanditState {
  if (json?.format !== 'tact-bandit@1' && json?.format !== 'tact-bandit@2') throw new Error('This is not a stored Tact bandit: its "format" field is missing or unknown.');
  const d = json.config.features + 1;
  if (json.scaling && (json.scaling.center.length !== d - 1 || json.scaling.scale.length !== d - 1)) throw new Error(`The stored bandit's scaling does not match its ${json.config.features} features.`);
  return {
    config: { ...json.config },
    updates: json.updates,
    ...(json.format === 'tact-bandit@2' && json.scaling ? { scaling: structuredClone(json.scaling) } : {}),
    actions: json.actions.map((a) => {
      if (a.mean.length !== d || a.cov.length !== d * d) throw new Error(`The stored action "${a.id}" does not match the bandit's ${json.config.features} features.`);
      return {
        id: a.id, dimension: d, mean: Float64Array.from(a.mean), cov: Float64Array.from(a.cov), evidence: a.evidence, rewardSum: a.rewardSum,
        ...(a.priorEvidence !== undefined ? { priorEvidence: a.priorEvidence } : {}),
        ...(a.updatedAt !== undefined ? { updatedAt: a.updatedAt } : {}),
      };
    }),
  };
}
