import { describe, expect, it } from 'vitest';
import { Rng } from '../math/prng.js';
import { normal } from '../math/samplers.js';
import { baselineEstimate, checkReading, isBaselineEstablished } from './baseline-estimate.js';
import { issueForecast } from './baseline-update.js';
import { learnReading } from './learn-reading.js';
import { bucketOf, createBaseline, defaultBaselineConfig } from './metric-baseline.js';
import { conformalInterval, symmetricConformalPValue, symmetricConformalRadius, weightedConformalInterval } from './weighted-quantile.js';

/**
 * Established intervals come from drift-weighted conformal scores. Their finite-sample rule is
 * weighted (non-exchangeable) conformal prediction — Barber, Candès, Ramdas & Tibshirani,
 * "Conformal prediction beyond exchangeability", Annals of Statistics 51 (2023): each bound is a
 * quantile of Σ w̃ᵢ·δ(rᵢ) + w̃ₙ₊₁·δ(±∞), w̃ the weights normalised over the n scores and the test
 * point, whose own weight is the newest one. On exchangeable data each side then misses at most
 * its tail (1 − level)/2, and with distinct scores at least that tail less w̃ₙ₊₁ (same paper).
 *
 * Anomaly flags are a conformal test instead: the p-value of the reading's |score| among the n
 * scores' |score|s with equal weights, p = (1 + #{|sᵢ| ≥ |s|}) / (n + 1), flagged when
 * p ≤ α = 1 − level. On exchangeable data P(p ≤ α) = ⌊α(n + 1)⌋/(n + 1) ≤ α for continuous scores
 * (Vovk, Gammerman & Shafer, "Algorithmic Learning in a Random World", 2005, §2; Lei, G'Sell,
 * Rinaldo, Tibshirani & Wasserman, "Distribution-free predictive inference for regression", JASA
 * 2018, Thm 2.1 for split conformal; Barber et al. 2023, Thm 2 with fixed weights).
 */

const at = '2026-01-01T00:00:00.000Z';

/**
 * Walks an exchangeable stream (independent log-normal readings) forward as the product does —
 * the day-ahead forecast issued at a day's first reading, each reading checked against the range
 * shown just before it — and counts, once established, the misses of the 90% interval and the
 * flags of the 98% anomaly range. `events`: about two readings a day at irregular hours, pooled
 * horizons (cadence "events"); else one reading an hour, per-horizon buckets (cadence "hourly").
 * Also sums, per reading, the least miss rate the rule allows at each level (below).
 */
function walk(events: boolean, days: number, seed: number) {
  const rng = new Rng(seed);
  const s = createBaseline({ ...defaultBaselineConfig, pooledHorizons: events });
  const r = { scored: 0, missed90: 0, flagged98: 0, flaggedBefore6: 0, least90: 0, exact98: 0, wildFlagged: 0, wildTooFew: 0, wildWrong: 0 };
  for (let day = 0; day < days; day++) {
    const hours = events ? [8 + rng.int(4), 18 + rng.int(5)].filter(() => rng.float() < 0.9) : Array.from({ length: 24 }, (_, h) => h);
    for (const h of hours) {
      const t = day * 24 + h;
      const y = Math.exp(5 + 0.4 * normal(rng));
      if (s.readings > 0 && (!s.issued || s.issued.day < day)) issueForecast(s, day * 24);
      if (isBaselineEstablished(s)) {
        const e = baselineEstimate(s, t, at);
        r.scored++;
        if (y < e.low || y > e.high) r.missed90++;
        if (checkReading(s, t, y, at, 0.98).anomaly) {
          r.flagged98++;
          if (h < 6) r.flaggedBefore6++;
        }
        // The test point's normalised weight w̃ₙ₊₁ in the pool this interval reads: on exchangeable
        // data with distinct scores each side misses at least its tail less w̃ₙ₊₁ (none when unbounded).
        const pool = events ? s.scores.flat() : s.scores[Math.min(bucketOf(t - s.issued!.lastObserved), 3)];
        const newest = Math.max(...pool.map((x) => x[0]));
        const share = 1 / (1 + pool.reduce((a, x) => a + Math.pow(0.5, (newest - x[0]) / 24 / s.config.scoreHalfLifeDays), 0));
        r.least90 += 2 * Math.max(0, 0.05 - share);
        // The flag's rate on exchangeable scores with equal weights: exactly ⌊α(n+1)⌋/(n+1) (Vovk et al. 2005).
        // n: the pool's scores but those of the stream's first minDays days and of an open run of
        // flagged readings (see anomalyRange).
        const n = pool.filter((x) => x[0] >= s.firstHour! + s.config.minDays * 24 && x[0] < (s.flagRun?.from ?? Infinity)).length;
        r.exact98 += Math.floor(0.02 * (n + 1) + 1e-9) / (n + 1);
        // A wild reading, 30 times the typical one, is flagged exactly when a flag is possible: n + 1 ≥ 1/α.
        const wild = checkReading(s, t, 30 * Math.exp(5), at, 0.98);
        if (wild.anomaly !== n >= 49) r.wildWrong++;
        else if (wild.anomaly) r.wildFlagged++;
        else {
          r.wildTooFew++;
          expect(wild).toMatchObject({ reason: 'within-range', estimate: { status: 'established', low: -Infinity, high: Infinity } });
        }
      }
      // As the product learns it (baselineStep): a flagged reading winsorised, a run as a shift.
      learnReading(s, t, y, checkReading(s, t, y, at, 0.98));
    }
  }
  return r;
}

