import { describe, expect, it } from 'vitest';
import { Rng } from '../math/prng.js';
import { sigmoid } from '../math/special.js';
import { actionEstimate } from './action-estimate.js';
import { type LogisticPosterior, createPosterior, linearPredictor } from './logistic-posterior.js';
import { identityScaling } from './scaling.js';
import { type BanditJson, banditFromJson, banditToJson } from './serialize.js';
import { type BanditConfig, type BanditState, createBandit, defaultBanditConfig, designFor, predictorAt, updateBandit, withIntercept } from './thompson.js';

// ---- The reader and writer of a process older than 2026-12-04 (src/learn/bandit/serialize.ts at
// commit 61af39a, verbatim but for the names): what such a process does with a row during a rolling deploy.
interface OldJson {
  format: 'tact-bandit@1';
  config: BanditConfig;
  updates: number;
  actions: { id: string; mean: number[]; cov: number[]; evidence: number; rewardSum: number }[];
}
interface OldState { config: BanditConfig; updates: number; actions: (LogisticPosterior & { id: string })[] }
function oldToJson(state: OldState): OldJson {
  return {
    format: 'tact-bandit@1',
    config: { ...state.config },
    updates: state.updates,
    actions: state.actions.map((a) => ({ id: a.id, mean: [...a.mean], cov: [...a.cov], evidence: a.evidence, rewardSum: a.rewardSum })),
  };
}
function oldFromJson(json: OldJson): OldState {
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
// ----

/** A standardising bandit after 700 outcomes at (orders, spend, mobile) contexts. */
function learned(): BanditState {
  const state = createBandit(['a', 'b', 'c'], { ...defaultBanditConfig(3), standardize: true, rampEvidence: 20 });
  const rng = new Rng(4);
  for (let t = 0; t < 700; t++) {
    const x = [10 + rng.int(60), 200 + 1500 * rng.float(), rng.int(2)];
    updateBandit(state, state.actions[t % 3].id, x, rng.float() < sigmoid(-2 + 0.03 * (x[0] - 40) + 0.001 * (x[1] - 900) + 0.4 * x[2]) ? 1 : 0, 1_000 + t);
  }
  return state;
}

const CONTEXTS = [[40, 900, 1], [12, 250, 0], [65, 1600, 1]];
const through = <T>(v: T): T => JSON.parse(JSON.stringify(v));

describe('stored bandits across versions (rolling deploy)', () => {
  it('an older process reads what this one writes, and predicts what this one does', () => {
    const state = learned();
    const old = oldFromJson(through(banditToJson(state)) as unknown as OldJson);
    for (const ctx of CONTEXTS) {
      state.actions.forEach((a, j) => {
        const mine = linearPredictor(a, designFor(state, ctx));
        const theirs = linearPredictor(old.actions[j], withIntercept(ctx)); // raw features, as the old process reads them
        expect(theirs.mean).toBeCloseTo(mine.mean, 9);
        expect(theirs.variance / mine.variance).toBeCloseTo(1, 9);
      });
    }
    expect(old.actions.map((a) => [a.id, a.evidence, a.rewardSum])).toEqual(state.actions.map((a) => [a.id, a.evidence, a.rewardSum]));
  });

  it('this process reads what it writes exactly: coefficients, scaling, dates and ranges', () => {
    const state = learned();
    const back = banditFromJson(through(banditToJson(state)));
    expect(back.scaling).toEqual(state.scaling);
    back.actions.forEach((a, j) => {
      const s = state.actions[j];
      expect([...a.mean]).toEqual([...s.mean]);
      expect([...a.cov]).toEqual([...s.cov]);
      expect([a.priorEvidence, a.updatedAt, a.range]).toEqual([s.priorEvidence, s.updatedAt, s.range]);
    });
  });

  it('this process reads what an older one writes, also after the older one rewrote a row of this one', () => {
    // written by an older process from scratch: raw coefficients, no scaling
    const oldState: OldState = { config: defaultBanditConfig(1), updates: 3, actions: [{ id: 'a', ...createPosterior([0.5, 0.1], [1, 1]) }] };
    const legacy = banditFromJson(through(oldToJson(oldState)) as never);
    expect(legacy.scaling).toBeUndefined();
    expect(linearPredictor(legacy.actions[0], designFor(legacy, [40])).mean).toBeCloseTo(0.5 + 0.1 * 40, 12);
    // this process's row, read and written back by an older one (which drops what it does not know)
    const state = learned();
    const rewritten = through(oldToJson(oldFromJson(through(banditToJson(state)) as unknown as OldJson)));
    const back = banditFromJson(rewritten as never);
    expect(back.scaling).toEqual(identityScaling(3)); // raw again: the identity scaling, from which a refit re-expresses it exactly
    for (const ctx of CONTEXTS) {
      state.actions.forEach((a, j) => {
        const mine = linearPredictor(a, designFor(state, ctx));
        const read = linearPredictor(back.actions[j], designFor(back, ctx));
        expect(read.mean).toBeCloseTo(mine.mean, 9);
        expect(read.variance / mine.variance).toBeCloseTo(1, 9);
      });
    }
  });

  it('still reads tact-bandit@2 rows (written on 2026-12-04: scaling at the top, its moments as sums)', () => {
    const state = learned();
    const s = state.scaling!;
    const sum = s.mean.map((m) => m * s.count);
    const sumSq = s.mean.map((m, i) => s.m2[i] + m * m * s.count);
    const row = {
      format: 'tact-bandit@2', config: state.config, updates: state.updates,
      scaling: { center: s.center, scale: s.scale, count: s.count, sum, sumSq, binary: s.binary, fittedAt: s.fittedAt },
      actions: state.actions.map((a) => ({ id: a.id, mean: [...a.mean], cov: [...a.cov], evidence: a.evidence, rewardSum: a.rewardSum, priorEvidence: a.priorEvidence, updatedAt: a.updatedAt })),
    };
    const back = banditFromJson(through(row) as never);
    expect(back.scaling!.center).toEqual(s.center);
    back.scaling!.mean.forEach((m, i) => expect(m).toBeCloseTo(s.mean[i], 9));
    back.scaling!.m2.forEach((m, i) => expect(m / s.m2[i]).toBeCloseTo(1, 6));
    expect([...back.actions[0].mean]).toEqual([...state.actions[0].mean]);
  });
});

// ---- An action that learned where no range was recorded: a row an older process wrote back.

/** A standardising bandit whose actions learned 500 outcomes each at (orders 10–69, spend 200–1700, mobile). */
function trained(): BanditState {
  const state = createBandit(['a', 'b', 'c'], { ...defaultBanditConfig(3), standardize: true, rampEvidence: 20 });
  const rng = new Rng(9);
  for (let t = 0; t < 1500; t++) {
    const x = [10 + rng.int(60), 200 + 1500 * rng.float(), rng.int(2)];
    updateBandit(state, state.actions[t % 3].id, x, rng.float() < sigmoid(-2 + 0.03 * (x[0] - 40) + 0.001 * (x[1] - 900) + 0.4 * x[2]) ? 1 : 0, 1_000 + t);
  }
  return state;
}
/** The row as an older process writes it back after reading this one's: no `range`, no `standardized`. */
const rewrittenByOld = (state: BanditState) => through(oldToJson(oldFromJson(through(banditToJson(state)) as unknown as OldJson))) as unknown as BanditJson;

describe('an action whose range an older process dropped (rolling deploy)', () => {
  it('is not held where it learned, and records the contexts it learns from next', () => {
    const state = trained();
    const row = rewrittenByOld(state);
    expect(row.actions[0]).not.toHaveProperty('range');
    expect(row.actions[0].evidence).toBe(500);
    const back = banditFromJson(row);
    const a = back.actions[0];
    const typical = [40, 900, 1];
    const lp = linearPredictor(a, designFor(back, typical));
    expect(predictorAt(back, a, typical)).toEqual({ ...lp, beyond: [] });
    expect(actionEstimate(back, 'a', typical, { establishedWhen: { maxWidth: 0.5 } }).reason).toBeUndefined();
    // the next outcomes are recorded: the range covers what it sees from now on
    const seen = [[30, 700, 0], [55, 1200, 1], [12, 400, 1]];
    for (const x of seen) updateBandit(back, 'a', x, 0, 5_000);
    expect(back.actions[0].range).toBeDefined();
    expect(back.actions[0].range!.min).toEqual([12, 400, 0]);
    expect(back.actions[0].range!.max).toEqual([55, 1200, 1]);
    // three recorded outcomes against 500 unrecorded: still not held (at a context it learned from, nor beyond)
    expect(predictorAt(back, back.actions[0], typical).beyond).toEqual([]);
    expect(predictorAt(back, back.actions[0], [400, 90_000, 1]).beyond).toEqual([]);
    // and the row keeps it, with what it does not cover
    const again = banditFromJson(through(banditToJson(back)));
    expect(again.actions[0].range).toEqual(back.actions[0].range);
  });

  it('is held again once it has recorded as many outcomes as it learned without a range, to the range of those', () => {
    const back = banditFromJson(rewrittenByOld(trained()));
    const rng = new Rng(3);
    let lo = Infinity;
    let hi = -Infinity;
    for (let n = 0; n < 500; n++) {
      expect(predictorAt(back, back.actions[0], [400, 900, 1]).beyond).toEqual([]); // 500 − n unrecorded still outnumber the n recorded
      const x = [10 + rng.int(60), 200 + 1500 * rng.float(), rng.int(2)];
      lo = Math.min(lo, x[0]);
      hi = Math.max(hi, x[0]);
      updateBandit(back, 'a', x, rng.float() < 0.2 ? 1 : 0);
    }
    const a = back.actions[0];
    expect(a.range!.min[0]).toBe(lo);
    expect(a.range!.max[0]).toBe(hi);
    const held = predictorAt(back, a, [400, 900, 1]);
    expect(held.beyond).toEqual([0]);
    expect(held.mean).toBe(linearPredictor(a, designFor(back, [hi, 900, 1])).mean);
    expect(predictorAt(back, a, [40, 900, 1]).beyond).toEqual([]);
    // the actions that learned nothing since are still not held
    expect(predictorAt(back, back.actions[1], [400, 900, 1]).beyond).toEqual([]);
  });

  it('predicts what the row it came from did without the standardised block, and learns on in standardised units', () => {
    const state = trained();
    const back = banditFromJson(rewrittenByOld(state));
    // raw coefficients: the identity scaling of a bandit that standardises, refitted from the next context on
    expect(back.scaling).toEqual(identityScaling(3));
    for (const ctx of CONTEXTS) {
      state.actions.forEach((s, j) => {
        const mine = linearPredictor(s, designFor(state, ctx));
        const read = linearPredictor(back.actions[j], designFor(back, ctx));
        expect(read.mean).toBeCloseTo(mine.mean, 9);
        expect(read.variance / mine.variance).toBeCloseTo(1, 9);
      });
    }
    // the same 600 outcomes on it and on the full row read back (refit windows live in memory
    // only, so both start theirs from the posterior as read): the Laplace steps and refits do not
    // depend on the units, so the twins keep predicting alike; the one without its block rescaled
    // to the contexts it saw
    const twin = banditFromJson(through(banditToJson(state)));
    const rng = new Rng(21);
    for (let t = 0; t < 600; t++) {
      const x = [10 + rng.int(60), 200 + 1500 * rng.float(), rng.int(2)];
      const y = rng.float() < 0.3 ? 1 : 0;
      updateBandit(twin, twin.actions[t % 3].id, x, y);
      updateBandit(back, back.actions[t % 3].id, x, y);
    }
    expect(back.scaling!.count).toBe(600);
    expect(back.scaling!.center[1]).toBeGreaterThan(200);
    expect(back.scaling!.scale[1]).toBeGreaterThan(100);
    for (const ctx of CONTEXTS) {
      twin.actions.forEach((s, j) => {
        const mine = linearPredictor(s, designFor(twin, ctx));
        const read = linearPredictor(back.actions[j], designFor(back, ctx));
        expect(read.mean).toBeCloseTo(mine.mean, 6);
        expect(read.variance / mine.variance).toBeCloseTo(1, 6);
      });
    }
  });
});
