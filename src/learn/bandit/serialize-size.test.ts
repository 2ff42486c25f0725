import { describe, expect, it } from 'vitest';
import { Rng } from '../math/prng.js';
import { sigmoid } from '../math/special.js';
import type { FeatureRange } from './feature-range.js';
import { linearPredictor } from './logistic-posterior.js';
import { type FeatureScaling, momentsFromSums } from './scaling.js';
import { type BanditJson, type ScalingJson, banditFromJson, banditToJson } from './serialize.js';
import { type BanditState, createBandit, defaultBanditConfig, designFor, predictorAt, updateBandit, withIntercept } from './thompson.js';

/** 50 actions over 10 features (d = 11: intercept + 4 flags + 6 amounts), 400 outcomes each. */
function placement(): BanditState {
  const state = createBandit(Array.from({ length: 50 }, (_, i) => `offer-${i}`), { ...defaultBanditConfig(10), standardize: true });
  const rng = new Rng(12);
  for (let t = 0; t < 20_000; t++) {
    const x = Array.from({ length: 10 }, (_, i) => (i < 4 ? rng.int(2) : Math.round(rng.float() * 100 * (i + 1) * 100) / 100));
    const j = t % 50;
    updateBandit(state, state.actions[j].id, x, rng.float() < sigmoid(-2 + 0.3 * x[0] - 0.2 * x[1] + 0.002 * x[5] + 0.01 * (j % 7)) ? 1 : 0, 1_700_000_000_000 + t);
  }
  return state;
}

const through = <T>(v: T): T => JSON.parse(JSON.stringify(v));
const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v));

/** The row as the writer of 2026-12-04 (commit c7ac045) wrote it: the standardised covariances full, d×d. */
function fullRow(state: BanditState): BanditJson {
  const row = banditToJson(state);
  return { ...row, standardized: { scaling: row.standardized!.scaling, actions: state.actions.map((a) => ({ id: a.id, mean: [...a.mean], cov: [...a.cov] })) } };
}

// ---- The reader of commit c7ac045 (src/learn/bandit/serialize.ts, verbatim but for the names): a
// process of that version reading, during a rolling deploy, what this one writes.
function prevFromJson(json: BanditJson): BanditState {
  if (json?.format !== 'tact-bandit@1' && json?.format !== 'tact-bandit@2') throw new Error('This is not a stored Tact bandit: its "format" field is missing or unknown.');
  const d = json.config.features + 1;
  const fits = (mean: number[], cov: number[]) => mean.length === d && cov.length === d * d;
  const std = json.format === 'tact-bandit@1' ? json.standardized : undefined;
  const stdActions = std && new Map(std.actions.map((a) => [a.id, a]));
  const useStd = !!std && json.actions.every((a) => {
    const s = stdActions!.get(a.id);
    return s !== undefined && fits(s.mean, s.cov);
  });
  const scalingJson = json.format === 'tact-bandit@2' ? json.scaling : useStd ? std!.scaling : undefined;
  const scaling = scalingJson && prevReadScaling(scalingJson);
  if (scaling && (scaling.center.length !== d - 1 || scaling.scale.length !== d - 1 || scaling.mean.length !== d - 1)) throw new Error(`The stored bandit's scaling does not match its ${json.config.features} features.`);
  return {
    config: { ...json.config },
    updates: json.updates,
    ...(scaling ? { scaling } : {}),
    actions: json.actions.map((a) => {
      const coef = useStd ? stdActions!.get(a.id)! : a;
      if (!fits(a.mean, a.cov) || !fits(coef.mean, coef.cov)) throw new Error(`The stored action "${a.id}" does not match the bandit's ${json.config.features} features.`);
      return {
        id: a.id, dimension: d, mean: Float64Array.from(coef.mean), cov: Float64Array.from(coef.cov), evidence: a.evidence, rewardSum: a.rewardSum,
        ...(a.priorEvidence !== undefined ? { priorEvidence: a.priorEvidence } : {}),
        ...(a.updatedAt !== undefined ? { updatedAt: a.updatedAt } : {}),
        ...(a.range && a.range.min.length === a.range.max.length && (a.range.min.length === 0 || a.range.min.length === d - 1) ? { range: prevCopyRange(a.range) } : {}),
      };
    }),
  };
}
const prevCopyRange = (r: FeatureRange): FeatureRange => ({ min: [...r.min], max: [...r.max] });
function prevReadScaling(s: ScalingJson): FeatureScaling {
  const moments = 'm2' in s ? { mean: [...s.mean], m2: [...s.m2] } : momentsFromSums(s.count, s.sum, s.sumSq);
  return { center: [...s.center], scale: [...s.scale], count: s.count, ...moments, binary: [...s.binary], fittedAt: s.fittedAt };
}
// ----

