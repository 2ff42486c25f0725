import { describe, expect, it } from 'vitest';
import { TactError } from '../../errors/tact-error.js';
import { createPosterior } from './logistic-posterior.js';
import { type BanditState, actionProbabilities, chooseAction, createBandit, defaultBanditConfig } from './thompson.js';
import { Rng } from '../math/prng.js';

/** A stored bandit (loaded, not created: its config is not checked) with two known actions, the first clearly better. */
function stored(floorEpsilon: number, maxExplorationShare: number): BanditState {
  return {
    config: { ...defaultBanditConfig(1), floorEpsilon, maxExplorationShare },
    updates: 0,
    actions: [
      { id: 'good', ...createPosterior([1, 0], [0.0001, 1]) },
      { id: 'poor', ...createPosterior([-1, 0], [0.0001, 1]) },
    ],
  };
}

describe('floor ε and the exploration budget', () => {
  it('never explores more than the budget, whatever floor the config carries', () => {
    // Floor 0.3 over K = 2 alone chooses the non-greedy action 0.3·(K − 1)/K = 0.15 of the time:
    // above the budget of 0.1. Capped to the budget (ε = 0.1) the share is 0.1·1/2 = 0.05, and the
    // rest of the budget is Thompson sampling's, whose win probability for "poor" is
    // Φ(−2/√0.0002) ≈ 0 (the two-action closed form, docs/models.md §4): so 0.05 exactly.
    const probs = actionProbabilities(stored(0.3, 0.1), [0]);
    expect(probs.poor).toBeLessThanOrEqual(0.1 + 1e-12);
    expect(probs.poor).toBeCloseTo(0.05, 12);
    const c = chooseAction(stored(0.3, 0.1), [0], new Rng(3));
    expect(c.propensity).toBeCloseTo(c.action === 'good' ? 0.95 : 0.05, 12);
  });

  it('a floor within the budget is kept as it is', () => {
    expect(actionProbabilities(stored(0.08, 0.1), [0]).poor).toBeCloseTo(0.04, 12);
  });

  it('refuses a config whose floor is above its budget where it is set, naming the field', () => {
    let err: unknown;
    try {
      createBandit(['a', 'b'], { ...defaultBanditConfig(1), floorEpsilon: 0.3, maxExplorationShare: 0.1 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TactError);
    const t = err as TactError;
    expect(t.code).toBe('validation_failed');
    expect(t.problems.map((p) => p.field)).toEqual(['floorEpsilon']);
    expect(t.message).toContain('`floorEpsilon`');
    expect(t.message).toContain('`maxExplorationShare`');
    expect(() => createBandit(['a', 'b'], { ...defaultBanditConfig(1), floorEpsilon: 0.1, maxExplorationShare: 0.1 })).not.toThrow();
    expect(() => createBandit(['a'], { ...defaultBanditConfig(1), floorEpsilon: -0.1 })).toThrow(/`floorEpsilon`/);
  });
});
