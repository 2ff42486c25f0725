import { describe, expect, it } from 'vitest';
import { createRng } from '../measure/stats/prng.js';
import { KeyGenerations } from './key-generations.js';

const MIN = 60_000;

describe('KeyGenerations', () => {
  it('holds a key until its time is before the cut, and a generation goes whole', () => {
    const keys = new KeyGenerations();
    keys.set('a', { at: 0, seq: 1 });
    keys.set('b', { at: MIN, seq: 2 });
    keys.turn(-1); // nothing before the cut yet
    keys.set('c', { at: 2 * MIN, seq: 3 });
    expect([keys.has('a'), keys.has('b'), keys.has('c'), keys.size, keys.generations]).toEqual([true, true, true, 3, 2]);
    // 'a' is before the cut but shares a generation with 'b', which is not: both stay.
    keys.turn(MIN);
    expect([keys.has('a'), keys.has('b'), keys.get('c')?.seq]).toEqual([true, true, 3]);
    keys.turn(MIN + 1);
    expect([keys.has('a'), keys.has('b'), keys.has('c'), keys.generations]).toEqual([false, false, true, 2]);
  });

  it('sift lets go of each key before the cut, one by one', () => {
    const keys = new KeyGenerations();
    for (let i = 0; i < 10; i++) keys.set(`k${i}`, { at: i * MIN, seq: i });
    keys.sift(7 * MIN);
    expect([keys.size, keys.has('k6'), keys.has('k7'), keys.has('k9')]).toEqual([3, false, true, true]);
    keys.turn(10 * MIN); // the sifted generation's newest is 9 minutes: let go now
    expect(keys.size).toBe(0);
  });

  it('turned every minute with a two-minute cut, holds every key of the last two minutes and few older (seeded random times)', () => {
    const rng = createRng(7_301);
    const keys = new KeyGenerations();
    const times = new Map<string, { at: number; setAt: number }>();
    let maxHeld = 0;
    const lost: string[] = [];
    const kept: string[] = [];
    for (let now = 0, n = 0; now < 30 * MIN; now += 1_000) {
      for (let i = 0; i < 20; i++, n++) {
        const at = now - Math.floor(rng() * rng() * 5 * MIN); // most recent, some minutes late
        keys.set(`k${n}`, { at, seq: n });
        times.set(`k${n}`, { at, setAt: now });
      }
      if (now % MIN === 0) keys.turn(now - 2 * MIN);
      maxHeld = Math.max(maxHeld, keys.size);
      if (now % 10_000 !== 0) continue;
      // Every key whose own time is within two minutes of the last turn is held; none set more than
      // four minutes ago is (its generation's newest time is at most the time it was set).
      const cut = Math.floor(now / MIN) * MIN - 2 * MIN;
      for (const [k, t] of times) {
        if (t.at >= cut && !keys.has(k)) lost.push(k);
        if (t.setAt < now - 4 * MIN && keys.has(k)) kept.push(k);
      }
      for (const [k, t] of times) if (t.setAt < now - 6 * MIN) times.delete(k);
    }
    expect([lost.length, kept.length]).toEqual([0, 0]);
    expect(keys.generations).toBeLessThanOrEqual(5);
    expect(maxHeld).toBeLessThanOrEqual(20 * 60 * 4);
  });
});