describe('the stored range of an action that learned without one, as the previous version reads it', () => {
  it('is none while it does not hold (so that version neither holds it nor starts a range of a few outcomes), and the range once it does', () => {
    const state = createBandit(['a'], { ...defaultBanditConfig(1), standardize: true });
    for (let i = 0; i < 40; i++) updateBandit(state, 'a', [i % 10], i % 3 ? 0 : 1);
    const json = through(banditToJson(state));
    delete json.actions[0].range; // written back by a process older than 2026-12-04
    const back = banditFromJson(json);
    for (const x of [3, 4]) updateBandit(back, 'a', [x], 0);
    const prev = prevFromJson(through(banditToJson(back)));
    expect(prev.actions[0].range).toBeUndefined();
    updateBandit(prev, 'a', [3], 0); // its learning starts no range for an action with evidence
    expect(predictorAt(prev, prev.actions[0], [50]).beyond).toEqual([]);
    // and this version reads the partial range back as it was
    expect(banditFromJson(through(banditToJson(back))).actions[0].range).toEqual(back.actions[0].range);
    // once it holds, the previous version holds it too
    for (let i = 0; i < 40; i++) updateBandit(back, 'a', [i % 8], 0);
    expect(predictorAt(back, back.actions[0], [50]).beyond).toEqual([0]);
    const later = prevFromJson(through(banditToJson(back)));
    expect(later.actions[0].range).toEqual({ min: [0], max: [7] });
    expect(predictorAt(later, later.actions[0], [50]).beyond).toEqual([0]);
  });
});

describe('the stored row of a bandit that standardises', () => {
  const state = placement();
  const d = 11;

  it('stores the standardised covariances as their upper triangle, and is smaller for it', () => {
    const row = banditToJson(state);
    for (const a of row.standardized!.actions) expect(a.cov).toHaveLength((d * (d + 1)) / 2);
    for (const a of row.actions) expect(a.cov).toHaveLength(d * d); // an older reader's, full
    const before = bytes(fullRow(state));
    const after = bytes(row);
    // docs/models.md §4 quotes them: 308,833 and 254,591 bytes at this seed
    // of the 2d² + 2d numbers an action carried, the d(d − 1)/2 below the diagonal (55 of 264 at d = 11) now take a digit or two each
    expect(after).toBeLessThan(before * (1 - (0.8 * (d * (d - 1)) / 2) / (2 * d * d + 2 * d)));
  });

  it('reads back exactly what it wrote, though the covariances held in memory are not exactly symmetric', () => {
    const asymmetric = state.actions.some((a) => a.cov.some((v, k) => v !== a.cov[(k % d) * d + Math.floor(k / d)]));
    expect(asymmetric).toBe(true); // the online steps round (S − k·v·vᵀ) differently on each side of the diagonal
    const back = banditFromJson(through(banditToJson(state)));
    expect(back.scaling).toEqual(state.scaling);
    back.actions.forEach((a, j) => {
      expect([...a.mean]).toEqual([...state.actions[j].mean]);
      expect([...a.cov]).toEqual([...state.actions[j].cov]);
    });
  });

  it('reads the rows written before, with the full standardised covariances, exactly', () => {
    const back = banditFromJson(through(fullRow(state)));
    expect(back.scaling).toEqual(state.scaling);
    back.actions.forEach((a, j) => expect([...a.cov]).toEqual([...state.actions[j].cov]));
  });

  it('is read by the previous version as the raw coefficients (no error; the same predictions up to rounding)', () => {
    const prev = prevFromJson(through(banditToJson(state)));
    expect(prev.scaling).toBeUndefined();
    const rng = new Rng(2);
    for (let k = 0; k < 5; k++) {
      const ctx = Array.from({ length: 10 }, (_, i) => (i < 4 ? rng.int(2) : rng.float() * 100 * (i + 1)));
      state.actions.forEach((a, j) => {
        const mine = linearPredictor(a, designFor(state, ctx));
        const theirs = linearPredictor(prev.actions[j], withIntercept(ctx));
        expect(theirs.mean).toBeCloseTo(mine.mean, 8);
        expect(theirs.variance / mine.variance).toBeCloseTo(1, 8);
      });
    }
  });
});
