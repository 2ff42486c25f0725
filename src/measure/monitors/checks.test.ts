import { describe, expect, it } from 'vitest';
import { calibrationCheck, rateCheck, volumeCheck } from './checks.js';

describe('monitor checks', () => {
  it('rate: a tripled unsubscribe rate on 1000 exposures is far outside the band; thin data is not enough evidence', () => {
    const r = rateCheck({ events: 30, trials: 1000 }, { events: 100, trials: 10_000 }, 0.001);
    expect(r.enoughEvidence).toBe(true);
    expect(r.pHigh).toBeLessThan(1e-5);
    expect(r.observed).toBeGreaterThan(r.expected.high);
    expect(rateCheck({ events: 3, trials: 20 }, { events: 100, trials: 10_000 }, 0.001).enoughEvidence).toBe(false);
  });
  it('rate: the band widens when the baseline is thin (its own uncertainty counts)', () => {
    const wide = rateCheck({ events: 10, trials: 1000 }, { events: 5, trials: 500 }, 0.001);
    const narrow = rateCheck({ events: 10, trials: 1000 }, { events: 1000, trials: 100_000 }, 0.001);
    expect(wide.expected.high - wide.expected.low).toBeGreaterThan(narrow.expected.high - narrow.expected.low);
  });
  it('volume: five times the usual hourly volume', () => {
    const v = volumeCheck(500, 168 * 100, 168, 0.001);
    expect(v.pHigh).toBeLessThan(1e-10);
    expect(v.expected.low).toBeLessThan(100);
    expect(v.expected.high).toBeGreaterThan(100);
  });
  it('calibration: 60 observed against 100 predicted is a drift; 97 is not', () => {
    expect(calibrationCheck(60, 100, 5, 0.001).pLow).toBeLessThan(0.001);
    expect(calibrationCheck(97, 100, 5, 0.001).pLow).toBeGreaterThan(0.1);
  });
});
