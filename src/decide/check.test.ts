import { describe, expect, it } from 'vitest';
import { Checker } from './check.js';

describe('Checker.duration', () => {
  it('takes a positive duration and nothing', () => {
    const c = new Checker();
    expect([c.duration('7d', 'a'), c.duration('1.5h', 'b'), c.duration(undefined, 'c')]).toEqual([true, true, true]);
    expect(c.problems).toEqual([]);
  });

  it('says a zero duration must be longer than zero, not that it is no duration (QA: "0s" read as unreadable)', () => {
    const c = new Checker();
    expect(c.duration('0s', 'interval')).toBe(false);
    expect(c.duration('0d', 'webhook.backoff')).toBe(false);
    expect(c.problems).toEqual([
      { field: 'interval', message: 'The `interval` must be longer than zero; it was "0s".' },
      { field: 'webhook.backoff', message: 'The `webhook.backoff` must be longer than zero; it was "0d".' },
    ]);
  });

  it('says what a duration looks like when the value is none', () => {
    const c = new Checker();
    for (const v of ['-5s', '7D', 'soon', 7]) c.duration(v, 'bucket');
    expect(c.problems.map((p) => p.message)).toEqual(Array(4).fill('The `bucket` must be a duration such as "7d", "12h" or "30m".'));
  });
});
