import { describe, expect, it } from 'vitest';
import { HOUR_MS, OpenTrials } from './open-trials.js';

const DAY = 24 * HOUR_MS;
const T0 = Date.parse('2026-12-06T10:15:00Z');

describe('OpenTrials: choices inside their attribution windows, per hour of decision', () => {
  it('counts a choice open until the hour its window ends, then closed', () => {
    const o = new OpenTrials();
    o.add('winback', '', T0);
    expect(o.open('winback', '', T0, 7 * DAY)).toBe(1);
    // 6 days 23 hours on: still inside the window.
    expect(o.open('winback', '', T0 + 7 * DAY - HOUR_MS, 7 * DAY)).toBe(1);
    // The window ends at 10:15 seven days on; its hour (10:00–11:00) still counts it, the next does not.
    expect(o.open('winback', '', T0 + 7 * DAY, 7 * DAY)).toBe(1);
    expect(o.open('winback', '', T0 + 7 * DAY + HOUR_MS, 7 * DAY)).toBe(0);
    // A shorter window closes it sooner.
    expect(o.open('winback', '', T0 + 2 * DAY, DAY)).toBe(0);
  });

  it('keeps actions and groups apart, and adds choices to the sum it cached for the hour', () => {
    const o = new OpenTrials();
    o.add('winback', '', T0, 3);
    o.add('winback', 'segment:vip', T0);
    o.add('newsletter', '', T0);
    expect(o.open('winback', '', T0, 7 * DAY)).toBe(3);
    // Added after the sum was cached for this hour: counted without a new sum.
    o.add('winback', '', T0 + 60_000, 2);
    expect(o.open('winback', '', T0 + 60_000, 7 * DAY)).toBe(5);
    expect(o.open('winback', 'segment:vip', T0, 7 * DAY)).toBe(1);
    expect(o.open('newsletter', '', T0, 7 * DAY)).toBe(1);
    expect(o.open('shoes', '', T0, 7 * DAY)).toBe(0);
    // Eight days on, a choice of that hour is the only open one.
    o.add('winback', '', T0 + 8 * DAY);
    expect(o.open('winback', '', T0 + 8 * DAY, 7 * DAY)).toBe(1);
  });

  it('lets go of hours before the cut and sums again after a prune', () => {
    const o = new OpenTrials();
    o.add('winback', '', T0);
    o.add('winback', '', T0 + 3 * DAY);
    expect(o.open('winback', '', T0 + 3 * DAY, 30 * DAY)).toBe(2);
    o.prune(T0 + DAY);
    expect(o.open('winback', '', T0 + 3 * DAY, 30 * DAY)).toBe(1);
    o.prune(T0 + 4 * DAY);
    expect(o.open('winback', '', T0 + 3 * DAY, 30 * DAY)).toBe(0);
  });

  it('sums a group\'s successes among its open choices again as a success comes, the hour turns or a prune lets hours go', () => {
    const o = new OpenTrials();
    o.add('winback', 'segment:vip', T0, 4);
    o.add('winback', 'segment:vip', T0 + DAY, 4);
    o.addSuccess('winback', 'segment:vip', T0, 2);
    expect(o.successes('winback', 'segment:vip', T0 + DAY, 7 * DAY)).toBe(2);
    o.addSuccess('winback', 'segment:vip', T0 + DAY);
    expect(o.successes('winback', 'segment:vip', T0 + DAY, 7 * DAY)).toBe(3);
    // Another window in the same hour, then the hour T0's choices close in.
    expect(o.successes('winback', 'segment:vip', T0 + DAY, HOUR_MS * 30)).toBe(3);
    expect(o.successes('winback', 'segment:vip', T0 + 7 * DAY + HOUR_MS, 7 * DAY)).toBe(1);
    expect(o.successes('winback', 'segment:vip', T0 + DAY, 30 * DAY)).toBe(3);
    o.prune(T0 + DAY);
    expect(o.successes('winback', 'segment:vip', T0 + DAY, 30 * DAY)).toBe(1);
    // A success of an hour with no choice held (closed, or pruned) is not counted.
    o.addSuccess('winback', 'segment:vip', T0);
    expect(o.successes('winback', 'segment:vip', T0 + DAY, 30 * DAY)).toBe(1);
  });
});
