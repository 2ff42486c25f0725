import { describe, expect, it } from 'vitest';
import { nextSlotStart } from './send-at.js';

describe('next occurrence of a send slot', () => {
  it('finds the next start of the local hour of week (2026-11-30 is a Monday)', () => {
    expect(nextSlotStart(34, Date.parse('2026-11-30T08:00:00Z'), 'UTC')).toBe(Date.parse('2026-12-01T10:00:00Z'));
    // Already past Monday 07:00 this week: next week.
    expect(nextSlotStart(7, Date.parse('2026-11-30T08:00:00Z'), 'UTC')).toBe(Date.parse('2026-12-07T07:00:00Z'));
    // Inside the slot's hour: now.
    expect(nextSlotStart(8, Date.parse('2026-11-30T08:20:00Z'), null)).toBe(Date.parse('2026-11-30T08:20:00Z'));
  });

  it('uses the subject\'s zone and its offset at the send instant (Paris moves to UTC+2 on 2026-03-29, IANA tz rules)', () => {
    // Saturday 13:00 in Paris (UTC+1); Sunday 10:00 Paris is then UTC+2 → 08:00Z.
    expect(nextSlotStart(6 * 24 + 10, Date.parse('2026-03-28T12:00:00Z'), 'Europe/Paris')).toBe(Date.parse('2026-03-29T08:00:00Z'));
    // New York (UTC−5 in November): Tuesday 09:00 local = 14:00Z.
    expect(nextSlotStart(24 + 9, Date.parse('2026-11-30T12:00:00Z'), 'America/New_York')).toBe(Date.parse('2026-12-01T14:00:00Z'));
  });
});
