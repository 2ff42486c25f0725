import { describe, expect, it } from 'vitest';
import { banditEstimate } from './action-estimate.js';
import { createPosterior } from './logistic-posterior.js';
import type { BanditAction } from './thompson.js';

const RAMP = 50;
/** The evidence an action with `own` outcomes shows, its prior pooled from `pooled` outcomes. */
function shown(own: number, pooled: number): number {
  const a: BanditAction = { id: 'a', ...createPosterior([0, 0], [1, 1]), priorEvidence: pooled };
  a.evidence = own;
  return banditEstimate(a, { mean: -2, variance: 0.1 }, { z: 1.645, level: 0.9, rampEvidence: RAMP, establishedWhen: { maxWidth: 0.1 }, modelVersion: 'bandit@1' }).evidence;
}

describe('the evidence of a ramping action', () => {
  it('is what its pooled prior rests on at the start, and its own count from rampEvidence on', () => {
    expect(shown(0, 5000)).toBe(5000);
    expect(shown(RAMP, 5000)).toBe(RAMP);
    expect(shown(RAMP + 7, 5000)).toBe(RAMP + 7);
    // the configured prior rests on nothing: its own count throughout
    for (const n of [0, 1, 49, 50, 51]) expect(shown(n, 0)).toBe(n);
  });

  it('moves from the one to the other without a jump at rampEvidence: the step into the boundary is the step before it', () => {
    for (const pooled of [5000, 51, 20]) {
      const steps = [];
      for (let n = 0; n < RAMP + 3; n++) steps.push(shown(n + 1, pooled) - shown(n, pooled));
      const before = steps.slice(0, RAMP - 1);
      const into = steps[RAMP - 1]; // from rampEvidence − 1 to rampEvidence
      // every step while ramping is (1 − pooled/RAMP) up to rounding to whole outcomes, and so is the one into the boundary
      for (const s of [...before, into]) expect(Math.abs(s - (1 - pooled / RAMP))).toBeLessThanOrEqual(1);
      expect(steps.slice(RAMP)).toEqual([1, 1, 1]); // own outcomes after it
    }
  });
});
