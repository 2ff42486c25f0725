import { describe, expect, it } from 'vitest';
import { openTestStore } from '../../test/harness.js';
import { Settings } from '../config/settings.js';
import { MIN_CONCENTRATION } from '../learn/rates/concentration.js';
import type { CompiledAction } from './catalog-compile.js';
import { policyKind } from './kinds.js';
import { LadderEstimates } from './ladder-estimates.js';
import type { OutcomeCounts } from './outcome-counts.js';
import { compilePolicy } from './policy-compile.js';

describe('compilePolicy: prior strengths stored before the check', () => {
  it('raises a strength below the floor (MIN_CONCENTRATION = 2) to it, says which, and leaves the others as stored', () => {
    const p = compilePolicy({ estimates: { priorStrength: 0.01, groupStrength: 1, personalStrength: 2.5 } });
    expect(MIN_CONCENTRATION).toBe(2);
    expect(p.estimates).toMatchObject({ priorStrength: 2, groupStrength: 2, personalStrength: 2.5 });
    expect(p.raised).toEqual([
      expect.stringMatching(/^`estimates\.priorStrength` is 0\.01, below the least prior strength 2: 2 is used\b/),
      expect.stringMatching(/^`estimates\.groupStrength` is 1, below the least prior strength 2: 2 is used\b/),
    ]);
    expect(compilePolicy({}).raised).toEqual([]);
  });

  it('raises it for a policy stored without the check and read on reload, so one trial cannot pin a rate near 100%', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    try {
      // Written to the document store directly, as a version stored before policy-check refused it.
      await store.documents.put('policy', { estimates: { priorMean: 0.05, priorStrength: 0.01 } }, { author: 'test', reason: 'before the check' });
      const settings = new Settings(store.documents, [policyKind]);
      await settings.reload();
      const compiled = settings.get(policyKind);
      expect(compiled.estimates.priorStrength).toBe(2);
      // One success in one trial at the population rung. Beta-Binomial conjugate update: the prior
      // Beta(κm, κ(1 − m)) with m = 0.05, κ = 2 becomes Beta(0.1 + 1, 1.9), mean 1.1 / 3 ≈ 0.367
      // (with the stored κ = 0.01 it would be (0.0005 + 1) / 1.01 ≈ 0.990).
      const counts = { population: () => ({ successes: 1, trials: 1, version: 1 }), personalCounts: () => undefined, openTrials: () => 0, openUnexposed: () => undefined, openSuccesses: () => undefined } as unknown as OutcomeCounts;
      const e = new LadderEstimates(counts, () => compiled.estimates).estimate({ id: 'a' } as CompiledAction, { key: 'p1', vars: {} });
      expect(e.source).toBe('population');
      expect(e.value).toBeCloseTo(1.1 / 3, 9);
    } finally {
      await cleanup();
    }
  });
});
