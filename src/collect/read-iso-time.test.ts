import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readIsoTime } from './normalize.js';

// Reference: ECMA-262 §21.4.3.2 (Date.parse): for a Date x whose time is whole milliseconds,
// Date.parse(x.toISOString()) returns x.valueOf(); §21.4.1.32 defines the toISOString form.
describe('readIsoTime', () => {
  it('reads the toISOString form (what analytics.js sends) as the instant it was written from', () => {
    // Years 100–9999: the range the digit-by-digit reading takes; the rest goes the long way.
    const instants = fc.integer({ min: Date.UTC(100, 0, 1), max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) });
    fc.assert(fc.property(instants, (ms) => {
      const text = new Date(ms).toISOString();
      expect(readIsoTime(text)).toBe(ms);
      expect(readIsoTime(text)).toBe(Date.parse(text));
    }), { numRuns: 20_000 });
  });

  it('reads the same instant through the long way for the forms around it', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: Date.UTC(2100, 0, 1) }), (ms) => {
      const iso = new Date(ms).toISOString();
      expect(readIsoTime(iso.replace('Z', '+00:00'))).toBe(ms);
      expect(readIsoTime(iso.replace('T', ' '))).toBe(ms);
      expect(readIsoTime(iso.replace('.', ','))).toBe(ms);
    }), { numRuns: 2_000 });
  });

  it('takes a leap day only in a leap year, and no day a month does not have', () => {
    expect(readIsoTime('2024-02-29T10:00:00.000Z')).toBe(Date.UTC(2024, 1, 29, 10));
    expect(readIsoTime('2000-02-29T10:00:00.000Z')).toBe(Date.UTC(2000, 1, 29, 10));
    for (const t of ['2023-02-29T10:00:00.000Z', '1900-02-29T10:00:00.000Z', '2026-02-30T10:00:00.000Z', '2026-04-31T00:00:00.000Z', '2026-13-01T00:00:00.000Z', '2026-00-10T00:00:00.000Z', '2026-01-00T00:00:00.000Z']) {
      expect(readIsoTime(t), t).toBeNaN();
    }
  });

  it('reads years before 100 as themselves, not as 1900 onwards (Date.UTC would)', () => {
    const fifty = new Date(0);
    fifty.setUTCFullYear(50, 0, 1);
    expect(readIsoTime('0050-01-01T00:00:00.000Z')).toBe(fifty.getTime());
  });

  it('refuses text in the canonical shape that is not a time', () => {
    for (const t of ['2026-11-23T25:00:00.000Z', '2026-11-23T10:60:00.000Z', '2026-11-23T10:00:61.000Z', '2026-1a-23T10:00:00.000Z', '2026-11-23T10:00:00.0x0Z', '2026-11-23T10:00:00.000X']) {
      expect(readIsoTime(t), t).toBeNaN();
    }
    // Hour 24 is ISO 8601's end of a day: the long way reads it as Date.parse does, or refuses it.
    expect(readIsoTime('2026-11-23T24:00:00.000Z')).toBe(Date.parse('2026-11-23T24:00:00.000Z'));
  });
});
