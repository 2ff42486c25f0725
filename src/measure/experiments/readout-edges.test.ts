import { describe, expect, it } from 'vitest';
import { experimentReadout, type ReadoutInput } from './readout.js';

const metrics = [
  { name: 'value', kind: 'mean' as const },
  { name: 'conversion', kind: 'proportion' as const },
];
const arm = (id: string, n: number, value: number, conversions: number) => ({
  id, weight: 0.5, units: n,
  metrics: { value: { n, sum: n * value, sumSquares: n * value * value }, conversion: { n, sum: conversions } },
});
const read = (arms: ReadoutInput['arms']) => experimentReadout({ controlId: 'A', metrics, arms });
const finite = (x: unknown): boolean => (typeof x === 'number' ? Number.isFinite(x) : Array.isArray(x) ? x.every(finite) : x && typeof x === 'object' ? Object.values(x).every(finite) : true);

describe('experimentReadout states why a metric has no result', () => {
  it('no unit at all', () => {
    const r = read([arm('A', 0, 0, 0), arm('B', 0, 0, 0)]);
    expect(r.metrics.map((m) => m.verdict)).toEqual(['not-enough-data', 'not-enough-data']);
    expect(finite(r)).toBe(true);
    expect(r.warnings).toEqual([expect.stringMatching(/^No unit was read/)]);
    // An arm with no unit has no mean (it read 0: docs/measure.md, an inestimable result is null).
    expect(r.metrics.map((m) => [m.control, m.treatment])).toEqual([[{ n: 0, mean: null }, { n: 0, mean: null }], [{ n: 0, mean: null }, { n: 0, mean: null }]]);
  });

  it('one arm empty, or with a single unit', () => {
    const r = read([arm('A', 40, 3, 4), arm('B', 0, 0, 0)]);
    expect(finite(r)).toBe(true);
    expect(r.metrics[0]).toMatchObject({ control: { n: 40, mean: 3 }, treatment: { n: 0, mean: null } });
    expect(r.srm.mismatch).toBe(true);
    expect(r.warnings.filter((w) => !w.startsWith('Sample ratio mismatch'))).toEqual([expect.stringMatching(/^The arm "B" has no unit in the window: it cannot be compared/)]);
    const one = read([arm('A', 1, 3, 1), arm('B', 40, 3, 4)]);
    expect(one.warnings.join('\n')).toMatch(/The control arm "A" has 1 unit; .*at least 2/);
  });

  it('a mean metric with the same value on every unit of both arms (all zero: a metric with no events)', () => {
    const r = read([arm('A', 50, 0, 5), arm('B', 50, 0, 9)]);
    expect(r.metrics.find((m) => m.metric === 'value')?.verdict).toBe('not-enough-data');
    expect(r.warnings.join('\n')).toMatch(/Every unit of "A" and "B" has the value 0 on value: with no spread there is no interval/);
    // A proportion at 0 of n in both arms is read from its counts: its difference has an interval and a
    // verdict; only the lift over a control at 0 is missing, and a sentence says so.
    const zero = read([arm('A', 50, 1, 0), arm('B', 50, 2, 0)]);
    expect(finite(zero)).toBe(true);
    expect(zero.metrics.find((m) => m.metric === 'conversion')?.verdict).toBe('inconclusive');
    expect(zero.warnings.join('\n')).toMatch(/averages 0 on conversion, so "B" has no relative lift estimate/);
    expect(zero.warnings.filter((w) => /no spread/.test(w))).toEqual(['Every unit of "A" has the value 1 on value and every unit of "B" 2: with no spread within the arms there is no interval, so it is not-enough-data.']);
  });
});

describe('experimentReadout on a fixed-horizon p-value read early', () => {
  it('says when the fixed-horizon test is below alpha while the always-valid one, which the verdict waits for, is not', () => {
    const r = experimentReadout({
      controlId: 'A',
      metrics: [{ name: 'conversion', kind: 'proportion' }],
      arms: [
        { id: 'A', weight: 0.5, units: 10_000, metrics: { conversion: { n: 10_000, sum: 500 } } },
        { id: 'B', weight: 0.5, units: 10_000, metrics: { conversion: { n: 10_000, sum: 580 } } },
      ],
    });
    const m = r.metrics[0];
    // Reference: scipy 1.17.1 — MOVER-R (Donner & Zou 2012) lower limit of p_B/p_A from the Wilson limits
    // scipy.stats.binomtest(x, n).proportion_ci(1 - a, method='wilson'), at 95% 1.0326114344265116 (a lift of
    // +3.26%); its p, the a at which it is 1, by scipy.optimize.brentq: 0.012380083365345186.
    expect(m.frequentist!.ci[0]).toBeCloseTo(0.0326114344265116, 10);
    expect(m.frequentist!.pValue).toBeCloseTo(0.012380083365345186, 8);
    expect(m.sequential!.ci[0]).toBeLessThan(0);
    expect(m.verdict).toBe('inconclusive');
    expect(r.warnings).toEqual([expect.stringMatching(/^"B" on conversion: the fixed-horizon p = 0\.012 is below 0\.05, but it holds only at one look at a sample size fixed in advance/)]);
    // Where both agree there is nothing to say.
    const clear = experimentReadout({
      controlId: 'A',
      metrics: [{ name: 'conversion', kind: 'proportion' }],
      arms: [
        { id: 'A', weight: 0.5, units: 10_000, metrics: { conversion: { n: 10_000, sum: 500 } } },
        { id: 'B', weight: 0.5, units: 10_000, metrics: { conversion: { n: 10_000, sum: 800 } } },
      ],
    });
    expect([clear.metrics[0].verdict, clear.warnings]).toEqual(['better', []]);
  });
});
