import { describe, expect, it } from 'vitest';
import { parseColumnMap, rowToMessage } from './column-map.js';

describe('CSV column map', () => {
  it('reads a :date column\'s date-time without an offset as UTC, whatever this machine\'s time zone', () => {
    const tz = process.env.TZ;
    process.env.TZ = 'Asia/Tokyo';
    try {
      const map = parseColumnMap('userId=user,event=name,timestamp=at:date');
      for (const at of ['2026-02-01 10:00:00', '2026-02-01T10:00', '2026-02-01T19:00:00+09:00']) {
        expect(rowToMessage({ user: 'u1', name: 'Order Completed', at }, map).timestamp, at).toBe('2026-02-01T10:00:00.000Z');
      }
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  });
});
