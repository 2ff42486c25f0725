import { describe, expect, it } from 'vitest';
import { experimentReadout, PLANNED_LOOK_TOLERANCE } from './readout.js';

// 500 of 10,000 against 580 of 10,000, read as absolute differences. Reference values: scipy 1.17.1
//
//   Wilson limits: scipy.stats.binomtest(x, n).proportion_ci(1 - a, method='wilson'); Newcombe's hybrid
//   score interval (method 10) of p_B − p_A from them at a = 0.05 → [0.0017343251265856926, 0.014278224374776124];
//   its p (the a at which the lower limit is 0): scipy.optimize.brentq(lambda a: lower(a), 1e-12, 0.999999)
//   → 0.012380083365344833.
//   The always-valid interval (Howard et al. 2021, arXiv 2103.06476 eq. 161, tuning 5000, Agresti–Caffo
//   variances), evaluated in numpy 2.4 → [−0.0020006382929297403, 0.018000638292929742]: it holds 0.
const read = (plannedUnits?: number) =>
  experimentReadout({
    controlId: 'A',
    metrics: [{ name: 'conversion', kind: 'proportion' }],
    effectType: 'absolute',
    plannedUnits,
    arms: [
      { id: 'A', weight: 0.5, units: 10_000, metrics: { conversion: { n: 10_000, sum: 500 } } },
      { id: 'B', weight: 0.5, units: 10_000, metrics: { conversion: { n: 10_000, sum: 580 } } },
    ],
  });
const peeking = /holds only at one look at a sample size fixed in advance/;

describe('experimentReadout knows the planned horizon', () => {
  it('the reference figures: a fixed-horizon p below alpha while the always-valid interval holds 0', () => {
    const m = read().metrics[0];
    expect(m.frequentist!.ci[0]).toBeCloseTo(0.0017343251265856926, 12);
    expect(m.frequentist!.ci[1]).toBeCloseTo(0.014278224374776124, 12);
    expect(m.frequentist!.pValue).toBeCloseTo(0.012380083365344833, 8);
    expect(m.sequential!.ci[0]).toBeCloseTo(-0.0020006382929297403, 12);
    expect(m.sequential!.ci[1]).toBeCloseTo(0.018000638292929742, 12);
    expect(m.verdict).toBe('inconclusive');
  });

  it('without a plan, or before it is reached, warns of peeking', () => {
    expect(read().warnings).toEqual([expect.stringMatching(peeking)]);
    expect(read(40_000).warnings).toEqual([expect.stringMatching(peeking)]);
  });

  it('at the planned look (units from the plan to 10% past it), says so instead of warning of peeking', () => {
    expect(PLANNED_LOOK_TOLERANCE).toBe(0.1);
    for (const planned of [20_000, 18_500]) {
      const r = read(planned);
      expect(r.warnings.filter((w) => peeking.test(w))).toEqual([]);
      expect(r.warnings).toEqual([expect.stringMatching(new RegExp(`^"B" on conversion: this is the planned look \\(20000 units, the plan ${planned}\\): the fixed-horizon p = 0\\.012 below 0\\.05 is the test the plan called for`))]);
      expect(r.metrics[0].verdict).toBe('inconclusive');
    }
  });

  it('more than 10% past the plan, says this is a later look, at which the fixed-horizon p no longer holds', () => {
    // 20,000 units against a plan of 18,000 is 11.1% past it; 15,000, 33.3%.
    for (const [planned, past] of [[18_000, '11%'], [15_000, '33%']] as const) {
      const r = read(planned);
      expect(r.warnings).toEqual([expect.stringContaining(`"B" on conversion: the fixed-horizon p = 0.012 is below 0.05, but this look, at 20000 units, is ${past} past the planned ${planned}: it is a later look than the planned one`)]);
    }
  });
});
