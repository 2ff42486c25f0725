import { describe, expect, it } from 'vitest';
import { Rng } from '../math/prng.js';
import { normal } from '../math/samplers.js';
import { baselineEstimate, checkReading, isBaselineEstablished } from './baseline-estimate.js';
import { issueForecast, observeReading } from './baseline-update.js';
import { type BaselineState, createBaseline, defaultBaselineConfig, hourOfDay } from './metric-baseline.js';
import { describeEstimate } from '../estimate.js';

/** Hour index (hours since 1970-01-01T00:00) of an ISO time: the baselines' clock. */
const hour = (iso: string) => Date.parse(iso) / 3_600_000;
const at = '2026-01-01T00:00:00.000Z';

/** Hourly readings of a sensor-like stream (daily cycle + N(0, 3²) noise) over [from, to), issuing the forecast each day. */
function feed(s: BaselineState, from: number, to: number, rng: Rng): void {
  for (let t = from; t < to; t++) {
    if (s.readings > 0 && (!s.issued || s.issued.day < Math.floor(t / 24))) issueForecast(s, Math.floor(t / 24) * 24);
    observeReading(s, t, 50 + 10 * Math.sin((2 * Math.PI * hourOfDay(t)) / 24) + 3 * normal(rng));
  }
}

describe('a baseline whose subject stopped sending readings', () => {
  // 30 days of hourly readings, 2026-01-05T00:00Z … 2026-02-03T23:00Z: established (baselines.test.ts).
  const start = hour('2026-01-05T00:00:00Z');
  const last = hour('2026-02-03T23:00:00Z');
  const established = () => {
    const s = createBaseline();
    feed(s, start, last + 1, new Rng(11));
    return s;
  };

  it('defaults to 30 days without readings', () => {
    expect(defaultBaselineConfig.staleAfterDays).toBe(30);
  });

  it('stays established, and flags, up to 30 days after the last reading', () => {
    const s = established();
    expect(s.lastHour).toBe(last);
    expect(isBaselineEstablished(s)).toBe(true);
    const t = hour('2026-03-05T22:00:00Z'); // 29 days 23 hours after the last reading
    expect(t - last).toBe(30 * 24 - 1);
    expect(baselineEstimate(s, t, at)).toMatchObject({ status: 'established', source: 'personal' });
    expect(checkReading(s, t, 500, at)).toMatchObject({ anomaly: true, reason: 'outside-range' });
  });

  it('is "learning" with reason "stale" after 30 days without readings, and raises no flag', () => {
    const s = established();
    const t = hour('2026-03-05T23:00:00Z'); // exactly 30 days after the last reading
    expect(t - last).toBe(30 * 24);
    expect(isBaselineEstablished(s, t)).toBe(false);
    expect(baselineEstimate(s, t, at)).toMatchObject({ status: 'learning', reason: 'stale', source: 'population' });
    expect(checkReading(s, t, 500, at)).toMatchObject({ anomaly: false, reason: 'stale' });
    expect(checkReading(s, hour('2026-09-01T12:00:00Z'), 500, at)).toMatchObject({ anomaly: false, reason: 'stale' });
  });

  it('after the gap, only fresh readings re-establish it: minDays days, minScoresPerBucket fresh scores per horizon, and weight enough to bound the interval', () => {
    const s = established();
    const back = hour('2026-03-20T00:00:00Z'); // 44 days after the last reading
    const rng = new Rng(12);
    feed(s, back, back + 24, rng); // one day of fresh readings
    expect(s.resumed).toEqual({ hour: back, days: 1 });
    const e = baselineEstimate(s, back + 24, at);
    expect(e).toMatchObject({ status: 'learning', reason: 'stale' });
    // Its reading says why without saying the readings stopped: they came back, too few yet.
    expect(describeEstimate(e, false)).toContain('learning, stale after a gap in its readings');
    expect(checkReading(s, back + 24, 500, at)).toMatchObject({ anomaly: false, reason: 'stale' });
    // Hourly readings score 2 forecasts a day in the 1–2 h bucket (horizons 1 and 2 of the forecast
    // issued at 00:00 after the 23:00 reading). The first fresh day scores none there (its forecast
    // was issued 44 days after the last reading: horizon > 24 h), so 20 fresh scores take 1 + 10 days.
    feed(s, back + 24, back + 11 * 24, rng);
    expect(s.scores[0].filter((x) => x[0] >= back).length).toBe(20);
    // Their weight (halving every 14 days) is still under the 19 newest-score units a 90% interval
    // needs (weighted conformal, Barber et al. 2023): still learning. It gets there at 01:00 of the
    // 14th fresh day (26 scores).
    expect(baselineEstimate(s, back + 11 * 24, at)).toMatchObject({ status: 'learning', reason: 'stale' });
    feed(s, back + 11 * 24, back + 13 * 24 + 1, rng);
    expect(s.resumed).not.toBeNull();
    expect(checkReading(s, back + 13 * 24 + 1, 500, at).anomaly).toBe(false);
    feed(s, back + 13 * 24 + 1, back + 13 * 24 + 2, rng);
    expect(s.resumed).toBeNull();
    feed(s, back + 13 * 24 + 2, back + 14 * 24, rng);
    issueForecast(s, back + 14 * 24);
    expect(baselineEstimate(s, back + 14 * 24 + 15, at)).toMatchObject({ status: 'established', source: 'personal' });
    expect(baselineEstimate(s, back + 14 * 24 + 15, at).reason).toBeUndefined();
    expect(checkReading(s, back + 14 * 24 + 15, 500, at)).toMatchObject({ anomaly: true, reason: 'outside-range' });
  });

  it('uses a configured staleAfterDays (2 days)', () => {
    const s = createBaseline({ ...defaultBaselineConfig, staleAfterDays: 2 });
    feed(s, start, last + 1, new Rng(11));
    expect(baselineEstimate(s, last + 47, at).status).toBe('established');
    expect(baselineEstimate(s, last + 48, at)).toMatchObject({ status: 'learning', reason: 'stale' });
  });
});
