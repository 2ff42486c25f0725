import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  betaCdf,
  betaQuantile,
  chiSquareSf,
  normalCdf,
  normalQuantile,
  studentTCdf,
  studentTQuantile,
} from './distributions.js';
import { logGamma, regularizedBeta, regularizedGammaP, regularizedGammaQ } from './special.js';

/** Relative closeness: |a − b| ≤ tol · max(|b|, tiny). */
function close(actual: number, expected: number, tol = 1e-10): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tol * Math.max(Math.abs(expected), 1e-300));
}

// Every expected value below was printed by scipy 1.17.1 (scipy.special / scipy.stats).
describe('special functions (reference: scipy.special 1.17.1)', () => {
  it('logGamma matches gammaln', () => {
    close(logGamma(0.1), 2.252712651734206);
    close(logGamma(0.5), 0.5723649429247);
    close(logGamma(3.7), 1.428072326665388);
    close(logGamma(100.5), 361.43554046777757);
  });
  it('regularized gamma matches gammainc / gammaincc, including a far tail', () => {
    close(regularizedGammaP(2.5, 1.3), 0.23863473215498604);
    close(regularizedGammaP(10, 15), 0.9301463393005901);
    close(regularizedGammaQ(0.5, 30), 9.485737571073857e-15, 1e-8);
    close(regularizedGammaQ(20, 5), 0.999999654786418);
  });
  it('regularized beta matches betainc', () => {
    close(regularizedBeta(0.3, 2, 5), 0.5798250000000003);
    close(regularizedBeta(0.05, 0.5, 8.888), 0.6536058686217016);
    close(regularizedBeta(0.999, 300, 0.5), 0.438654268870091, 1e-9);
  });
});

