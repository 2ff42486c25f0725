import { describe, expect, it } from 'vitest';
import { Rng } from '../math/prng.js';
import { sigmoid } from '../math/special.js';
import { actionEstimate } from './action-estimate.js';
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

  it('widens the range with every context learned from, keeps it in the stored row, and holds no action that learned before ranges were kept', () => {
    const s = learned();
    updateBandit(s, 'a', [100], 1);
    expect(s.actions[0].range).toEqual({ min: [0], max: [100] });
    expect(predictorAt(s, s.actions[0], [100]).beyond).toEqual([]);
    const back = banditFromJson(JSON.parse(JSON.stringify(banditToJson(s))));
    expect(back.actions[0].range).toEqual({ min: [0], max: [100] });
    delete back.actions[1].range; // as loaded from a row written before 2026-12-04
    expect(predictorAt(back, back.actions[1], [1000]).beyond).toEqual([]);
    updateBandit(back, 'b', [3], 0);
    expect(back.actions[1].range).toBeUndefined(); // a range started now would not hold what it learned before
  });
});
