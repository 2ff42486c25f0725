/**
 * The bandit's state as JSON for the store: typed arrays become number arrays (doubles survive
 * JSON exactly), and a format tag guards against loading something else.
 */
import type { BanditConfig, BanditState } from './thompson.js';

/** Stored form of a {@link BanditState}. */
export interface BanditJson {
  format: 'tact-bandit@1';
  config: BanditConfig;
  updates: number;
  actions: { id: string; mean: number[]; cov: number[]; evidence: number; rewardSum: number }[];
}

/**
 * JSON-safe copy of the state.
 *
 * @example
 * const stored = JSON.stringify(banditToJson(bandit));
 */
export function banditToJson(state: BanditState): BanditJson {
  return {
    format: 'tact-bandit@1',
    config: { ...state.config },
    updates: state.updates,
    actions: state.actions.map((a) => ({ id: a.id, mean: [...a.mean], cov: [...a.cov], evidence: a.evidence, rewardSum: a.rewardSum })),
  };
}

/**
 * Restores a state from its JSON form; throws a whole-sentence error on anything else.
 *
 * @example
 * const bandit = banditFromJson(JSON.parse(stored));
 */
export function banditFromJson(json: BanditJson): BanditState {
  if (json?.format !== 'tact-bandit@1') throw new Error('This is not a stored Tact bandit: its "format" field is missing or unknown.');
  const d = json.config.features + 1;
  return {
    config: { ...json.config },
    updates: json.updates,
    actions: json.actions.map((a) => {
      if (a.mean.length !== d || a.cov.length !== d * d) throw new Error(`The stored action "${a.id}" does not match the bandit's ${json.config.features} features.`);
      return { id: a.id, dimension: d, mean: Float64Array.from(a.mean), cov: Float64Array.from(a.cov), evidence: a.evidence, rewardSum: a.rewardSum };
    }),
  };
}
