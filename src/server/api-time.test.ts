import { describe, expect, it } from 'vitest';
import { apiTime, isApiTime } from './api-time.js';

describe('the API\'s date-time', () => {
  it('takes what the collection reads as a time, and nothing Date cannot hold', () => {
    // RFC 3339 §5.6 forms, and the ISO 8601 ones the collection also reads (hours-only offset, a space before the time).
    expect(apiTime('2026-12-05T10:00:00Z')).toBe(Date.UTC(2026, 11, 5, 10));
    expect(apiTime('2026-12-05T10:00:00.250+01:00')).toBe(Date.UTC(2026, 11, 5, 9, 0, 0, 250));
    expect(apiTime('2026-12-05T10:00:00+01')).toBe(Date.UTC(2026, 11, 5, 9));
    expect(apiTime('2026-12-05 10:00:00-0230')).toBe(Date.UTC(2026, 11, 5, 12, 30));
    expect(apiTime(undefined)).toBeUndefined();
    for (const t of ['2026-12-05T10:00:00Z', '2026-12-05T10:00:00+01', '2026-12-05T10:00:00']) expect(isApiTime(t), t).toBe(true);
    // A leap second (RFC 3339 allows it, Date does not), a day no calendar has, free text Date.parse would read.
    for (const t of ['2016-12-31T23:59:60Z', '2026-02-30T10:00:00Z', 'Dec 5 2026', '', '2026-12-05T25:00:00Z']) expect(isApiTime(t), t).toBe(false);
  });
});
