import { describe, expect, it } from 'vitest';
import { experimentReadout } from './readout.js';

describe('experimentReadout', () => {
  const base = {
    controlId: 'A',
    metrics: [
      { name: 'conversion', kind: 'proportion' as const },
      { name: 'unsubscribe', kind: 'proportion' as const, lowerIsBetter: true, guardrail: true },
    ],
  };

  it('reports a clear win, a guardrail harm, and the GrowthBook numbers for 14/28 vs 16/30', () => {
    const r = experimentReadout({
      ...base,
      arms: [
        { id: 'A', weight: 0.5, units: 10_000, metrics: { conversion: { n: 10_000, sum: 500 }, unsubscribe: { n: 10_000, sum: 20 } } },
        { id: 'B', weight: 0.5, units: 10_050, metrics: { conversion: { n: 10_050, sum: 800 }, unsubscribe: { n: 10_050, sum: 90 } } },
      ],
    });
    expect(r.srm.mismatch).toBe(false);
    expect(r.warnings).toEqual([]);
    expect(r.metrics.find((m) => m.metric === 'conversion')!.verdict).toBe('better');
    expect(r.metrics.find((m) => m.metric === 'unsubscribe')!.verdict).toBe('harm');
  });

  it('warns on a sample-ratio mismatch and stays inconclusive on thin data', () => {
    const r = experimentReadout({
      ...base,
      arms: [
        { id: 'A', weight: 0.5, units: 1000, metrics: { conversion: { n: 28, sum: 14 } } },
        { id: 'B', weight: 0.5, units: 1200, metrics: { conversion: { n: 30, sum: 16 } } },
      ],
    });
    expect(r.srm.mismatch).toBe(true);
    expect(r.warnings[0]).toMatch(/Sample ratio mismatch/);
    const m = r.metrics[0];
    expect(m.verdict).toBe('inconclusive');
    // Same numbers as gbstats test_two_sided_ttest_binom.
    expect(m.frequentist!.ci.map((x) => +x.toFixed(5))).toEqual([-0.47767, 0.61101]);
  });

  it('uses CUPED when pre-period sums are given, and says not-enough-data for empty arms', () => {
    const r = experimentReadout({
      controlId: 'A',
      metrics: [{ name: 'revenue', kind: 'mean' }],
      arms: [
        { id: 'A', weight: 0.5, units: 3, metrics: { revenue: { n: 3, sum: 6, sumSquares: 14, pre: { sum: 6, sumSquares: 14, sumProducts: 14 } } } },
        { id: 'B', weight: 0.5, units: 1, metrics: { revenue: { n: 1, sum: 2, sumSquares: 4, pre: { sum: 2, sumSquares: 4, sumProducts: 4 } } } },
      ],
    });
    expect(r.metrics[0].cuped).not.toBeNull();
    expect(r.metrics[0].verdict).toBe('not-enough-data');
  });

  it('flags a guardrail harm when control had none of the outcome: a lift over 0 is undefined, the difference is not', () => {
    const arms = [
      { id: 'A', weight: 0.5, units: 5000, metrics: { conversion: { n: 5000, sum: 250 }, unsubscribe: { n: 5000, sum: 0 } } },
      { id: 'B', weight: 0.5, units: 5000, metrics: { conversion: { n: 5000, sum: 250 }, unsubscribe: { n: 5000, sum: 60 } } },
    ];
    const relative = experimentReadout({ ...base, arms }).metrics.find((m) => m.metric === 'unsubscribe')!;
    // No relative lift over a control mean of 0: the numbers stay null rather than infinite.
    expect(relative.frequentist).toBeNull();
    expect(relative.sequential).toBeNull();
    // 60 of 5,000 against 0 of 5,000 is harm whichever way the effect is stated.
    const absolute = experimentReadout({ ...base, arms, effectType: 'absolute' }).metrics.find((m) => m.metric === 'unsubscribe')!;
    expect(absolute.verdict).toBe('harm');
    expect(relative.verdict).toBe('harm');
    expect(experimentReadout({ ...base, arms }).warnings).toEqual([expect.stringMatching(/averages 0 on unsubscribe.*absolute difference/)]);
  });

  it('names a missing control arm in a sentence', () => {
    expect(() => experimentReadout({ ...base, controlId: 'Z', arms: [] })).toThrow(/control arm "Z"/);
  });
});
