import { describe, expect, it } from 'vitest';
import { MAX_ZONE_FORMATS, cachedZoneFormats, localMinutes } from './local-time.js';

describe('local time of a subject', () => {
  it('reads a zone name in any case, and keeps at most MAX_ZONE_FORMATS formatters however many spellings arrive', () => {
    const at = Date.parse('2026-06-01T21:30:00Z');
    expect(localMinutes(at, 'Europe/London')).toBe(22 * 60 + 30);
    expect(localMinutes(at, 'eUROPE/lONDON')).toBe(22 * 60 + 30);
    expect(localMinutes(at, 'Not/A_Zone')).toBeUndefined();
    // 2^12 spellings of one valid name (each letter of "europe/london" in either case) — a client sets
    // its time zone trait freely, so the cache must not grow with them.
    const letters = 'europe/london';
    for (let mask = 0; mask < 2 ** 12; mask++) {
      let name = '';
      let bit = 0;
      for (const ch of letters) name += ch === '/' ? ch : (mask >> bit++) & 1 ? ch.toUpperCase() : ch;
      expect(localMinutes(at, name)).toBe(22 * 60 + 30);
    }
    expect(cachedZoneFormats()).toBeLessThanOrEqual(MAX_ZONE_FORMATS);
  });
});
