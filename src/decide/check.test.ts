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

describe('Checker.id', () => {
  it('says an id must start with a letter or digit, which is what `-offer-a` lacks (QA: told it must be an id of the characters it holds)', () => {
    const c = new Checker();
    expect([c.id('offer-a', 'a'), c.id('9.b:c_d', 'b')]).toEqual([true, true]);
    for (const v of ['-offer-a', '.x', 'has space', 'x'.repeat(129), 7]) c.id(v, 'actions[0].id');
    expect(c.problems.map((p) => p.message)).toEqual(Array(5).fill('The `actions[0].id` must be an id that starts with a letter or digit and holds only letters, digits, `_`, `-`, `.` or `:` (at most 128 characters).'));
  });
});
