import { describe, expect, it } from 'vitest';
import { Rng } from '../math/prng.js';
import { sigmoid } from '../math/special.js';
import { linearPredictor } from './logistic-posterior.js';
import { fitScaling, identityScaling, observeContext, rescalePosterior, rescaleRelinearization } from './scaling.js';
import { banditFromJson, banditToJson } from './serialize.js';
import { type BanditState, actionProbabilities, createBandit, defaultBanditConfig, designFor, predictorAt, updateBandit } from './thompson.js';

/** Contexts (orders, spend, mobile) in the given unit of spend, with outcomes from a fixed logistic truth. */
function learned(unit: number, n: number, seed = 1): BanditState {
  const state = createBandit(['a', 'b', 'c', 'd'], { ...defaultBanditConfig(3), standardize: true, rampEvidence: 20 });
  const rng = new Rng(seed);
  for (let t = 0; t < n; t++) {
    const x = [10 + rng.int(60), 200 + 1500 * rng.float(), rng.int(2)];
    const id = state.actions[t % 3].id; // d never learns
    updateBandit(state, id, [x[0], x[1] * unit, x[2]], rng.float() < sigmoid(-2 + 0.03 * (x[0] - 40) + 0.001 * (x[1] - 900) + 0.4 * x[2]) ? 1 : 0);
  }
  return state;
}

