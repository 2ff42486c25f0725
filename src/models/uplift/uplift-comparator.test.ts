import { describe, expect, it } from 'vitest';
import type { DecisionRecord } from '../../decide/decision.js';
import { logit } from '../../learn/math/special.js';
import { compareUpliftOnLog } from './uplift-comparator.js';
import type { LoggedDecision } from './uplift-log.js';
import { UpliftScorer, type UpliftState } from './uplift-model.js';

// Known almost exactly: a logit variance of 1e-8 is what some 10⁹ rows give, and the rows bound the
// interval from below (src/learn/uplift/t-learner.ts rateVarianceFloor), so they say as many.
const arm = (p: number) => ({ coef: [logit(p)], covariance: [1e-8], rows: 1e9, positives: Math.round(1e9 * p) });
/** An intercept-only model: the goal rate of none and of each action, known almost exactly. */
const model = (none: number, a: number, b: number): UpliftState => ({ features: [], none: { conversion: arm(none) }, actions: { a: { goal: 'conversion', model: arm(a) }, b: { goal: 'conversion', model: arm(b) } }, windowMs: 1 });

/** 100 decisions per arm (none, a, b) logged uniformly at random; a converted 30 times, b 10, none 5. */
function log(propensity: number): LoggedDecision[] {
  const rows: LoggedDecision[] = [];
  for (const [armName, conversions] of [['none', 5], ['a', 30], ['b', 10]] as const) {
    for (let i = 0; i < 100; i++) {
      const record = { id: `${armName}${i}`, facts: {}, scored: [{ action: 'a', score: 1, value: 10 }, { action: 'b', score: 1, value: 10 }] } as unknown as DecisionRecord;
      rows.push({ record, arm: armName, propensity, followed: new Set(i < conversions ? ['conversion'] : []) });
    }
  }
  return rows;
}
const o = { level: 0.9, maxWidth: 0.05, noneScore: 0 };

describe('off-policy comparison of uplift versions before promotion', () => {
  // With a uniform logger (propensity 1/3) and a deterministic target, SNIPS is exactly the mean
  // reward of the logged rows where the logger did what the target would (Swaminathan & Joachims
  // 2015, self-normalised estimator): 30/100 for "always a", 10/100 for "always b".
  it('promotes a candidate that would have earned more, with both versions’ figures', () => {
    const c = compareUpliftOnLog(log(1 / 3), new UpliftScorer(model(0.05, 0.3, 0.1), 2), new UpliftScorer(model(0.05, 0.05, 0.4), 1), o);
    expect(c.better).toBe(true);
    expect(c.figures.candidate.snips?.value).toBeCloseTo(0.3, 10);
    expect(c.figures.live.snips?.value).toBeCloseTo(0.1, 10);
    expect(c.figures.candidate.dr).not.toBeNull();
    expect(c.summary).toContain('uplift@2 would have earned SNIPS 0.3');
  });

  it('refuses a candidate that would have earned less, and says so with the figures', () => {
    const c = compareUpliftOnLog(log(1 / 3), new UpliftScorer(model(0.05, 0.05, 0.4), 3), new UpliftScorer(model(0.05, 0.3, 0.1), 2), o);
    expect(c.better).toBe(false);
    expect(c.summary).toMatch(/the candidate is worse$/);
    expect(c.figures.candidate.snips?.value).toBeCloseTo(0.1, 10);
    expect(c.figures.live.snips?.ci[0]).toBeGreaterThan(0.1);
  });

  it('replays a version\'s pick of an action awaiting review as its stand-in, here nothing (no safe default)', () => {
    // b is pending review in every decision and the placement has no safe default: a pick of b
    // shows nothing, so "always b" earns what "none" earned, 5/100 (SNIPS of a deterministic
    // target: the mean reward of the rows where the log showed what it would, Swaminathan &
    // Joachims 2015). The log holds no row of b: it was never shown.
    const rows = log(1 / 2)
      .filter((r) => r.arm !== 'b')
      .map((r) => ({ ...r, standIn: 'none', record: { ...r.record, scored: r.record.scored.map((t) => (t.action === 'b' ? { ...t, review: 'pending' as const } : t)) } }));
    const c = compareUpliftOnLog(rows, new UpliftScorer(model(0.05, 0.05, 0.4), 2), new UpliftScorer(model(0.05, 0.3, 0.1), 1), o);
    expect(c.figures.candidate.snips?.value).toBeCloseTo(0.05, 10);
    expect(c.figures.live.snips?.value).toBeCloseTo(0.3, 10);
    expect(c.better).toBe(false);
  });

  it('refuses when the log never explored: it cannot say what another choice would have earned', () => {
    const c = compareUpliftOnLog(log(1), new UpliftScorer(model(0.05, 0.3, 0.1), 2), new UpliftScorer(model(0.05, 0.05, 0.4), 1), o);
    expect(c.better).toBe(false);
    expect(c.summary).toContain('cannot compare them');
    expect(c.figures.candidate.snips).toBeNull();
  });

  it('refuses, naming them, when logged decisions have no usable propensity (missing or zero)', () => {
    for (const bad of [0, undefined, Number.NaN]) {
      const rows = log(1 / 3);
      rows[7] = { ...rows[7], propensity: bad as number };
      rows[150] = { ...rows[150], propensity: bad as number };
      const c = compareUpliftOnLog(rows, new UpliftScorer(model(0.05, 0.3, 0.1), 2), new UpliftScorer(model(0.05, 0.05, 0.4), 1), o);
      expect(c.better).toBe(false);
      expect(c.summary).toContain('2 of 300 logged decisions have no usable propensity');
      expect(c.figures.candidate.snips).toBeNull();
    }
  });
});
