import { describe, expect, it } from 'vitest';
import { Rng } from '../math/prng.js';
import { sigmoid } from '../math/special.js';
import { type LogisticPosterior, createPosterior, linearPredictor } from './logistic-posterior.js';
import { banditFromJson, banditToJson } from './serialize.js';
import { type BanditConfig, type BanditState, createBandit, defaultBanditConfig, designFor, updateBandit, withIntercept } from './thompson.js';

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
    expect(back.scaling).toBeUndefined(); // raw again: the identity scaling, from which a refit re-expresses it exactly
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
