import { describe, expect, it } from 'vitest';
import { settleEventTime } from './event-time.js';

describe('settleEventTime (the clock correction of an imported line)', () => {
  it('reads a date-time without an offset as UTC, as the collection API does, whatever this machine\'s time zone', () => {
    // `tact import` runs on an operator's laptop, rarely set to UTC.
    const tz = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      // Segment's formula: timestamp = receivedAt − (sentAt − originalTimestamp) = 10:00:06 − 1 s.
      const skewed: Record<string, unknown> = { originalTimestamp: '2024-03-01T10:00:00', sentAt: '2024-03-01T10:00:01Z', receivedAt: '2024-03-01T10:00:06Z' };
      settleEventTime(skewed);
      expect(skewed.timestamp).toBe('2024-03-01T10:00:05.000Z');
      const noReceipt: Record<string, unknown> = { timestamp: '2024-03-01 10:00:00', sentAt: '2024-03-01T10:00:01Z' };
      settleEventTime(noReceipt);
      expect(noReceipt.timestamp).toBe('2024-03-01T10:00:00.000Z');
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  });

  it('refuses a receivedAt that is not an ISO-8601 time, naming it, rather than guessing a date from it or letting the server correct against the import\'s time', () => {
    for (const receivedAt of ['yesterday 2024', 'garbage', true, {}]) {
      const m: Record<string, unknown> = { originalTimestamp: '2024-03-01T10:00:00Z', sentAt: '2024-03-01T10:00:01Z', receivedAt };
      const problem = settleEventTime(m);
      expect(problem?.field, String(receivedAt)).toBe('receivedAt');
      expect(problem?.message).toMatch(/^The `receivedAt` .* is not a time \(an ISO-8601 date-time, or milliseconds since 1970\)/);
      expect(m.sentAt).toBe('2024-03-01T10:00:01Z');
      expect(m.timestamp).toBeUndefined();
    }
    // Without a sentAt it would correct nothing, but it is still no time: refused the same.
    expect(settleEventTime({ timestamp: '2024-03-01T10:00:00Z', receivedAt: 'garbage' })?.message).toContain('The `receivedAt` "garbage" is not a time');
    expect(settleEventTime({ timestamp: '2024-03-01T10:00:00Z', receivedAt: null })).toBeUndefined();
  });
});
