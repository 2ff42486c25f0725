import { describe, expect, it } from 'vitest';
import { Rng } from '../math/prng.js';
import { sigmoid } from '../math/special.js';
import { actionEstimate } from './action-estimate.js';
import { copyRange, emptyRange, rangeHolds, unionRange, unknownRange } from './feature-range.js';
import { linearPredictor } from './logistic-posterior.js';
import { banditFromJson, banditToJson } from './serialize.js';
import { type BanditState, actionProbabilities, chooseAction, createBandit, defaultBanditConfig, designFor, predictorAt, updateBandit } from './thompson.js';

/** 3,000 outcomes per action at orders 0–10 (truth: σ(−2 + 0.2·orders) for a, σ(−1) for b). */
function learned(): BanditState {
  const state = createBandit(['a', 'b'], { ...defaultBanditConfig(1), standardize: true });
  const rng = new Rng(5);
  for (let t = 0; t < 6000; t++) {
    const orders = rng.int(11);
    const id = t % 2 ? 'b' : 'a';
    const p = id === 'a' ? sigmoid(-2 + 0.2 * orders) : sigmoid(-1);
    updateBandit(state, id, [orders], rng.float() < p ? 1 : 0);
  }
  return state;
}

const opts = { establishedWhen: { maxWidth: 0.5 } };

describe('predictions beyond the contexts learned from', () => {
  const state = learned();
  const a = state.actions[0];

  it('tracks the range of contexts each action learned from', () => {
    expect(a.range).toEqual({ min: [0], max: [10] });
  });

  it('does not extrapolate the mean to a confident extreme: at 100 orders it is the mean at 10, with the wider variance of 100', () => {
    const raw = linearPredictor(a, designFor(state, [100]));
    // unheld, the slope (≈ 0.2 per order, well known after 3,000 outcomes) carries the model to σ(≈ 18): a sure click
    expect(sigmoid(raw.mean - 1.645 * Math.sqrt(raw.variance))).toBeGreaterThan(0.99);
    const edge = linearPredictor(a, designFor(state, [10]));
    const held = predictorAt(state, a, [100]);
    expect(held.beyond).toEqual([0]);
    expect(held.mean).toBe(edge.mean);
    expect(held.variance).toBe(Math.max(raw.variance, edge.variance));
    expect(held.variance).toBeGreaterThan(edge.variance);
    const e = actionEstimate(state, 'a', [100], opts);
    expect(e.value).toBeLessThan(0.7); // the truth at the edge is σ(0) = 0.5
    expect(e.status).toBe('learning');
    expect(e.reason).toBe('extrapolated');
    expect(e.high - e.low).toBeGreaterThan(actionEstimate(state, 'a', [10], opts).high - actionEstimate(state, 'a', [10], opts).low);
    // below the range too
    expect(predictorAt(state, a, [-50]).mean).toBe(linearPredictor(a, designFor(state, [0])).mean);
  });

  it('inside the range changes nothing and says nothing', () => {
    for (const orders of [0, 3.5, 10]) {
      const lp = linearPredictor(a, designFor(state, [orders]));
      expect(predictorAt(state, a, [orders])).toEqual({ ...lp, beyond: [] });
      expect(actionEstimate(state, 'a', [orders], opts).reason).toBeUndefined();
    }
  });

  it('chooses with the held predictors, and logs their exact propensities', () => {
    const probs = actionProbabilities(state, [100]);
    const rng = new Rng(1);
    for (let i = 0; i < 200; i++) {
      const c = chooseAction(state, [100], rng);
      expect(c.propensity).toBeCloseTo(probs[c.action], 12);
    }
    // a is no longer the sure winner: at its edge it is worth about σ(0) against b's σ(−1), with b's uncertainty
    expect(probs.a).toBeLessThan(0.999);
    expect(probs.a).toBeGreaterThan(0.5);
  });

  it('widens the range with every context learned from, keeps it in the stored row, and holds an action that learned before ranges were kept only once it has recorded as many outcomes', () => {
    const s = learned();
    updateBandit(s, 'a', [100], 1);
    expect(s.actions[0].range).toEqual({ min: [0], max: [100] });
    expect(predictorAt(s, s.actions[0], [100]).beyond).toEqual([]);
    const json = JSON.parse(JSON.stringify(banditToJson(s)));
    const back = banditFromJson(json);
    expect(back.actions[0].range).toEqual({ min: [0], max: [100] });
    delete json.actions[1].range; // as in a row written before 2026-12-04
    const legacy = banditFromJson(json);
    const b = legacy.actions[1];
    expect(b.range).toEqual({ min: [], max: [], unrecorded: 3000 });
    json.actions[1].range = { min: [], max: [] }; // an empty range with evidence says no more
    expect(banditFromJson(json).actions[1].range).toEqual({ min: [], max: [], unrecorded: 3000 });
    expect(predictorAt(legacy, b, [1000]).beyond).toEqual([]);
    updateBandit(legacy, 'b', [3], 0);
    // recorded from now on, but a range of one context would hold what it learned from before
    expect(b.range).toEqual({ min: [3], max: [3], unrecorded: 3000 });
    expect(predictorAt(legacy, b, [1000]).beyond).toEqual([]);
    expect(predictorAt(legacy, b, [5]).beyond).toEqual([]);
    for (let i = 0; i < 2999; i++) updateBandit(legacy, 'b', [i % 11], 0);
    expect(b.evidence).toBe(6000);
    expect(predictorAt(legacy, b, [1000]).beyond).toEqual([0]);
  });

  it('holds to a range only once it records at least as many outcomes as were learned without one', () => {
    const r = { min: [0], max: [10], unrecorded: 500 };
    expect(rangeHolds(r, 999)).toBe(false); // 499 recorded
    expect(rangeHolds(r, 1000)).toBe(true);
    expect(rangeHolds({ min: [0], max: [10] }, 1)).toBe(true); // kept from the first outcome
    expect(rangeHolds(emptyRange(), 5)).toBe(false);
    expect(rangeHolds(undefined, 5)).toBe(false);
    expect(unknownRange(0)).toEqual(emptyRange());
    // a merge keeps the union of what both recorded and the most either did not
    expect(unionRange({ range: { min: [2], max: [4], unrecorded: 500 }, evidence: 600 }, { range: { min: [0], max: [3] }, evidence: 40 })).toEqual({ min: [0], max: [4], unrecorded: 500 });
    expect(copyRange(r)).toEqual(r);
    // a side with evidence but no context recorded learned all of it unrecorded
    expect(unionRange({ range: emptyRange(), evidence: 300 }, { range: { min: [0], max: [3] }, evidence: 40 })).toEqual({ min: [0], max: [3], unrecorded: 300 });
  });
});
