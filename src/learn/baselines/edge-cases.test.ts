import { describe, expect, it } from 'vitest';
import { Rng } from '../math/prng.js';
import { normal } from '../math/samplers.js';
import { type AnomalyVerdict, baselineEstimate, checkReading, isBaselineEstablished } from './baseline-estimate.js';
import { issueForecast, observeReading } from './baseline-update.js';
import { type BaselineState, createBaseline, hourOfDay } from './metric-baseline.js';

const at = '2026-01-01T00:00:00.000Z';

/** As the product folds a reading (src/models/baselines/baseline-step.ts): forecast at a new day, check at 98%, learn. */
function step(s: BaselineState, t: number, y: number): AnomalyVerdict {
  const day = Math.floor(t / 24);
  if (s.readings > 0 && (!s.issued || s.issued.day < day)) issueForecast(s, day * 24);
  const verdict = checkReading(s, t, y, at, 0.98);
  observeReading(s, t, y);
  return verdict;
}

/** Hourly readings of a sensor-like stream (daily cycle + N(0, 3²) noise) over [from, to). */
function feed(s: BaselineState, from: number, to: number, rng: Rng): void {
  for (let t = from; t < to; t++) step(s, t, 50 + 10 * Math.sin((2 * Math.PI * hourOfDay(t)) / 24) + 3 * normal(rng));
}

describe('baseline edge cases', () => {
  it('a stream that never varies does not flag its own value, and flags one that differs', () => {
    for (const c of [0, -5.3, 0.1, 7, 123_456.789, 1e9]) {
      const s = createBaseline();
      const flagged: number[] = [];
      for (let t = 0; t < 60 * 24; t++) if (step(s, t, c).anomaly) flagged.push(t);
      expect(isBaselineEstablished(s), `${c}`).toBe(true);
      expect(flagged, `constant ${c}: readings equal to every one before were flagged`).toEqual([]);
      // 60·24 + 12 is 13 h after the last reading: the 13–24 h bucket, whose weight bounds 98%.
      expect(checkReading(s, 60 * 24 + 12, c * 1.01 + 0.01, at).anomaly, `${c}`).toBe(true);
    }
  });

  it('a reading too large to square in a double leaves the baseline finite, and is flagged once established', () => {
    const s = createBaseline();
    const rng = new Rng(5);
    feed(s, 0, 30 * 24, rng);
    // At 12:00 (13 h ahead; horizons under 7 h have too little weight to bound a 98% range).
    expect(step(s, 30 * 24 + 12, 1e160)).toMatchObject({ anomaly: true, reason: 'outside-range' });
    feed(s, 30 * 24 + 13, 40 * 24, rng);
    const e = baselineEstimate(s, 40 * 24, at);
    expect(e.status).toBe('established');
    for (const x of [e.value, e.low, e.high]) expect(Number.isFinite(x)).toBe(true);
    expect(e.low).toBeGreaterThan(20);
    expect(e.high).toBeLessThan(80);
    // Stored as JSON, an Infinity or NaN would come back as null.
    for (const x of [s.rhoXY, s.rhoXX, s.levelSum, ...s.hourSum, ...s.absSum, ...s.weekdaySum]) expect(Number.isFinite(x)).toBe(true);
  });

  it('a late reading (an older timestamp, e.g. an offline SDK queue) neither makes an established baseline stale nor restarts it', () => {
    const s = createBaseline();
    const rng = new Rng(6);
    feed(s, 0, 60 * 24, rng);
    const days = s.days;
    expect(isBaselineEstablished(s, 60 * 24)).toBe(true);
    step(s, 20 * 24 + 9, 52); // 40 days late
    expect(s.lastHour).toBe(60 * 24 - 1);
    expect(s.days).toBe(days);
    expect(isBaselineEstablished(s, 60 * 24)).toBe(true);
    expect(baselineEstimate(s, 60 * 24, at)).toMatchObject({ status: 'established', source: 'personal' });
    step(s, 60 * 24, 50);
    expect(s.resumed ?? null).toBeNull();
    expect(checkReading(s, 60 * 24 + 12, 500, at)).toMatchObject({ anomaly: true, reason: 'outside-range' });
  });

  it('after one reading: the reading as its value, no bounds yet, learning, one reading of evidence', () => {
    const s = createBaseline();
    step(s, 100, 42);
    expect(baselineEstimate(s, 101, at)).toMatchObject({ value: 42, low: -Infinity, high: Infinity, status: 'learning', source: 'population', evidence: 1 });
    expect(checkReading(s, 101, 1e6, at)).toMatchObject({ anomaly: false, reason: 'learning' });
  });
});
