import { afterEach, describe, expect, it } from 'vitest';
import { Rng } from '../../learn/math/prng.js';
import { linearPredictor } from '../../learn/bandit/logistic-posterior.js';
import { type BanditConfig, defaultBanditConfig, designFor } from '../../learn/bandit/thompson.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import { openTestStore } from '../../../test/harness.js';
import type { DecisionRecord } from '../decision.js';
import type { OutcomeRecord } from '../records.js';
import { PlacementBandits } from './placement-bandits.js';

const HOUR = 3_600_000;
let stores: Store[] = [];
let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stores) await s.close();
  for (const c of cleanups) await c();
  stores = [];
  cleanups = [];
});

function decision(id: string, action: string, at: number, mobile: number): DecisionRecord {
  return {
    id, at, profileKey: 'p', subject: 's', placement: 'home', channel: 'web', context: {}, policyVersion: 1, catalogVersion: 1, modelVersion: 'bandit:home@0', arm: 'treatment',
    choices: [{ rank: 1, kind: 'action', action, score: 1, propensity: 0.5, why: '' }], scored: [], excluded: [], facts: {}, absentFacts: [], operator: '', customer: '', excludedByStage: {},
    bandit: { model: 'bandit:home@0', features: [mobile] },
  };
}
const outcome = (decisionId: string, action: string, success: boolean, reward: number): OutcomeRecord => ({
  id: `o-${decisionId}`, at: 0, profileKey: 'p', type: success ? 'conversion' : 'dismissal', value: null, decisionId, action, credit: 1, reward, success, source: 'api',
});

function book(store: Store, successes: Set<string> = new Set(), now = () => 0) {
  return new PlacementBandits({
    store: store.estimates,
    decisions: { outcomesOf: async (id) => (successes.has(id) ? [outcome(id, 'a', true, 1)] : []) },
    windowOf: () => HOUR,
    now,
  });
}

function learn(b: PlacementBandits, prefix: string, n: number, seed: number, config: BanditConfig = defaultBanditConfig(1), feature = (rng: Rng) => rng.int(2)): void {
  const rng = new Rng(seed);
  b.stateFor('home', ['a', 'b'], config);
  for (let i = 0; i < n; i++) {
    const id = `${prefix}${i}`;
    const action = i % 2 ? 'a' : 'b';
    b.onDecision(decision(id, action, 0, feature(rng)));
    const success = rng.float() < 0.3;
    b.onOutcomes([outcome(id, action, success, success ? 1 : 0)]);
  }
}

