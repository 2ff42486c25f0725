import { describe, expect, it } from 'vitest';
import { Rng } from '../math/prng.js';
import { normal } from '../math/samplers.js';
import { normalCdf, normalQuantile } from '../math/special.js';
import { baselineEstimate, checkReading } from './baseline-estimate.js';
import { issueForecast } from './baseline-update.js';
import { learnReading } from './learn-reading.js';
import { createBaseline, defaultBaselineConfig } from './metric-baseline.js';

/**
 * A spend stream, N(100, 10) for 60 days stepping to N(160, 10) `shiftAgo` days before day 60
 * (0: never), about two orders a day (Poisson(2)) at random hours, cadence "events", walked as the
 * product walks it. At day 60, 12:00: the 90% interval against the true range of the new level,
 * 160 ± 10·z₀.₉₅ (normalQuantile), its true coverage (normal CDF), and whether a reading of 260,
 * 10 sd above the new level, is flagged. Also counts the flags of usual readings.
 */
function poisson(rng: Rng, mean: number): number {
  let k = 0; // Knuth's method
  let p = rng.float();
  while (p > Math.exp(-mean)) {
    k++;
    p *= rng.float();
  }
  return k;
}

function shifted(seed: number, shiftAgo: number, days = 60) {
  const rng = new Rng(seed);
  const s = createBaseline({ ...defaultBaselineConfig, pooledHorizons: true });
  const level = (day: number) => (shiftAgo > 0 && day >= days - shiftAgo ? 160 : 100);
  let usual = 0;
  let flagged = 0;
  for (let day = 0; day < days; day++) {
    const hours = Array.from({ length: poisson(rng, 2) }, () => rng.int(24)).sort((a, b) => a - b);
    for (const h of hours) {
      const t = day * 24 + h;
      const y = level(day) + 10 * normal(rng);
      if (s.readings > 0 && (!s.issued || s.issued.day < day)) issueForecast(s, day * 24);
      const verdict = checkReading(s, t, y, null);
      if (verdict.estimate.status === 'established') {
        usual++;
        if (verdict.anomaly) flagged++;
      }
      learnReading(s, t, y, verdict);
    }
  }
  const t = days * 24 + 12;
  if (!s.issued || s.issued.day < days) issueForecast(s, days * 24);
  const e = baselineEstimate(s, t, null);
  const mean = level(days - 1);
  return {
    width: (e.high - e.low) / (2 * 10 * normalQuantile(0.95)),
    coverage: normalCdf((e.high - mean) / 10) - normalCdf((e.low - mean) / 10),
    wild: checkReading(s, t, mean + 100, null).anomaly,
    usual,
    flagged,
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

describe('a level shift', () => {
  it('is recognised within days: the interval returns to its usual width and a reading 10 sd off is flagged again', () => {
    // Until 2026-12-06 the first flagged reading of the new level doubled the flag radius (its score,
    // kept at twice the radius, the pool's largest), the next readings went unflagged and were learned
    // in full, and the run of three that adopts a shift never came: 7, 14, 21 and 30 days after the
    // shift the median interval was 6.2, 6.7, 6.9 and 4.0 times the true range (1.4 never shifted),
    // covering 0.996–1.000, and the reading 10 sd off was flagged in 4, 1, 0 and 1 of 8 streams
    // (8 of 8 never shifted). Since (an open run's scores out of the test; a reading beyond every
    // score a step of a run while none can be flagged; the run's readings relearned, its scores
    // rewritten once the shift holds a day: learn-reading.ts): 1.4, 1.4, 1.5 and 1.7 times, covering
    // 0.94–0.97, flagged in 8, 7, 7 and 7 of 8.
    const rows = [0, 7, 14, 21, 30].map((ago) => {
      const runs = Array.from({ length: 8 }, (_, i) => shifted(500 + 100 * ago + i, ago));
      return { ago, width: median(runs.map((r) => r.width)), coverage: runs.reduce((a, r) => a + r.coverage, 0) / 8, wild: runs.filter((r) => r.wild).length };
    });
    const never = rows[0];
    for (const r of rows) {
      expect(r.wild, `${r.ago} days after`).toBeGreaterThanOrEqual(7);
      expect(r.width, `${r.ago} days after`).toBeLessThan(1.5 * never.width);
      expect(r.coverage, `${r.ago} days after`).toBeGreaterThan(0.85);
    }
  });

  it('keeps usual readings of a stable stream flagged at most 2% of the time (the conformal bound, Vovk et al. 2005)', () => {
    // 20 streams × 200 days: 71 of 7,103 usual readings flagged once established (1.00%; before
    // 2026-12-06 71 of 7,361, 0.96%: the stream is established later now, baseline-estimate.ts).
    const runs = Array.from({ length: 20 }, (_, i) => shifted(1 + i, 0, 200));
    const n = runs.reduce((a, r) => a + r.usual, 0);
    const flags = runs.reduce((a, r) => a + r.flagged, 0);
    expect(n).toBeGreaterThan(6000);
    expect(flags / n).toBeLessThanOrEqual(0.02);
  });
});
