import { afterEach, describe, expect, it } from 'vitest';
import { defaultBanditConfig } from '../../learn/bandit/thompson.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import type { DecisionRecord } from '../decision.js';
import type { OutcomeRecord } from '../records.js';
import { PlacementBandits } from './placement-bandits.js';

let stores: Store[] = [];
afterEach(async () => {
  for (const s of stores) await s.close();
  stores = [];
});

const decision = (id: string, action: string, orders: number): DecisionRecord => ({
  id, at: 0, profileKey: 'p', subject: 's', placement: 'home', channel: 'web', context: {}, policyVersion: 1, catalogVersion: 1, modelVersion: 'bandit:home@0', arm: 'treatment',
  choices: [{ rank: 1, kind: 'action', action, score: 1, propensity: 0.5, why: '' }], scored: [], excluded: [], facts: {}, absentFacts: [], operator: '', customer: '', excludedByStage: {},
  bandit: { model: 'bandit:home@0', features: [orders] },
});
const dismissal = (decisionId: string, action: string): OutcomeRecord => ({
  id: `o-${decisionId}`, at: 0, profileKey: 'p', type: 'dismissal', value: null, decisionId, action, credit: 1, reward: 0, success: false, source: 'api',
});
const book = (store: Store) => new PlacementBandits({ store: store.estimates, decisions: { outcomesOf: async () => [] }, windowOf: () => 3_600_000, now: () => 0 });
const config = { ...defaultBanditConfig(1), standardize: true };

function learn(b: PlacementBandits, prefix: string, orders: number[]): void {
  b.stateFor('home', ['a'], config);
  orders.forEach((o, i) => {
    b.onDecision(decision(`${prefix}${i}`, 'a', o));
    b.onOutcomes([dismissal(`${prefix}${i}`, 'a')]);
  });
}

describe('placement bandits: the range of contexts learned from', () => {
  it('is merged across processes: the stored action holds the contexts both learned from', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    stores.push(store);
    const one = book(store);
    const two = book(store);
    await one.load(['home']);
    await two.load(['home']);
    learn(one, 'x', [2, 3, 4]);
    learn(two, 'y', [10, 12]);
    await one.save();
    await two.save(); // merges with what one wrote
    const three = book(store);
    await three.load(['home']);
    const a = three.stateFor('home', ['a'], config).actions[0];
    expect(a.evidence).toBe(5);
    expect(a.range).toEqual({ min: [2], max: [12] });
    // and the process that merged adopted it
    expect(two.stateFor('home', ['a'], config).actions[0].range).toEqual({ min: [2], max: [12] });
  });
});
