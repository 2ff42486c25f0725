import { describe, expect, it } from 'vitest';
import { localHour, slotLabel, tzOffsetMinutes } from './local-time.js';

describe('local time', () => {
  it('gives the offset of a zone at an instant, with daylight saving (IANA tz database: CET +1, CEST +2, EST −5, EDT −4)', () => {
    expect(tzOffsetMinutes('Europe/Paris', Date.parse('2026-01-15T12:00:00Z'))).toBe(60);
    expect(tzOffsetMinutes('Europe/Paris', Date.parse('2026-07-15T12:00:00Z'))).toBe(120);
    expect(tzOffsetMinutes('America/New_York', Date.parse('2026-01-15T12:00:00Z'))).toBe(-300);
    expect(tzOffsetMinutes('America/New_York', Date.parse('2026-07-15T12:00:00Z'))).toBe(-240);
    expect(tzOffsetMinutes('Asia/Kolkata', Date.parse('2026-07-15T12:00:00Z'))).toBe(330);
  });

  it('treats a missing or unknown zone as UTC', () => {
    expect(tzOffsetMinutes(undefined, 0)).toBe(0);
    expect(tzOffsetMinutes('Mars/Olympus', 0)).toBe(0);
  });

  it('reads times in the years 0–99 as those years (Date.UTC would take them for 1900–1999; until 2026-12-06 a 1,900-year offset)', () => {
    const at = Date.parse('0050-03-01T10:00:00Z');
    expect(tzOffsetMinutes('UTC', at)).toBe(0);
    // Etc/GMT-3 is +03:00 at every date (IANA tz database, etcetera: POSIX-style signs).
    expect(tzOffsetMinutes('Etc/GMT-3', at)).toBe(180);
    expect(localHour(at, 'UTC')).toBe(Math.floor(at / 3_600_000));
  });

  it('counts local hours since the epoch and names hour-of-week slots from Monday 00:00', () => {
    expect(localHour(Date.parse('1970-01-01T05:30:00Z'), 'UTC')).toBe(5);
    expect(localHour(Date.parse('1970-01-01T05:30:00Z'), 'Asia/Kolkata')).toBe(11);
    expect(slotLabel(0)).toBe('Monday 00:00');
    expect(slotLabel(34)).toBe('Tuesday 10:00');
    expect(slotLabel(167)).toBe('Sunday 23:00');
  });
});
