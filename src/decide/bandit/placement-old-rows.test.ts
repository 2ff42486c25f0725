import { afterEach, describe, expect, it } from 'vitest';
import { Rng } from '../../learn/math/prng.js';
import { linearPredictor } from '../../learn/bandit/logistic-posterior.js';
import { banditFromJson, banditToJson, type BanditJson } from '../../learn/bandit/serialize.js';
import { designFor, predictorAt, updateBandit } from '../../learn/bandit/thompson.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import { book, config, learn } from './fixtures.js';
import { BANDIT_MODEL } from './placement-bandits.js';

let stores: Store[] = [];
afterEach(async () => {
  for (const s of stores) await s.close();
  stores = [];
});


/**
 * A process older than 2026-12-04 reads the row, learns `n` outcomes at orders 0–20 and writes it
 * back as it knows it: each action's id, mean, cov, evidence and rewardSum (serialize-compat.test.ts
 * runs its reader and writer verbatim); `range` and `standardized` are gone.
 */
async function oldProcessLearns(store: Store, n: number): Promise<void> {
  const [row] = await store.estimates.getMany([{ subjectId: 'population', model: BANDIT_MODEL, key: 'home' }]);
  const state = banditFromJson(row.state as BanditJson);
  const rng = new Rng(8);
  for (let i = 0; i < n; i++) updateBandit(state, 'a', [rng.int(21)], rng.float() < 0.2 ? 1 : 0);
  const json = banditToJson(state);
  const old = { format: json.format, config: json.config, updates: json.updates, actions: json.actions.map(({ id, mean, cov, evidence, rewardSum }) => ({ id, mean, cov, evidence, rewardSum })) };
  await store.estimates.write({ estimates: [{ subjectId: 'population', model: BANDIT_MODEL, key: 'home', estimate: null, state: old, modelVersion: `bandit:home@${old.updates}`, seq: old.updates, updatedAt: 0 }] });
}

describe('placement bandits: a row an older process wrote back without ranges', () => {
  it('is merged into a range that records what is learned next, not held until it records as many outcomes as it lost', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    stores.push(store);
    const one = book(store);
    await one.load(['home']);
    learn(one, 'x', [2, 3, 4]);
    await one.save();
    await oldProcessLearns(store, 500);
    learn(one, 'y', [5, 9]); // learned meanwhile: the save merges with the old process's row
    await one.save();
    const a = one.stateFor('home', ['a'], config).actions[0];
    expect(a.evidence).toBe(505);
    expect(a.range).toEqual({ min: [2], max: [9], unrecorded: 503 });
    const st = one.stateFor('home', ['a'], config);
    // 2 or 5 recorded outcomes against 503 unrecorded: not held, where it learned (orders 15) nor beyond
    for (const orders of [15, 60]) expect(predictorAt(st, a, [orders]).beyond).toEqual([]);
    // a process started now reads the same
    const two = book(store);
    await two.load(['home']);
    expect(two.stateFor('home', ['a'], config).actions[0].range).toEqual({ min: [2], max: [9], unrecorded: 503 });
    // learning on: recorded, and held once the recorded outcomes are as many as the unrecorded ones
    learn(one, 'z', Array.from({ length: 500 }, (_, i) => i % 21));
    const b = one.stateFor('home', ['a'], config).actions[0];
    expect(b.range).toEqual({ min: [0], max: [20], unrecorded: 503 });
    expect(predictorAt(st, b, [60]).beyond).toEqual([]); // 1,005 outcomes, 502 recorded
    learn(one, 'w', [7]);
    const held = predictorAt(st, b, [60]);
    expect(held.beyond).toEqual([0]);
    expect(held.mean).toBe(linearPredictor(b, designFor(st, [20])).mean);
  });

  it('is adopted by a process that learned nothing since, as unknown', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    stores.push(store);
    const one = book(store);
    await one.load(['home']);
    learn(one, 'x', [2, 3, 4]);
    await one.save();
    await oldProcessLearns(store, 500);
    await one.save(); // not dirty: adopts the stored row
    const st = one.stateFor('home', ['a'], config);
    expect(st.actions[0].evidence).toBe(503);
    expect(st.actions[0].range).toEqual({ min: [], max: [], unrecorded: 503 });
    expect(predictorAt(st, st.actions[0], [60]).beyond).toEqual([]);
    learn(one, 'y', [6]);
    expect(st.actions[0].range).toEqual({ min: [6], max: [6], unrecorded: 503 });
  });
});
