import { describe, expect, it } from 'vitest';
import { mixture, propensityOf } from './exploration.js';
import { defaultBanditConfig } from './thompson.js';

describe('a propensity under a forced greedy share', () => {
  it("bounds its error including the greedy action's: computed loosely, it lies within its bound of the same computed tightly", () => {
    // Three actions: two uncertain, one certain (as "none" is: its own win probability is a closed
    // form, error ≈ 0). A budget of 0.1 forces a greedy share q > 0, computed from the greedy
    // action's win probability — whose error then moves every other action's propensity.
    const dist = { means: [0.5, 0.3, 0], sds: [1, 1, 0] };
    const config = { ...defaultBanditConfig(1), floorEpsilon: 0.02, maxExplorationShare: 0.1 };
    const loose = mixture(config, dist, 3, 1e-5);
    const tight = mixture(config, dist, 3, 1e-13);
    expect(loose.q).toBeGreaterThan(0);
    expect(loose.greedy).toBe(0);
    for (let a = 0; a < 3; a++) {
      const l = propensityOf(loose, dist, a, 3, false, undefined, 1e-5);
      const t = propensityOf(tight, dist, a, 3, false, undefined, 1e-13);
      expect(Math.abs(l.probability - t.probability), `action ${a}`).toBeLessThanOrEqual(l.errorBound + t.errorBound);
    }
    // The certain action's bound is now the greedy share's error, not its own integral's ≈ 0.
    expect(propensityOf(loose, dist, 2, 3, false, undefined, 1e-5).errorBound).toBeGreaterThan(1e-12);
  });
});
