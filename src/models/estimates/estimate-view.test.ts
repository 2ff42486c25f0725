import { describe, expect, it } from 'vitest';
import type { Estimate } from '../../learn/estimate.js';
import { decodeEstimate, encodeEstimate } from './estimate-json.js';
import { clean, estimateView } from './estimate-view.js';

const e: Estimate = { value: 0.31, low: 0.242, high: 0.384, level: 0.9, evidence: 120, source: 'personal', status: 'established', modelVersion: 'rates@2', updatedAt: '2026-01-01T00:00:00.000Z' };

describe('estimates as stored and as shown', () => {
  it('round-trips unbounded intervals and undefined values through JSON', () => {
    const open = { ...e, value: NaN, low: -Infinity, high: Infinity };
    const back = decodeEstimate(encodeEstimate(open))!;
    expect(back.low).toBe(-Infinity);
    expect(back.high).toBe(Infinity);
    expect(back.value).toBeNaN();
    expect(decodeEstimate(encodeEstimate(e))).toEqual(e);
    expect(encodeEstimate(null)).toBeNull();
  });

  it('reads an estimate in words, and says "learning, not enough data yet" when nothing bounds it', () => {
    expect(estimateView(e, 'share').reading).toBe('31.0% (90% 24.2%–38.4%, n=120, personal, established)');
    expect(estimateView({ ...e, value: 312, low: 120, high: 700 }, 'number').reading).toBe('312 (90% 120–700, n=120, personal, established)');
    const thin = estimateView({ ...e, low: -Infinity, high: Infinity, evidence: 2, source: 'population', status: 'learning' }, 'share');
    expect(thin).toMatchObject({ low: null, high: null, reading: 'learning, not enough data yet (n=2, current guess 31.0%, population)' });
  });

  it('says why a stale baseline is learning', () => {
    const stale = estimateView({ ...e, value: 312, low: 120, high: 700, source: 'population', status: 'learning', reason: 'stale' }, 'number');
    expect(stale).toMatchObject({ status: 'learning', reason: 'stale', reading: '312 (90% 120–700, n=120, population, learning, stale after a gap in its readings)' });
    expect(estimateView(e, 'share')).not.toHaveProperty('reason');
  });

  it('says how many of an action rate\'s trials are inside their attribution windows, and what they count as once the delay is learned', () => {
    const pending = { ...e, value: 0.005, low: 0, high: 0.146, evidence: 193, source: 'population' as const, status: 'learning' as const, reason: 'pending' as const };
    expect(estimateView({ ...pending, open: { choices: 190 } }, 'share')).toMatchObject({
      open: { choices: 190 },
      reading: '0.5% (90% 0.0%–14.6%, n=193, 190 inside their windows, population, learning, outcomes of recent choices still to come)',
    });
    expect(estimateView({ ...pending, value: 0.047, open: { choices: 190, exposure: 57.3456 } }, 'share')).toMatchObject({
      open: { choices: 190, exposure: 57.35 },
      reading: '4.7% (90% 0.0%–14.6%, n=193, 190 inside their windows (weighed as 57.3 by the delay learned), population, learning, outcomes of recent choices still to come)',
    });
    expect(estimateView(e, 'share')).not.toHaveProperty('open');
  });

  it('cleans non-finite numbers deep inside a report', () => {
    expect(clean({ a: NaN, b: [1, Infinity], c: { d: -Infinity, e: 'x' } })).toEqual({ a: null, b: [1, null], c: { d: null, e: 'x' } });
  });
});