describe('distributions (reference: scipy.stats 1.17.1)', () => {
  it('normal CDF and quantile', () => {
    close(normalCdf(-8), 6.22096057427174e-16, 1e-8);
    close(normalCdf(-1.5), 0.06680720126885807);
    close(normalCdf(0.3), 0.6179114221889526);
    close(normalCdf(3), 0.9986501019683699);
    close(normalQuantile(1e-10), -6.361340902404056);
    close(normalQuantile(0.001), -3.090232306167813);
    close(normalQuantile(0.025), -1.9599639845400545);
    close(normalQuantile(0.3), -0.5244005127080409);
    close(normalQuantile(0.975), 1.959963984540054);
    close(normalQuantile(0.999999), 4.753424308817087);
  });
  it("Student's t CDF and quantile, fractional df as in Welch's test", () => {
    close(studentTCdf(-1.8608, 17.776), 0.03969828906988993, 1e-9);
    close(studentTCdf(2.5, 3), 0.9561466764959672);
    close(studentTCdf(0.7, 1), 0.6944001122142147);
    close(studentTCdf(-12, 4.5), 6.891598826636523e-5, 1e-8);
    close(studentTQuantile(0.975, 10), 2.228138851986274);
    close(studentTQuantile(0.975, 1), 12.706204736174694);
    close(studentTQuantile(0.995, 2.5), 7.163728138948783);
    close(studentTQuantile(0.9, 6461.3), 1.281682603126619);
    close(studentTQuantile(0.025, 17.776), -2.1028213103802216);
  });
  it('chi-square survival function (scipy.stats.chisquare docs example: 2.0 on 5 df → 0.8491)', () => {
    close(chiSquareSf(2, 5), 0.8491450360846096);
    close(chiSquareSf(3.84, 1), 0.05004352124870519);
    close(chiSquareSf(150, 3), 2.6349139284880416e-32, 1e-7);
    close(chiSquareSf(0.5, 10), 0.999993388289439);
  });
  it('beta CDF and quantile', () => {
    close(betaCdf(0.3, 2, 5), 0.5798250000000003);
    close(betaQuantile(0.05, 3, 97), 0.00830942339398676, 1e-9);
    close(betaQuantile(0.95, 3, 97), 0.06222809568671874, 1e-9);
  });
  it('beta quantile of shapes from tens to tens of thousands, within 10⁻¹⁰ of SciPy 1.17 (scipy.stats.beta.ppf), as close as the CDF resolves', () => {
    // [p, a, b, beta.ppf(p, a, b)]
    const scipy: [number, number, number, number][] = [
      [0.005, 500.0, 9500.0, 0.04455599805356614],
      [0.05, 500.0, 9500.0, 0.04646717093427872],
      [0.95, 500.0, 9500.0, 0.053635157753797305],
      [0.995, 500.0, 9500.0, 0.05578200422533297],
      [0.005, 5000.0, 95000.0, 0.04824166447261248],
      [0.05, 5000.0, 95000.0, 0.04887150737548717],
      [0.95, 5000.0, 95000.0, 0.051138725846146274],
      [0.995, 5000.0, 95000.0, 0.05179214399224812],
      [0.005, 50000.0, 950000.0, 0.04944030237082667],
      [0.05, 50000.0, 950000.0, 0.04964202500809476],
      [0.95, 50000.0, 950000.0, 0.05035899831758688],
      [0.995, 50000.0, 950000.0, 0.05056307855798691],
      [0.005, 20.0, 3.0, 0.6422871953304177],
      [0.05, 20.0, 3.0, 0.7405334677715627],
      [0.95, 20.0, 3.0, 0.961776488993582],
      [0.995, 20.0, 3.0, 0.984027001650539],
    ];
    for (const [p, a, b, q] of scipy) expect(Math.abs(betaQuantile(p, a, b) - q) / q, `Beta(${a}, ${b}) at ${p}`).toBeLessThan(1e-10);
  });
  it('beta quantile of large shapes, within 10⁻⁶ of a standard deviation of SciPy 1.17 (scipy.stats.beta.ppf, beta.std)', () => {
    // [p, a, b, beta.ppf(p, a, b), beta.std(a, b)]: priors of 2·10⁵ to 10⁹ pseudo-observations, skewed and symmetric.
    const scipy: [number, number, number, number, number][] = [
      // The tails the Thompson win probabilities integrate between (thompson-beta.ts, 10⁻¹²).
      [1e-12, 100000.0, 1000000000.0, 9.77819656933092e-05, 3.1618033762244e-07],
      [1 - 1e-12, 100000.0, 1900000.0, 0.05109136409261141, 0.00015411031154665135],
      [0.005, 100000.0, 1900000.0, 0.04960388359157426, 0.00015411031154665135],
      [0.05, 100000.0, 1900000.0, 0.049746767175066424, 0.00015411031154665135],
      [0.5, 100000.0, 1900000.0, 0.04999985000004579, 0.00015411031154665135],
      [0.95, 100000.0, 1900000.0, 0.0502537444878721, 0.00015411031154665135],
      [0.995, 100000.0, 1900000.0, 0.050397806875119286, 0.00015411031154665135],
      [0.05, 500000.0, 9500000.0, 0.049886687481322224, 6.892024031443918e-05],
      [0.95, 500000.0, 9500000.0, 0.05011341485132713, 6.892024031443918e-05],
      [0.005, 50000000.0, 950000000.0, 0.049982249012216866, 6.892024372599099e-06],
      [0.5, 50000000.0, 950000000.0, 0.049999999700000006, 6.892024372599099e-06],
      [0.995, 50000000.0, 950000000.0, 0.05001775436878947, 6.892024372599099e-06],
      [0.005, 100000.0, 100000.0, 0.4971201555740214, 0.0011180311936754045],
      [0.95, 100000.0, 100000.0, 0.5018389983408205, 0.0011180311936754045],
      [0.005, 200000.0, 50000000.0, 0.0039611994928287955, 8.890873271554087e-06],
      [0.995, 200000.0, 50000000.0, 0.004007002233518858, 8.890873271554087e-06],
      [0.05, 3000000.0, 100000.0, 0.9675767027934141, 0.00010035014782066378],
      [0.995, 3000000.0, 100000.0, 0.9679998534241224, 0.00010035014782066378],
      [0.005, 1000000.0, 1000000000.0, 0.0009964309013201268, 9.985018723162061e-07],
      [0.95, 1000000.0, 1000000000.0, 0.0010006439550437323, 9.985018723162061e-07],
    ];
    for (const [p, a, b, q, sd] of scipy) expect(Math.abs(betaQuantile(p, a, b) - q) / sd, `Beta(${a}, ${b}) at ${p}`).toBeLessThan(1e-6);
  });
  it('quantiles invert their CDFs (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-6, max: 1 - 1e-6, noNaN: true }), fc.double({ min: 0.5, max: 500, noNaN: true }), (p, df) => {
        expect(Math.abs(normalCdf(normalQuantile(p)) - p)).toBeLessThan(1e-12);
        expect(Math.abs(studentTCdf(studentTQuantile(p, df), df) - p)).toBeLessThan(1e-9);
      }),
    );
  });
});
