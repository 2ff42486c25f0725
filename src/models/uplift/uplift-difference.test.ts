import { describe, expect, it } from 'vitest';
import type { DecisionRecord } from '../../decide/decision.js';
import { logit } from '../../learn/math/special.js';
import { compareUpliftOnLog, type UpliftComparison } from './uplift-comparator.js';
import type { LoggedDecision } from './uplift-log.js';
import { UpliftScorer, type UpliftState } from './uplift-model.js';

// Known almost exactly: a logit variance of 1e-8 is what some 10⁹ rows give, and the rows bound the
// interval from below (src/learn/uplift/t-learner.ts rateVarianceFloor), so they say as many.
const arm = (p: number) => ({ coef: [logit(p)], covariance: [1e-8], rows: 1e9, positives: Math.round(1e9 * p) });
/** An intercept-only model: the goal rate of none and of each action, known almost exactly. */
const model = (none: number, a: number, b: number): UpliftState => ({ features: [], none: { conversion: arm(none) }, actions: { a: { goal: 'conversion', model: arm(a) }, b: { goal: 'conversion', model: arm(b) } }, windowMs: 1 });
/** Picks a everywhere, or b everywhere. */
const alwaysA = (v: number) => new UpliftScorer(model(0.05, 0.3, 0.1), v);
const alwaysB = (v: number) => new UpliftScorer(model(0.05, 0.1, 0.3), v);

/** 100 decisions per arm (none, a, b) logged uniformly at random (propensity 1/3), with these conversions. */
function log(conversions: { none: number; a: number; b: number }): LoggedDecision[] {
  const rows: LoggedDecision[] = [];
  for (const armName of ['none', 'a', 'b'] as const) {
    for (let i = 0; i < 100; i++) {
      const record = { id: `${armName}${i}`, profileKey: `${armName}${i}`, facts: {}, scored: [{ action: 'a', score: 1, value: 10 }, { action: 'b', score: 1, value: 10 }] } as unknown as DecisionRecord;
      rows.push({ record, arm: armName, propensity: 1 / 3, followed: new Set(i < conversions[armName] ? ['conversion'] : []) });
    }
  }
  return rows;
}
const o = { level: 0.9, maxWidth: 0.05, noneScore: 0 };
type Diff = { value: number; ci: [number, number] };
const diff = (c: UpliftComparison) => (c.figures as unknown as { difference: { snips: Diff; dr: Diff } }).difference;

describe('the uplift promotion check compares like with like: the difference of the two versions with its interval', () => {
  it('gives candidate − live with its 95% bootstrap interval, paired on the same resamples', () => {
    // "Always b" against "always a" with b converting 30 of its 100 rows and a 10: SNIPS of a
    // deterministic target under a uniform logger is the mean reward of the rows the log did
    // what it would (Swaminathan & Joachims 2015), so the difference is 0.3 − 0.1 = 0.2. Those
    // row sets are disjoint, so its interval is near that of a difference of two independent
    // proportions: Wald 0.2 ± 1.96·√(0.3·0.7/100 + 0.1·0.9/100) = [0.0926, 0.3074] (Newcombe 1998,
    // Statistics in Medicine 17:873, method 1).
    const c = compareUpliftOnLog(log({ none: 5, a: 10, b: 30 }), alwaysB(2), alwaysA(1), o);
    const d = diff(c);
    expect(d.snips.value).toBeCloseTo(0.2, 10);
    expect(d.snips.ci[0]).toBeCloseTo(0.0926, 1);
    expect(d.snips.ci[1]).toBeCloseTo(0.3074, 1);
    expect(Math.abs(d.snips.ci[0] - 0.0926)).toBeLessThan(0.02);
    expect(Math.abs(d.snips.ci[1] - 0.3074)).toBeLessThan(0.02);
    expect(d.dr.ci[0]).toBeGreaterThan(0);
    expect(c.better).toBe(true);
    expect(c.summary).toContain('difference SNIPS 0.2 [');
  });

  it('does not promote a candidate whose estimate sits inside the live interval but whose difference may be 0 or below', () => {
    // b 28 of 100 against a 30 of 100: the candidate's SNIPS 0.28 is above the lower end of the
    // live version's interval (≈ 0.21), which the old rule (a point against a lower bound) took
    // as "not worse" and promoted. The difference −0.02 has an interval about ±0.125 wide (Wald,
    // as above): it cannot tell the two apart — inconclusive, not promoted.
    const c = compareUpliftOnLog(log({ none: 5, a: 30, b: 28 }), alwaysB(2), alwaysA(1), o);
    expect(c.figures.candidate.snips!.value).toBeGreaterThan(c.figures.live.snips!.ci[0]);
    expect(c.better).toBe(false);
    const d = diff(c);
    expect(d.snips.value).toBeCloseTo(-0.02, 10);
    expect(d.snips.ci[0]).toBeLessThan(0);
    expect(d.snips.ci[1]).toBeGreaterThan(0);
    expect(c.better).toBe(false);
    expect(c.inconclusive).toBe(true);
    // … and a candidate slightly ahead (0.32 against 0.30) is not promoted either: its interval holds 0.
    const ahead = compareUpliftOnLog(log({ none: 5, a: 30, b: 32 }), alwaysB(2), alwaysA(1), o);
    expect(ahead.better).toBe(false);
    expect(diff(ahead).snips.ci[0]).toBeLessThan(0);
    expect(ahead.inconclusive).toBe(true);
  });

  it('reads two versions that would make the same choices as a tie: no difference, not promoted', () => {
    const c = compareUpliftOnLog(log({ none: 5, a: 30, b: 10 }), alwaysA(2), alwaysA(1), o);
    expect(c.better).toBe(false);
    expect(diff(c).snips).toEqual({ value: 0, ci: [0, 0] });
    expect(c.inconclusive).toBeUndefined();
    expect(c.summary).toMatch(/no difference between uplift@2 and uplift@1$/);
  });

  it('refuses a candidate whose difference interval lies below 0', () => {
    const c = compareUpliftOnLog(log({ none: 5, a: 30, b: 10 }), alwaysB(2), alwaysA(1), o);
    expect(diff(c).snips.ci[1]).toBeLessThan(0);
    expect(c.better).toBe(false);
    expect(c.inconclusive).toBeUndefined();
    expect(c.summary).toMatch(/the candidate is worse$/);
  });
});