function total(runs: ReturnType<typeof walk>[]) {
  const n = runs.reduce((a, r) => a + r.scored, 0);
  const rate = (f: (r: ReturnType<typeof walk>) => number) => runs.reduce((a, r) => a + f(r), 0) / n;
  return {
    n, miss90: rate((r) => r.missed90), flag98: rate((r) => r.flagged98), flaggedBefore6: runs.reduce((a, r) => a + r.flaggedBefore6, 0),
    least90: rate((r) => r.least90), exact98: rate((r) => r.exact98),
    wildFlagged: runs.reduce((a, r) => a + r.wildFlagged, 0), wildTooFew: runs.reduce((a, r) => a + r.wildTooFew, 0), wildWrong: runs.reduce((a, r) => a + r.wildWrong, 0),
  };
}

/** Three binomial standard errors of a rate p on n readings. */
const slack = (p: number, n: number) => 3 * Math.sqrt((p * (1 - p)) / n);

describe('weighted conformal intervals (Barber et al. 2023)', () => {
  it('with equal weights, is exactly the split-conformal order-statistic interval [x₍ₖ₎, x₍ₙ₊₁₋ₖ₎]', () => {
    const rng = new Rng(11);
    for (const level of [0.5, 0.8, 0.9, 0.95, 0.98, 0.99]) {
      for (let n = 0; n <= 260; n++) {
        const xs = Array.from({ length: n }, () => rng.float());
        expect(weightedConformalInterval(xs, new Array<number>(n).fill(1), level, 1), `n = ${n}, level ${level}`).toEqual(conformalInterval(xs, level));
      }
    }
  });

  it('with weights that halve every 15 scores, still covers a new exchangeable value at the level', () => {
    // n = 60 scores weigh 0.5^(age/15) (Σw ≈ 20.8): the test point's mass 1/(Σw + 1) ≈ 0.046 each
    // side. Coverage ≥ level on exchangeable data (Barber et al. 2023); the plain weighted quantile
    // without that mass covered 0.778 at 80% and 0.880 at 90% on these draws.
    const rng = new Rng(12);
    const n = 60;
    const w = Array.from({ length: n }, (_, i) => Math.pow(0.5, (n - 1 - i) / 15));
    const reps = 20_000;
    for (const level of [0.8, 0.9]) {
      let inside = 0;
      for (let r = 0; r < reps; r++) {
        const xs = Array.from({ length: n }, () => normal(rng));
        const [lo, hi] = weightedConformalInterval(xs, w, level, 1);
        const y = normal(rng);
        if (y >= lo && y <= hi) inside++;
      }
      // Three binomial standard errors below the level.
      expect(inside / reps, `level ${level}`).toBeGreaterThan(level - 3 * Math.sqrt((level * (1 - level)) / reps));
    }
    // Too little weight for a 98% range: the test point's mass alone exceeds the 1% tail.
    expect(weightedConformalInterval([1, 2, 3, 4, 5], [1, 1, 1, 1, 1], 0.98, 1)).toEqual([-Infinity, Infinity]);
  });

  it('the symmetric conformal test: p ≤ α exactly outside the radius, and on exchangeable draws P(p ≤ α) = ⌊α(n+1)⌋/(n+1) ≤ α', () => {
    // p = (1 + #{|sᵢ| ≥ |s|}) / (n + 1) with equal weights (Vovk et al. 2005; Lei et al. 2018): the
    // least p is 1/(n + 1), so at α = 0.02 nothing can be flagged below n = 49 scores.
    expect(symmetricConformalRadius(new Array<number>(48).fill(1), 0.98)).toBe(Infinity);
    expect(symmetricConformalRadius([...new Array<number>(48).fill(1), -3], 0.98)).toBe(3);
    expect(symmetricConformalPValue([1, -2, 3], [1, 1, 1], -2.5)).toBe(2 / 4);
    expect(symmetricConformalPValue([1, -2, 3], [1, 1, 1], 2)).toBe(3 / 4); // ties count against the reading
    expect(symmetricConformalPValue([1, -2, 3], [1, 0.5, 0.25], 9, 1)).toBe(1 / 2.75);
    const rng = new Rng(13);
    const reps = 20_000;
    const ones = new Array<number>(150).fill(1);
    for (const n of [48, 49, 60, 99, 150]) {
      let flagged = 0;
      let disagree = 0; // counted, not asserted in the loop: an expect per draw was most of the test's time
      for (let r = 0; r < reps; r++) {
        const xs = Array.from({ length: n }, () => Math.exp(normal(rng))); // skewed: only the upper tail is ever flagged
        const y = Math.exp(normal(rng));
        const radius = symmetricConformalRadius(xs, 0.98);
        const p = symmetricConformalPValue(xs, ones.slice(0, n), y);
        if ((p <= 0.02 + 1e-12) !== Math.abs(y) > radius) disagree++;
        if (p <= 0.02 + 1e-12) flagged++;
      }
      expect(disagree, `n = ${n}`).toBe(0);
      const exact = Math.floor(0.02 * (n + 1) + 1e-9) / (n + 1);
      expect(exact).toBeLessThanOrEqual(0.02);
      expect(Math.abs(flagged / reps - exact), `n = ${n}`).toBeLessThanOrEqual(slack(Math.max(exact, 1e-9), reps));
    }
  });

  it('an event-driven stream: 90% intervals miss at most 10%, flags keep to 2% of usual readings, and a wild reading is flagged once 49 scores exist', () => {
    // Six seeds × 400 days ≈ 4,200 scored readings of independent log-normal values, two a day at
    // irregular hours. 90%: the scores' weight (Σw ≈ 32 newest-score units) leaves the interval
    // on the safe side by up to 2·w̃ₙ₊₁ ≈ 6 points; measured 5.5% missed (the least allowed 3.9%).
    // Flags: the symmetric test on the pool's n ≈ 75 scores (42 days) flags a usual reading with
    // probability ⌊α(n+1)⌋/(n+1) ≈ 1/(n+1) (Vovk et al. 2005) — at most 2%, whatever the weights
    // of the 90% interval. Before: a weighted 98% range needed Σw ≥ 99 newest-score units, so such
    // a stream never flagged anything, not even a reading 30 times its usual one. Measured: 1.18%
    // flagged (exact rate 1.24%; 1.27% until the pool's scores were read against the smaller of their
    // own scale and the hour's scale now, 2026-12-05); the wild reading flagged at 3,963 of 4,166 readings, the other 203
    // before the pool held 49 scores past the stream's first week. Since 2026-12-06 (the interval and
    // establishing read no score of the first week, baseline-estimate.ts `calibrated`; an open run's
    // scores left out of the test): 4,098 readings, 5.6% missed, 1.20% flagged (exact 1.26%), the wild
    // reading flagged at 3,963, the other 135 too early.
    const r = total([1, 2, 3, 4, 5, 6].map((seed) => walk(true, 400, seed)));
    expect(r.n).toBeGreaterThan(4000);
    expect(r.miss90).toBeLessThan(0.1 + slack(0.1, r.n));
    expect(r.miss90).toBeGreaterThan(r.least90 - slack(r.least90, r.n));
    expect(r.flag98).toBeLessThan(0.02 + slack(0.02, r.n));
    expect(Math.abs(r.flag98 - r.exact98)).toBeLessThan(slack(r.exact98, r.n));
    expect(r.wildWrong).toBe(0);
    expect(r.wildFlagged).toBeGreaterThan(0.9 * r.n);
    expect(r.wildTooFew).toBeGreaterThan(50); // established, under 49 scores past the first week: no flag yet, the range unbounded
  });

  it('an hourly stream: the same per horizon bucket, flagging at every horizon once its bucket holds 49 scores', () => {
    // Three seeds × 90 days ≈ 5,600 scored readings. Measured: 8.1% missed (least allowed 8.0%).
    // The 1–2 h and 3–6 h buckets (two and four scores a day) hold 49 scores after about 25 and
    // 13 days past the stream's first week: from then on hours 0–5 (horizons 1–6 h) flag too.
    // Measured: 1.50% flagged (exact rate 1.71%), 10 of them at hours 0–5 (before: none; 1.60%
    // and 11 until 2026-12-05, each pool score read against its own issued scale). Learned in full,
    // flagged readings too (until 2026-12-05): 8.0% missed, 1.59% flagged; the event-driven
    // figures above did not move. Since 2026-12-06 (scores of the stream's first day, issued on no
    // residual, no longer calibrate the interval; an open run's scores left out of the test): 5,538
    // readings, 8.8% missed (least allowed 8.0%), 1.52% flagged (exact 1.72%), 10 at hours 0–5.
    const r = total([1, 2, 3].map((seed) => walk(false, 90, seed)));
    expect(r.n).toBeGreaterThan(5000);
    expect(r.miss90).toBeLessThan(0.1 + slack(0.1, r.n));
    expect(r.miss90).toBeGreaterThan(r.least90 - slack(r.least90, r.n));
    expect(r.flag98).toBeLessThan(0.02 + slack(0.02, r.n));
    expect(Math.abs(r.flag98 - r.exact98)).toBeLessThan(slack(r.exact98, r.n));
    expect(r.flaggedBefore6).toBeGreaterThan(0);
    expect(r.wildWrong).toBe(0);
  });
});
