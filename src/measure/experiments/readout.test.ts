import { describe, expect, it } from 'vitest';
import { experimentReadout } from './readout.js';

const Z = 1.959963984540054; // Φ⁻¹(0.975)
/** Wilson's score interval (Wilson 1927): (2x + z² ± z√(z² + 4x(n − x)/n)) / (2(n + z²)). */
const wilson = (x: number, n: number): [number, number] => {
  const h = Z * Math.sqrt(Z * Z + (4 * x * (n - x)) / n);
  return [x === 0 ? 0 : (2 * x + Z * Z - h) / (2 * (n + Z * Z)), x === n ? 1 : (2 * x + Z * Z + h) / (2 * (n + Z * Z))];
};
/** Newcombe (Stat Med 17 (1998) 873–890) method 10 for x1/n1 − x2/n2. */
const newcombe = (x1: number, n1: number, x2: number, n2: number): [number, number] => {
  const [p1, p2, [l1, u1], [l2, u2]] = [x1 / n1, x2 / n2, wilson(x1, n1), wilson(x2, n2)];
  return [p1 - p2 - Math.hypot(p1 - l1, u2 - p2), p1 - p2 + Math.hypot(u1 - p1, p2 - l2)];
};
/** MOVER-R (Donner & Zou, Stat Methods Med Res 21 (2012) 347–359) for (x1/n1)/(x2/n2) from Wilson limits. */
const moverR = (x1: number, n1: number, x2: number, n2: number): [number, number] => {
  const [p1, p2, [l1, u1], [l2, u2]] = [x1 / n1, x2 / n2, wilson(x1, n1), wilson(x2, n2)];
  return [
    (p1 * p2 - Math.sqrt((p1 * p2) ** 2 - l1 * u2 * (2 * p1 - l1) * (2 * p2 - u2))) / (u2 * (2 * p2 - u2)),
    (p1 * p2 + Math.sqrt((p1 * p2) ** 2 - u1 * l2 * (2 * p1 - u1) * (2 * p2 - l2))) / (l2 * (2 * p2 - l2)),
  ];
};

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
    // A conversion's lift now has the MOVER-R score interval (below), not gbstats' Welch/Wald one
    // ([−0.47767, 0.61101], still checked for welchTest in frequentist.test.ts).
    expect(m.frequentist!.method).toBe('mover-r-wilson');
    const [lo, hi] = moverR(16, 30, 14, 28);
    expect(m.frequentist!.ci[0]).toBeCloseTo(lo - 1, 12);
    expect(m.frequentist!.ci[1]).toBeCloseTo(hi - 1, 12);
  });

  it("states a conversion difference with Newcombe's score interval, not Wald's: 0/200 against 3/200", () => {
    const arms = (a: number, b: number) => [
      { id: 'A', weight: 0.5, units: 200, metrics: { conversion: { n: 200, sum: a } } },
      { id: 'B', weight: 0.5, units: 200, metrics: { conversion: { n: 200, sum: b } } },
    ];
    const m = experimentReadout({ ...base, arms: arms(0, 3), effectType: 'absolute' }).metrics[0];
    // Newcombe (1998) method 10: L = 0.015 − √((0.015 − l_B)² + u_A²), U = 0.015 + (u_B − 0.015) = u_B;
    // Wald's would be 0.015 ± 1.96·√(0.015·0.985/200) = [−0.00185, 0.03185].
    const [lB, uB] = wilson(3, 200);
    const uA = (Z * Z) / (200 + Z * Z);
    expect(m.frequentist!.method).toBe('newcombe-wilson');
    expect(m.frequentist!.ci[0]).toBeCloseTo(0.015 - Math.hypot(0.015 - lB, uA), 12);
    expect(m.frequentist!.ci[1]).toBeCloseTo(uB, 12);
    expect(m.verdict).toBe('inconclusive');
    // No conversion in either arm: Wald has width 0 (no estimate), the score interval ±z²/(200 + z²).
    const none = experimentReadout({ ...base, arms: arms(0, 0), effectType: 'absolute' }).metrics[0];
    expect(none.frequentist!.ci[0]).toBeCloseTo(-uA, 12);
    expect(none.frequentist!.ci[1]).toBeCloseTo(uA, 12);
    expect(none.frequentist!.pValue).toBe(1);
  });

  it('calls no verdict on a zero-width lift: 0 of 200 conversions against 3 of 200 is inconclusive, not worse', () => {
    const r = experimentReadout({
      ...base,
      arms: [
        { id: 'A', weight: 0.5, units: 200, metrics: { conversion: { n: 200, sum: 3 }, unsubscribe: { n: 200, sum: 3 } } },
        { id: 'B', weight: 0.5, units: 200, metrics: { conversion: { n: 200, sum: 0 }, unsubscribe: { n: 200, sum: 0 } } },
      ],
    });
    // The delta method gives lift −1 with se 0 when the treatment has no conversions (Wald: [−1, −1]).
    // MOVER-R with θ_B = 0: L = 0, U = u_B / √(l_A(2θ_A − l_A)), u_B = z²/(200 + z²).
    const conv = r.metrics.find((m) => m.metric === 'conversion')!;
    const [lA] = wilson(3, 200);
    expect(conv.frequentist!.ci[0]).toBeCloseTo(-1, 12);
    expect(conv.frequentist!.ci[1]).toBeCloseTo((Z * Z) / (200 + Z * Z) / Math.sqrt(lA * (2 * 0.015 - lA)) - 1, 12);
    expect(conv.verdict).toBe('inconclusive');
    expect(r.metrics.find((m) => m.metric === 'unsubscribe')!.verdict).toBe('inconclusive');
  });

  it('never calls better, worse or harm on a proportion whose score interval holds 0', () => {
    for (const [na, xa, nb, xb] of [[10, 1, 100, 1], [10, 2, 200, 12], [10, 1, 500, 12], [5000, 1, 5000, 12], [200, 3, 200, 0], [5000, 0, 5000, 60], [10_000, 500, 10_050, 800]]) {
      for (const effectType of ['relative', 'absolute'] as const) {
        const r = experimentReadout({
          ...base,
          effectType,
          arms: [
            { id: 'A', weight: 0.5, units: na, metrics: { conversion: { n: na, sum: xa }, unsubscribe: { n: na, sum: xa } } },
            { id: 'B', weight: 0.5, units: nb, metrics: { conversion: { n: nb, sum: xb }, unsubscribe: { n: nb, sum: xb } } },
          ],
        });
        // The difference's interval decides for both effect types (MOVER-R excludes 1 exactly when it excludes 0).
        const [lo, hi] = newcombe(xb, nb, xa, na);
        for (const m of r.metrics) {
          const call = m.verdict === 'better' || m.verdict === 'worse' || m.verdict === 'harm';
          expect(call, `${m.metric} ${xa}/${na} → ${xb}/${nb} (${effectType}): ${m.verdict}, [${lo}, ${hi}]`).toBe(call && (lo > 0 || hi < 0));
        }
      }
    }
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

  it('3/200 against 0/200: the always-valid interval has a width and the chance to win is not 0 or 1', () => {
    const r = experimentReadout({
      ...base,
      arms: [
        { id: 'A', weight: 0.5, units: 200, metrics: { conversion: { n: 200, sum: 3 }, unsubscribe: { n: 200, sum: 3 } } },
        { id: 'B', weight: 0.5, units: 200, metrics: { conversion: { n: 200, sum: 0 }, unsubscribe: { n: 200, sum: 0 } } },
      ],
    });
    // With Beta(1 + x, 1 + n − x) posteriors, p_B ~ Beta(1, 201) has P(p_B > x) = (1 − x)^201, so
    // P(p_B > p_A) = B(4, 399)/B(4, 198) = (198·199·200·201)/(399·400·401·402) ≈ 0.0616 (Wald: 0).
    const exact = (198 * 199 * 200 * 201) / (399 * 400 * 401 * 402);
    const conv = r.metrics.find((m) => m.metric === 'conversion')!;
    const unsub = r.metrics.find((m) => m.metric === 'unsubscribe')!;
    expect(conv.bayesian!.chanceToWin).toBeCloseTo(exact, 12);
    expect(unsub.bayesian!.chanceToWin).toBeCloseTo(1 - exact, 12);
    expect(conv.bayesian!.risk.treatment).toBeGreaterThan(0);
    // Agresti–Caffo (Am Stat 54 (2000) 280–288) variance: the lift's interval is −1 ± a positive half-width.
    expect(conv.sequential!.ci[1] - conv.sequential!.ci[0]).toBeGreaterThan(0.1);
    expect(conv.sequential!.estimate).toBe(-1);
    // A rate cannot fall by more than 100%: the interval stops at −1 (−1 − half-width before).
    expect(conv.sequential!.ci[0]).toBe(-1);
    expect(conv.verdict).toBe('inconclusive');
    expect(unsub.verdict).toBe('inconclusive');
  });

  it('0% against 100% is called (the score interval is decisive), 0 against 0 is inconclusive', () => {
    const arms = (a: number, b: number) => [
      { id: 'A', weight: 0.5, units: 500, metrics: { conversion: { n: 500, sum: a }, unsubscribe: { n: 500, sum: a } } },
      { id: 'B', weight: 0.5, units: 500, metrics: { conversion: { n: 500, sum: b }, unsubscribe: { n: 500, sum: b } } },
    ];
    for (const effectType of ['relative', 'absolute'] as const) {
      // Newcombe's interval for 500/500 − 0/500 is [1 − u_A, 1] with u_A = z²/(500 + z²) ≈ 0.0076: it excludes 0.
      const up = experimentReadout({ ...base, effectType, arms: arms(0, 500) }).metrics;
      expect(up.find((m) => m.metric === 'conversion')!.verdict, effectType).toBe('better');
      expect(up.find((m) => m.metric === 'unsubscribe')!.verdict, effectType).toBe('harm');
      const down = experimentReadout({ ...base, effectType, arms: arms(500, 0) }).metrics;
      expect(down.find((m) => m.metric === 'conversion')!.verdict, effectType).toBe('worse');
      expect(down.find((m) => m.metric === 'unsubscribe')!.verdict, effectType).toBe('better');
      // No conversions anywhere: data, no difference (Newcombe: ±z²/(500 + z²)).
      const none = experimentReadout({ ...base, effectType, arms: arms(0, 0) }).metrics;
      for (const m of none) expect(m.verdict, `${m.metric} ${effectType}`).toBe('inconclusive');
    }
  });

  it('gives a proportion one verdict whether the effect is stated relative or absolute', () => {
    // The lift and the difference test the same p_B = p_A; for counts the verdict is the difference's.
    for (const [na, xa, nb, xb] of [[10_000, 20, 10_050, 90], [10_000, 500, 10_050, 800], [200, 3, 200, 0], [500, 0, 500, 500], [5000, 40, 5000, 62], [1000, 1, 1000, 12]]) {
      const arms = [
        { id: 'A', weight: 0.5, units: na, metrics: { conversion: { n: na, sum: xa }, unsubscribe: { n: na, sum: xa } } },
        { id: 'B', weight: 0.5, units: nb, metrics: { conversion: { n: nb, sum: xb }, unsubscribe: { n: nb, sum: xb } } },
      ];
      const relative = experimentReadout({ ...base, arms }).metrics;
      for (const m of relative) expect(m.sequential?.ci[0] ?? -1, `${m.metric} ${xa}/${na} → ${xb}/${nb}`).toBeGreaterThanOrEqual(-1);
      const rel = relative.map((m) => m.verdict);
      const abs = experimentReadout({ ...base, arms, effectType: 'absolute' }).metrics.map((m) => m.verdict);
      expect(rel, `${xa}/${na} → ${xb}/${nb}`).toEqual(abs);
    }
  });

  it('a CUPED-adjusted lift of a metric that cannot be negative is never below −100%: not its point, intervals or posterior, and the readout says so', () => {
    // CUPED (Deng, Xu, Kohavi & Walker, WSDM 2013): the lift is the adjusted difference over the
    // control's raw mean. Units with post and pre values 0/1 (conv) or 0/10 (rev, flagged non-negative;
    // revSigned, the same sums unflagged). A: 1000 units, 100 converted, the same 100 before; B: 1000
    // units, 20 converted, 600 before (those 20 among them). Pooled θ = cov/var of the pre period:
    // (120 − 120·700/2000) / (700 − 700²/2000) = 78/455 = 0.171429 (the same for ×10). Adjusted means
    // 0.1 − θ·0.1 and 0.02 − θ·0.6; lift = −1.657143, its Welch and always-valid intervals wholly
    // below −1. A non-negative metric cannot lose more than all of it: the true lift is ≥ −1, so the
    // estimate and the interval ends are projected onto [−1, ∞) (closer to the truth, no coverage
    // lost), and the Gaussian posterior's mass below −1 is put at −1.
    const arm = (k: number, post: number, pre: number, both: number) => ({ n: 1000, sum: k * post, sumSquares: k * k * post, pre: { sum: k * pre, sumSquares: k * k * pre, sumProducts: k * k * both } });
    const r = experimentReadout({
      controlId: 'A',
      metrics: [{ name: 'conv', kind: 'proportion' }, { name: 'rev', kind: 'mean', nonNegative: true }, { name: 'revSigned', kind: 'mean' }],
      arms: [
        { id: 'A', weight: 0.5, units: 1000, metrics: { conv: arm(1, 100, 100, 100), rev: arm(10, 100, 100, 100), revSigned: arm(10, 100, 100, 100) } },
        { id: 'B', weight: 0.5, units: 1000, metrics: { conv: arm(1, 20, 600, 20), rev: arm(10, 20, 600, 20), revSigned: arm(10, 20, 600, 20) } },
      ],
    });
    for (const m of r.metrics.filter((x) => x.metric !== 'revSigned')) {
      expect(m.cuped!.theta, m.metric).toBeCloseTo(78 / 455, 12);
      expect(m.frequentist!.estimate, m.metric).toBe(-1);
      expect(m.frequentist!.ci, m.metric).toEqual([-1, -1]);
      expect(m.sequential!.estimate, m.metric).toBe(-1);
      expect(m.sequential!.ci, m.metric).toEqual([-1, -1]);
      // Posterior N(−1.657, sd²) with its mass below −1 at −1: mean, interval and loss at most 100%.
      expect(m.bayesian!.expected, m.metric).toBeCloseTo(-1, 9);
      expect(m.bayesian!.ci, m.metric).toEqual([-1, -1]);
      expect(m.bayesian!.risk.treatment!, m.metric).toBeLessThanOrEqual(1);
      expect(m.verdict, m.metric).toBe('worse');
    }
    expect(r.warnings).toEqual([
      expect.stringMatching(/CUPED-adjusted lift of "B" on conv is −165\.7%.*shown as −100%/),
      expect.stringMatching(/CUPED-adjusted lift of "B" on rev is −165\.7%.*shown as −100%/),
    ]);
    // A metric that may be negative keeps its estimate.
    expect(r.metrics.find((m) => m.metric === 'revSigned')!.frequentist!.estimate).toBeCloseTo(-1.657143, 6);
  });

  it('a relative lift over a negative control mean keeps the sign of the difference, and both readouts give one verdict', () => {
    // A value metric with costs: the control averages −0.015 (−30 over 2,000 units, Σv² = 20,000),
    // the treatment 3.3 (6,600, Σv² = 40,000). (B − A)/A would be −221 (−22,100%) for a treatment
    // that is plainly better; over |A| (as gbstats' relative CUPED ratio does) it is +221.
    const arms = [
      { id: 'A', weight: 0.5, units: 2000, metrics: { value: { n: 2000, sum: -30, sumSquares: 20_000 } } },
      { id: 'B', weight: 0.5, units: 2000, metrics: { value: { n: 2000, sum: 6600, sumSquares: 40_000 } } },
    ];
    const metrics = [{ name: 'value', kind: 'mean' as const }];
    const rel = experimentReadout({ controlId: 'A', metrics, arms });
    const abs = experimentReadout({ controlId: 'A', metrics, arms, effectType: 'absolute' });
    const m = rel.metrics[0];
    expect(m.frequentist!.estimate).toBeCloseTo((3.3 + 0.015) / 0.015, 9);
    expect(m.bayesian!.chanceToWin).toBeGreaterThan(0.5);
    expect(abs.metrics[0].verdict).toBe('better');
    expect(m.verdict).toBe('better');
    expect(rel.warnings).toEqual([expect.stringMatching(/averages −0\.015 on value.*below 0/)]);
  });

  it('gives a mean one verdict whether the effect is stated relative or absolute (the delta method is not the test of no difference)', () => {
    // A noisy control (mean 1, variance 100) against a steady treatment (mean 0.2, variance 0.04),
    // 1,000 units each. The delta method for B/A (Deng, Knoblich & Lu, KDD 2018) weighs A's variance by
    // (B/A)² = 0.04, so the lift reads −80% ± 6% — yet A's mean itself is 1 ± 0.32, and Welch's test of
    // B − A = 0 (the hypothesis both readouts test) is not decisive on the always-valid interval.
    const arms = [
      { id: 'A', weight: 0.5, units: 1000, metrics: { r: { n: 1000, sum: 1000, sumSquares: 100 * 999 + 1000 } } },
      { id: 'B', weight: 0.5, units: 1000, metrics: { r: { n: 1000, sum: 200, sumSquares: 0.04 * 999 + 40 } } },
    ];
    const metrics = [{ name: 'r', kind: 'mean' as const }];
    const abs = experimentReadout({ controlId: 'A', metrics, arms, effectType: 'absolute' }).metrics[0];
    expect(abs.sequential!.ci[0]).toBeLessThan(0);
    expect(abs.sequential!.ci[1]).toBeGreaterThan(0);
    expect(abs.verdict).toBe('inconclusive');
    expect(experimentReadout({ controlId: 'A', metrics, arms }).metrics[0].verdict).toBe('inconclusive');
  });

  it('no zero-width lift for a mean: a treatment constant at 0 has no relative interval, and the verdict is the difference\'s', () => {
    // Revenue: 3 of 200 control units bought for 50 (Σ = 150, Σv² = 7,500), no treatment unit bought.
    // The delta method's slope in A is −B/A² = 0 at B = 0 and B has no variance: it gave −100% ± 0,
    // p = 0, "worse", where Welch's difference −0.75 ± 1.96·0.4308 holds 0.
    const arms = [
      { id: 'A', weight: 0.5, units: 200, metrics: { revenue: { n: 200, sum: 150, sumSquares: 7500 } } },
      { id: 'B', weight: 0.5, units: 200, metrics: { revenue: { n: 200, sum: 0, sumSquares: 0 } } },
    ];
    const metrics = [{ name: 'revenue', kind: 'mean' as const, nonNegative: true }];
    const rel = experimentReadout({ controlId: 'A', metrics, arms });
    const m = rel.metrics[0];
    expect(m.frequentist).toBeNull();
    expect(m.sequential).toBeNull();
    expect(m.bayesian).toBeNull();
    expect(m.verdict).toBe(experimentReadout({ controlId: 'A', metrics, arms, effectType: 'absolute' }).metrics[0].verdict);
    expect(m.verdict).toBe('inconclusive');
    expect(rel.warnings).toEqual([expect.stringMatching(/"B" is 0 on revenue for every unit.*absolute difference/)]);
  });

  it('a difference of two rates stays within [−100%, +100%], intervals included', () => {
    // At 1 unit an arm the always-valid half-width is ~17 (tuned for 5,000 units); at 500/500 against 0/500
    // it reaches −1.009. A difference of proportions lies in [−1, 1]: the ends are cut there.
    for (const [na, xa, nb, xb] of [[1, 0, 1, 0], [1, 1, 1, 0], [500, 500, 500, 0], [500, 0, 500, 500]]) {
      const r = experimentReadout({
        ...base,
        effectType: 'absolute',
        arms: [
          { id: 'A', weight: 0.5, units: na, metrics: { conversion: { n: na, sum: xa }, unsubscribe: { n: na, sum: xa } } },
          { id: 'B', weight: 0.5, units: nb, metrics: { conversion: { n: nb, sum: xb }, unsubscribe: { n: nb, sum: xb } } },
        ],
      });
      for (const m of r.metrics) {
        for (const x of [m.frequentist!.ci, m.sequential!.ci, m.bayesian!.ci].flat()) {
          expect(Math.abs(x), `${m.metric} ${xa}/${na} → ${xb}/${nb}`).toBeLessThanOrEqual(1);
        }
      }
    }
  });

  it('a relative readout over a control without conversions still gives the lift\'s credible interval, and says why the rest is missing', () => {
    // 0 of 5,000 unsubscribes in control, 60 of 5,000 in treatment. Beta(1, 5001) and Beta(61, 4941)
    // posteriors: P(p_B/p_A − 1 ≤ t) by scipy 1.17.1 (integrate.quad of f_A(x)·I_{(1+t)x}(61, 4941),
    // brentq): 95% interval [15.04969, 2407.40].
    const arms = [
      { id: 'A', weight: 0.5, units: 5000, metrics: { unsubscribe: { n: 5000, sum: 0 } } },
      { id: 'B', weight: 0.5, units: 5000, metrics: { unsubscribe: { n: 5000, sum: 60 } } },
    ];
    const r = experimentReadout({ ...base, metrics: [base.metrics[1]], arms });
    const m = r.metrics[0];
    expect(m.bayesian).not.toBeNull();
    expect(m.bayesian!.ci[0]).toBeCloseTo(15.04969174780435, 3);
    expect(m.bayesian!.ci[1] / 2407.4021417195772).toBeCloseTo(1, 3);
    expect(m.bayesian!.expected).toBeNull();
    expect(m.verdict).toBe('harm');
    expect(r.warnings).toEqual([expect.stringMatching(/averages 0 on unsubscribe.*credible interval/)]);
  });

  it('a proportion with a pre-period keeps the score interval at small counts: CUPED\'s Wald variance collapses there too', () => {
    // 3 of 200 control units converted, none of 200 treatment units; 10 units of each arm converted in
    // the pre-period (one control converter among them). Fisher's exact test, worked by hand: given 3
    // conversions in all, P(all 3 in control) = C(200, 3)/C(400, 3) = (200·199·198)/(400·399·398) = 0.124060,
    // two-sided 0.248120 (scipy.stats.fisher_exact([[3, 197], [0, 200]]) = 0.24812). CUPED's regression-
    // adjusted mean (θ = 0.0447) left the treatment arm a variance of θ²·var(pre) only, and the delta
    // method, whose slope in the control's mean is −p_B/p_A² = 0 at p_B = 0, read a lift of −100%
    // [−100%, −90.9%], p = 1e−54. With fewer than 10 conversions or 10 non-conversions in an arm (the
    // success–failure condition for the normal approximation to two proportions: Moore, McCabe & Craig,
    // Introduction to the Practice of Statistics, §8.2; Agresti & Franklin, Statistics, §10.1), the
    // proportion is read from its counts, without CUPED.
    const arm = (n: number, x: number, pre: number, both: number) => ({ n, sum: x, sumSquares: x, pre: { sum: pre, sumSquares: pre, sumProducts: both } });
    const arms = [
      { id: 'A', weight: 0.5, units: 200, metrics: { conversion: arm(200, 3, 10, 1) } },
      { id: 'B', weight: 0.5, units: 200, metrics: { conversion: arm(200, 0, 10, 0) } },
    ];
    const metrics = [base.metrics[0]];
    const m = experimentReadout({ controlId: 'A', metrics, arms }).metrics[0];
    expect(m.cuped).toBeNull();
    expect(m.frequentist!.ci[0]).toBeLessThan(0);
    expect(m.frequentist!.ci[1]).toBeGreaterThan(0);
    expect(m.frequentist!.pValue).toBeGreaterThan(0.05);
    // The readout of the counts alone, as without a pre-period (MOVER-R lift, Beta-Binomial posteriors).
    const counts = experimentReadout({ controlId: 'A', metrics, arms: arms.map((a) => ({ ...a, metrics: { conversion: { n: a.units, sum: a.metrics.conversion.sum } } })) }).metrics[0];
    expect(m.frequentist).toEqual(counts.frequentist);
    expect(m.bayesian).toEqual(counts.bayesian);
    expect(m.sequential).toEqual(counts.sequential);
    // The same for the difference: Newcombe's interval, not Welch's.
    const abs = experimentReadout({ controlId: 'A', metrics, arms, effectType: 'absolute' }).metrics[0];
    expect(abs.frequentist!.method).toBe('newcombe-wilson');
    newcombe(0, 200, 3, 200).forEach((x, i) => expect(abs.frequentist!.ci[i]).toBeCloseTo(x, 12));
    // 10 conversions (and 190 non-conversions) in each arm meet the condition: CUPED is applied.
    const enough = experimentReadout({ controlId: 'A', metrics, arms: [{ ...arms[0], metrics: { conversion: arm(200, 13, 10, 1) } }, { ...arms[1], metrics: { conversion: arm(200, 10, 10, 0) } }] }).metrics[0];
    expect(enough.cuped).not.toBeNull();
  });

  it('calls verdicts of k arms against control at alpha / k (Bonferroni), so any false call stays within alpha', () => {
    // 610 of 10,000 against 500 of 10,000: the difference's always-valid p is 0.02136 (sequential.ts, eq. 9 and
    // 161 of arXiv 2103.06476, tuned for 5,000 units): a call at 0.05, alone. Beside two more arms the readout
    // makes three calls; at 0.05 each the chance that at least one is false reaches up to 3 × 0.05 (Bonferroni's
    // inequality). At 0.05/3 = 0.01667 each it stays within 0.05, at every look too (a union of always-valid
    // tests; Johari, Pekelis & Walsh, "Always valid inference", Operations Research 70 (2022), §6). 615 of 10,000
    // (p 0.01303) is called either way.
    const arm = (id: string, x: number) => ({ id, weight: 0.25, units: 10_000, metrics: { conversion: { n: 10_000, sum: x } } });
    const metrics = [base.metrics[0]];
    const two = experimentReadout({ controlId: 'A', metrics, arms: [arm('A', 500), arm('B', 610)] });
    expect(two.metrics[0].verdict).toBe('better');
    expect(two.verdictAlpha).toBe(0.05);
    const four = experimentReadout({ controlId: 'A', metrics, arms: [arm('A', 500), arm('B', 610), arm('C', 500), arm('D', 615)] });
    expect(four.verdictAlpha).toBeCloseTo(0.05 / 3, 15);
    expect(four.metrics.map((m) => m.verdict)).toEqual(['inconclusive', 'inconclusive', 'better']);
    // The intervals shown stay at 95% each; the readout says how the verdicts are called.
    expect(four.metrics[0].sequential!.alpha).toBe(0.05);
    expect(four.warnings).toEqual([expect.stringMatching(/3 arms against the control.*0\.0167.*Bonferroni/)]);
  });

  it('calls the primary metrics step-down by Holm across them; guardrails stay at alpha each (a harm check is never loosened)', () => {
    // Holm (Scand J Statist 6 (1979) 65–70): the m primary metrics' p-values sorted, p₍ᵢ₎ called at alpha/(m − i + 1)
    // until the first that is not; family-wise error within alpha. With always-valid p-values (Ville's inequality:
    // each true null's p stays above its level at every look with the stated chance) the union bound behind
    // Holm holds over every look. p-values as in the Bonferroni test below: 610 of 10,000 against 500 of 10,000
    // gives 0.02136, 615 gives 0.01303.
    const metrics = [
      { name: 'a', kind: 'proportion' as const },
      { name: 'b', kind: 'proportion' as const },
      { name: 'c', kind: 'proportion' as const },
      { name: 'unsubscribe', kind: 'proportion' as const, lowerIsBetter: true, guardrail: true },
    ];
    const arm = (id: string, x: Record<string, number>) => ({ id, weight: 0.5, units: 10_000, metrics: Object.fromEntries(Object.entries(x).map(([k, v]) => [k, { n: 10_000, sum: v }])) });
    const control = arm('A', { a: 500, b: 500, c: 500, unsubscribe: 500 });
    // One metric at p 0.02136 beside two without a difference: 0.02136 > 0.05/3, so no call; the guardrail at the same
    // counts (a rise) is harm at 0.05, uncorrected.
    const one = experimentReadout({ controlId: 'A', metrics, arms: [control, arm('B', { a: 610, b: 500, c: 500, unsubscribe: 610 })] });
    expect(one.metrics.map((m) => [m.metric, m.verdict])).toEqual([['a', 'inconclusive'], ['b', 'inconclusive'], ['c', 'inconclusive'], ['unsubscribe', 'harm']]);
    // Each primary metric's level is its step's (b and c tie at p = 1: the readout's order); b and c are not called since a was not.
    expect(one.metrics.map((m) => m.verdictAlpha)).toEqual([0.05 / 3, 0.05 / 2, 0.05, 0.05].map((x) => expect.closeTo(x, 15)));
    expect(one.warnings).toEqual([expect.stringMatching(/^"B" on a would be called better at 0\.05 alone \(always-valid p = 0\.021\), but not across the 3 primary metrics \(Holm/)]);
    // Step-down: 0.01303 ≤ 0.05/3, 0.01303 ≤ 0.05/2, then 0.02136 ≤ 0.05 — all three called, where Bonferroni (0.05/3 each)
    // would leave c inconclusive.
    const all = experimentReadout({ controlId: 'A', metrics, arms: [control, arm('B', { a: 615, b: 615, c: 610, unsubscribe: 500 })] });
    expect(all.metrics.map((m) => m.verdict)).toEqual(['better', 'better', 'better', 'inconclusive']);
    expect(all.warnings).toEqual([]);
    // One primary metric alone is called at alpha, as before.
    const single = experimentReadout({ controlId: 'A', metrics: [metrics[0]], arms: [arm('A', { a: 500 }), arm('B', { a: 610 })] });
    expect(single.metrics[0]).toMatchObject({ verdict: 'better', verdictAlpha: 0.05 });
  });

  it('names a missing control arm in a sentence', () => {
    expect(() => experimentReadout({ ...base, controlId: 'Z', arms: [] })).toThrow(/control arm "Z"/);
  });
});