describe('placement bandits', () => {
  it('starts afresh when the placement\'s features change: its version counts the new bandit\'s outcomes, not the old one\'s as well', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    stores.push(store);
    const b = book(store);
    learn(b, 'old', 30, 1);
    await b.save();
    expect(b.versionOf('home')).toBe('bandit:home@30');
    // Two features now: a new bandit, which learns one outcome (its decision logs two features).
    b.stateFor('home', ['a', 'b'], defaultBanditConfig(2));
    expect(b.versionOf('home')).toBe('bandit:home@0');
    b.onDecision({ ...decision('new0', 'a', 0, 1), bandit: { model: 'bandit:home@0', features: [1, 0] } });
    b.onOutcomes([outcome('new0', 'a', true, 1)]);
    await b.save();
    // Until 2026-12-05 the stored bandit's 30 (of the old features) were added: @31.
    expect(b.versionOf('home')).toBe('bandit:home@1');
    const again = book(store);
    await again.load(['home']);
    expect(again.versionOf('home')).toBe('bandit:home@1');
  });

  it('resolves a trial at a success, at a non-positive reward, or at the end of its window (reading the log first)', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    stores.push(store);
    const b = book(store, new Set(['late-win']));
    b.stateFor('home', ['a'], defaultBanditConfig(1));
    b.onDecision(decision('win', 'a', 0, 1));
    b.onDecision(decision('lose', 'a', 0, 1));
    b.onDecision(decision('late-win', 'a', 0, 0));
    b.onDecision(decision('silent', 'a', 0, 0));
    b.onOutcomes([outcome('win', 'a', true, 10), outcome('lose', 'a', false, -5)]);
    expect(b.openTrials()).toBe(2);
    expect(await b.expire(HOUR - 1)).toBe(0);
    expect(await b.expire(HOUR)).toBe(2);
    const a = b.stateFor('home', ['a'], defaultBanditConfig(1)).actions[0];
    expect(a.evidence).toBe(4);
    expect(a.rewardSum).toBe(2); // "win" and "late-win"
    expect(b.versionOf('home')).toBe('bandit:home@4');
  });

  it('keeps a trial open through an impression and a click (reward 0), so the conversion that follows is its success; a dismissal ends it', () => {
    const b = book({ estimates: {} } as unknown as Store);
    b.stateFor('home', ['a'], defaultBanditConfig(1));
    b.onDecision(decision('seen', 'a', 0, 1));
    b.onDecision(decision('dismissed', 'a', 0, 1));
    b.onOutcomes([{ ...outcome('seen', 'a', false, 0), type: 'impression' }, { ...outcome('seen', 'a', false, 0), type: 'click' }, { ...outcome('dismissed', 'a', false, 0), type: 'dismissal' }]);
    expect(b.openTrials()).toBe(1);
    b.onOutcomes([{ ...outcome('seen', 'a', true, 40), type: 'conversion' }]);
    expect(b.openTrials()).toBe(0);
    const a = b.stateFor('home', ['a'], defaultBanditConfig(1)).actions[0];
    expect([a.evidence, a.rewardSum]).toEqual([2, 1]);
  });

  it.each(['sqlite', 'postgres'] as const)('persists to the estimates store (%s) and merges what two processes learned', async (kind) => {
    const { store, cleanup } = await openTestStore(kind);
    cleanups.push(cleanup);
    const one = book(store);
    const two = book(store);
    learn(one, 'x', 30, 1);
    learn(two, 'y', 20, 2);
    await one.save();
    await two.save();
    await one.save();
    expect(one.versionOf('home')).toBe('bandit:home@50');
    expect(two.versionOf('home')).toBe('bandit:home@50');
    const s1 = one.stateFor('home', [], defaultBanditConfig(1));
    const s2 = two.stateFor('home', [], defaultBanditConfig(1));
    expect(s1.actions.map((a) => a.evidence)).toEqual([25, 25]);
    s1.actions.forEach((a, i) => a.mean.forEach((m, k) => expect(m).toBeCloseTo(s2.actions[i].mean[k], 9)));
    const fresh = book(store);
    await fresh.load(['home']);
    expect(fresh.versionOf('home')).toBe('bandit:home@50');
  });

  it('alone on its store, a save writes the bandit as it is and keeps its refit windows (they live in memory only)', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    stores.push(store);
    const b = book(store);
    learn(b, 'x', 400, 3);
    const before = b.stateFor('home', [], defaultBanditConfig(1)).actions.map((a) => ({ mean: [...a.mean], rows: a.relin!.count, refits: a.relin!.refits }));
    await b.save();
    const after = b.stateFor('home', [], defaultBanditConfig(1)).actions;
    after.forEach((a, i) => {
      expect([...a.mean]).toEqual(before[i].mean);
      expect(a.relin!.count).toBe(before[i].rows);
    });
    learn(b, 'y', 400, 4);
    b.stateFor('home', [], defaultBanditConfig(1)).actions.forEach((a, i) => expect(a.relin!.refits).toBeGreaterThan(before[i].refits));
    const fresh = book(store);
    await fresh.load(['home']);
    expect(fresh.versionOf('home')).toBe('bandit:home@400');
  });

  it.each(['sqlite', 'postgres'] as const)('merges what two standardising processes learned at contexts of different spread (%s): every outcome and context counted once, the same beliefs', async (kind) => {
    const { store, cleanup } = await openTestStore(kind);
    cleanups.push(cleanup);
    const config = { ...defaultBanditConfig(1), standardize: true };
    const one = book(store, new Set(), () => 1_000);
    const two = book(store, new Set(), () => 2_000);
    learn(one, 'x', 30, 1, config, (rng) => 100 + rng.int(50));
    learn(two, 'y', 20, 2, config, (rng) => 1000 * rng.float());
    await one.save();
    await two.save();
    await one.save();
    const s1 = one.stateFor('home', [], config);
    const s2 = two.stateFor('home', [], config);
    expect(s1.actions.map((a) => a.evidence)).toEqual([25, 25]);
    expect(s1.scaling?.count).toBe(50);
    expect(s2.scaling).toEqual(s1.scaling);
    expect(s1.actions.map((a) => a.updatedAt)).toEqual([2_000, 2_000]);
    for (const x of [0, 120, 900]) {
      s1.actions.forEach((a, i) => {
        const p1 = linearPredictor(a, designFor(s1, [x]));
        const p2 = linearPredictor(s2.actions[i], designFor(s2, [x]));
        expect(p2.mean).toBeCloseTo(p1.mean, 8);
        expect(p2.variance).toBeCloseTo(p1.variance, 8);
      });
    }
  });

  it('keeps a bandit stored over raw features (tact-bandit@1) working under the standardising config: the same beliefs, dated by the row', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    stores.push(store);
    const state = { format: 'tact-bandit@1', config: defaultBanditConfig(1), updates: 40, actions: [{ id: 'a', mean: [-1, 0.02], cov: [0.5, -0.001, -0.001, 0.0001], evidence: 40, rewardSum: 9 }] };
    await store.estimates.write({ estimates: [{ subjectId: 'population', model: 'bandit', key: 'home', estimate: null, state, modelVersion: 'bandit:home@40', seq: 40, updatedAt: 5_000 }] });
    const b = book(store, new Set(), () => 9_000);
    await b.load(['home']);
    const config = { ...defaultBanditConfig(1), standardize: true };
    const s = b.stateFor('home', ['a'], config);
    const at = (x: number) => linearPredictor(s.actions[0], designFor(s, [x]));
    expect(at(40).mean).toBeCloseTo(-1 + 0.02 * 40, 12);
    expect(at(40).variance).toBeCloseTo(0.5 - 2 * 0.001 * 40 + 0.0001 * 1600, 12);
    expect(s.actions[0].updatedAt).toBe(5_000);
    b.onDecision(decision('d1', 'a', 0, 60));
    b.onOutcomes([outcome('d1', 'a', false, 0)]); // a dismissal: the first refit of the scaling, then the outcome
    expect(s.scaling?.center).toEqual([60]);
    expect(s.actions[0].updatedAt).toBe(9_000);
    expect(s.actions[0].evidence).toBe(41);
  });
});
