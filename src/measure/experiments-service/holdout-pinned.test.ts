import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../../../test/harness.js';
import { measureShop } from '../simulation.js';
import { assign } from '../experiments/assignment.js';

describe('the global holdout inside an experiment whose arm pins a policy version', () => {
  let h: Harness | undefined;
  afterEach(async () => h?.close());

  it('decides a held-out subject under the live policy, whatever its arm pins, logged with the live version', async () => {
    // Everyone is held out (share 1), so every decision below is a holdout decision.
    const shop = measureShop({ holdout: 1 });
    h = await harness('sqlite', { config: shop });
    // Policy 2 excludes the safe default; policy 3 (live) does not.
    const noNewsletter = { name: 'no newsletter', stage: 'eligibility', reason: 'test', when: 'action.id != "newsletter"' };
    await h.tact.applyDocument('policy', { ...shop.policy, rules: [noNewsletter] }, { author: 'test', reason: 'v2' });
    await h.tact.applyDocument('policy', { ...shop.policy, exploration: { budget: 0.2 } }, { author: 'test', reason: 'v3 live' });
    const arms = [{ id: 'live', weight: 1 }, { id: 'v2', weight: 1, policy: 2 }];
    await h.tact.applyDocument('experiments', { 'pin-test': { placement: 'home', arms } }, { author: 'test', reason: 'pin v2' });

    const subjects = Array.from({ length: 30 }, (_, i) => `r-${i}`);
    // The subjects the experiment's hash buckets into the pinned arm (the test is void without them).
    const pinned = subjects.filter((s) => {
      const a = assign(s, { salt: 'pin-test', arms });
      return a.kind === 'arm' && a.armId === 'v2';
    });
    expect(pinned.length).toBeGreaterThan(5);
    for (const subject of subjects) {
      const d = await h.tact.decide.decider.decide({ subject, placement: 'home' });
      expect(d.arm, subject).toBe('holdout');
      expect(d.experiment, subject).toEqual({ id: 'pin-test', arm: 'holdout', variant: null });
      // Policy 2 would exclude the newsletter and answer 'none'.
      expect(d.policyVersion, subject).toBe(3);
      expect(d.choices, subject).toMatchObject([{ kind: 'action', action: 'newsletter', propensity: 1 }]);
    }
  });
});
