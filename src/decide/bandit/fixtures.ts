import { defaultBanditConfig } from '../../learn/bandit/thompson.js';
import type { Store } from '../../store/store.js';
import type { DecisionRecord } from '../decision.js';
import type { OutcomeRecord } from '../records.js';
import { PlacementBandits } from './placement-bandits.js';

/**
 * Test fixtures of a one-feature bandit at the placement `home`: a decision that showed an action
 * at a context (`orders`), its dismissal, a book over a store, and learning from a list of contexts.
 *
 * @example
 * const b = book(store); learn(b, 'd', [2, 5, 9]);
 */
export const decision = (id: string, action: string, orders: number): DecisionRecord => ({
  id, at: 0, profileKey: 'p', subject: 's', placement: 'home', channel: 'web', context: {}, policyVersion: 1, catalogVersion: 1, modelVersion: 'bandit:home@0', arm: 'treatment',
  choices: [{ rank: 1, kind: 'action', action, score: 1, propensity: 0.5, why: '' }], scored: [], excluded: [], facts: {}, absentFacts: [], operator: '', customer: '', excludedByStage: {},
  bandit: { model: 'bandit:home@0', features: [orders] },
});
export const dismissal = (decisionId: string, action: string): OutcomeRecord => ({
  id: `o-${decisionId}`, at: 0, profileKey: 'p', type: 'dismissal', value: null, decisionId, action, credit: 1, reward: 0, success: false, source: 'api',
});
export const book = (store: Store) => new PlacementBandits({ store: store.estimates, decisions: { outcomesOf: async () => [] }, windowOf: () => 3_600_000, now: () => 0 });
export const config = { ...defaultBanditConfig(1), standardize: true };

export function learn(b: PlacementBandits, prefix: string, orders: number[]): void {
  b.stateFor('home', ['a'], config);
  orders.forEach((o, i) => {
    b.onDecision(decision(`${prefix}${i}`, 'a', o));
    b.onOutcomes([dismissal(`${prefix}${i}`, 'a')]);
  });
}