describe('feature scaling (Gelman, Jakulin, Pittau & Su 2008, §2.1)', () => {
  it('centres every feature; divides a numeric one by two standard deviations, keeps a 0/1 one in its unit', () => {
    const s = identityScaling(2);
    for (const x of [[10, 0], [20, 1], [30, 1], [40, 0]]) observeContext(s, x);
    const p = fitScaling(s);
    expect(p.center).toEqual([25, 0.5]);
    expect(p.scale[0]).toBeCloseTo(2 * Math.sqrt(125), 12); // population sd of 10, 20, 30, 40 = √125
    expect(p.scale[1]).toBe(1);
  });

  it('makes the bandit\'s beliefs and choices the same whatever the features\' units (spend in euros or in cents)', () => {
    const euros = learned(1, 600);
    const cents = learned(100, 600);
    for (const ctx of [[40, 900, 1], [70, 3000, 0], [5, 10, 0]]) {
      const inCents = [ctx[0], ctx[1] * 100, ctx[2]];
      euros.actions.forEach((a, j) => {
        const e = linearPredictor(a, designFor(euros, ctx));
        const c = linearPredictor(cents.actions[j], designFor(cents, inCents));
        expect(c.mean).toBeCloseTo(e.mean, 8);
        expect(c.variance).toBeCloseTo(e.variance, 8);
      });
      const pe = actionProbabilities(euros, ctx);
      const pc = actionProbabilities(cents, inCents);
      for (const id of ['a', 'b', 'c', 'd']) expect(pc[id]).toBeCloseTo(pe[id], 8);
    }
    // d has no outcome: its prior was pooled afresh, in the new units, from a, b and c at the scaling's
    // last refit (when the 512th context arrived: 511 outcomes absorbed)
    const d = euros.actions[3];
    expect(d.evidence).toBe(0);
    expect(d.priorEvidence).toBe(511);
  });

  it('re-expresses a posterior and its refit window exactly: the same predictions now and after more outcomes', () => {
    const a = learned(1, 450, 2);
    const b = structuredClone(a);
    // b's coefficients in other units (as a refit would put them): nothing it predicts may change
    const from = { center: [...b.scaling!.center], scale: [...b.scaling!.scale] };
    const to = { center: from.center.map((c) => c + 7), scale: from.scale.map((s) => s * 3.5) };
    for (const act of b.actions) {
      Object.assign(act, rescalePosterior(act, from, to));
      if (act.relin) rescaleRelinearization(act.relin, act.dimension, from, to);
    }
    Object.assign(b.scaling!, to);
    const check = () => {
      for (const ctx of [[40, 900, 1], [12, 250, 0], [65, 1600, 1]]) {
        a.actions.forEach((act, j) => {
          const pa = linearPredictor(act, designFor(a, ctx));
          const pb = linearPredictor(b.actions[j], designFor(b, ctx));
          expect(pb.mean).toBeCloseTo(pa.mean, 7);
          expect(pb.variance).toBeCloseTo(pa.variance, 7);
        });
      }
    };
    check();
    const rng = new Rng(9);
    for (let t = 0; t < 300; t++) { // crosses a refit of the scaling (at 512) and refits of the posteriors
      const x = [10 + rng.int(60), 200 + 1500 * rng.float(), rng.int(2)];
      const y = rng.float() < 0.2 ? 1 : 0;
      updateBandit(a, a.actions[t % 3].id, x, y);
      updateBandit(b, b.actions[t % 3].id, x, y);
    }
    check();
  });

  it('stores the scaling with the bandit (tact-bandit@1 with its `standardized` block, exact round trip) and still reads tact-bandit@1 as raw features', () => {
    const state = learned(1, 100);
    const json = JSON.parse(JSON.stringify(banditToJson(state)));
    expect(json.format).toBe('tact-bandit@1'); // what every version reads (serialize-compat.test.ts)
    const back = banditFromJson(json);
    expect(back.scaling).toEqual(state.scaling);
    expect(back.actions.map((a) => [a.priorEvidence, a.updatedAt])).toEqual(state.actions.map((a) => [a.priorEvidence, a.updatedAt]));
    const ctx = [40, 900, 1];
    state.actions.forEach((a, j) => expect(linearPredictor(back.actions[j], designFor(back, ctx))).toEqual(linearPredictor(a, designFor(state, ctx))));
    const old = { format: 'tact-bandit@1', config: defaultBanditConfig(1), updates: 3, actions: [{ id: 'a', mean: [0.5, 0.1], cov: [1, 0, 0, 1], evidence: 3, rewardSum: 1 }] };
    const legacy = banditFromJson(old as never);
    expect(legacy.scaling).toBeUndefined();
    expect(linearPredictor(legacy.actions[0], designFor(legacy, [40])).mean).toBeCloseTo(0.5 + 0.1 * 40, 12);
  });

  it('reads a fresh bandit\'s prior the same at every context and in any unit from its first decision, not only after its first outcome', () => {
    const fresh = () => createBandit(['a', 'b'], { ...defaultBanditConfig(2), standardize: true });
    const euros = fresh();
    const cents = fresh();
    for (const spend of [0, 10, 1000, 100_000]) {
      for (const [state, unit] of [[euros, 1], [cents, 100]] as const) {
        const lp = predictorAt(state, state.actions[0], [spend * unit, 1]);
        // N(0, 1) at every context: the 90% interval σ(±1.645) = [0.16, 0.84] (until 2026-12-05, sd ≈ spend: [0, 1] from a spend of 10)
        expect(lp.mean).toBe(0);
        expect(lp.variance).toBe(1);
      }
      const pe = actionProbabilities(euros, [spend, 1]);
      const pc = actionProbabilities(cents, [spend * 100, 1]);
      expect(pc).toEqual(pe);
    }
    // Its first outcome fits the scaling on that context and learns there, as before.
    updateBandit(euros, 'a', [1000, 1], 1);
    expect(euros.scaling?.fittedAt).toBe(1);
    expect(designFor(euros, [1000, 1])).toEqual(Float64Array.from([1, 0, 0]));
    // A bandit stored over raw features (identity scaling, actions with outcomes) still reads them.
    const raw = createBandit(['a'], { ...defaultBanditConfig(1), standardize: true });
    raw.actions[0].evidence = 3;
    expect(designFor(raw, [40])).toEqual(Float64Array.from([1, 40]));
  });
});
