import { describe, expect, it } from 'vitest';
import { TtlCache } from './ttl-cache.js';

describe('TtlCache', () => {
  it('serves an entry for ttl, then forgets it', () => {
    const c = new TtlCache<string>(1000, 100);
    c.set('a', 'x', 10_000);
    expect(c.get('a', 10_000)).toBe('x');
    expect(c.get('a', 10_999)).toBe('x');
    expect(c.get('a', 11_000)).toBeUndefined();
    expect(c.get('a', 9_000)).toBeUndefined(); // the clock went back
  });

  it('keeps only what was set in the last two ttls, however many keys were ever seen', () => {
    const c = new TtlCache<number>(1000, 1_000_000);
    for (let i = 0; i < 100_000; i++) c.set(`k${i}`, i, i); // one key a millisecond for 100 s
    expect(c.size).toBeLessThanOrEqual(2000);
    expect(c.get('k99999', 99_999)).toBe(99_999);
    expect(c.get('k99500', 99_999)).toBe(99_500); // set 499 ms earlier, in the young or the old map
    expect(c.get('k98000', 99_999)).toBeUndefined();
  });

  it('rotates early when the young map is full, and never serves an expired entry across a rotation', () => {
    const c = new TtlCache<number>(1000, 10);
    for (let i = 0; i < 25; i++) c.set(`k${i}`, i, 5_000);
    expect(c.size).toBeLessThanOrEqual(20);
    expect(c.get('k24', 5_500)).toBe(24);
    c.set('late', 1, 5_999);
    expect(c.get('late', 6_998)).toBe(1); // after one timed rotation, still within its ttl
    expect(c.get('late', 6_999)).toBeUndefined();
  });
});
