import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecentIds } from './recent-ids.js';

describe('the dedupe window', () => {
  it('answers as a first-in-first-out set of the last `capacity` distinct ids, through evictions that shift probed slots', () => {
    // A small window over a small alphabet: ids repeat, slots collide, and evictions shift entries back.
    fc.assert(
      // A table that starts at 2, 4 or 8 slots doubles on the way (its ring with it), one that starts at the default does not.
      fc.property(fc.integer({ min: 1, max: 24 }), fc.constantFrom(2, 4, 8, 8192), fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 60 })), { maxLength: 400 }), (capacity, initial, ops) => {
        const ids = new RecentIds(capacity, initial);
        const order: string[] = [];
        for (const [isAdd, n] of ops) {
          const id = `m-${n}`;
          if (isAdd) {
            if (!order.includes(id)) {
              if (order.length === capacity) order.shift();
              order.push(id);
            }
            ids.add(id);
          }
          expect(ids.has(id)).toBe(order.includes(id));
          expect(ids.size).toBe(order.length);
        }
        for (let n = 0; n <= 60; n++) expect(ids.has(`m-${n}`), `m-${n}`).toBe(order.includes(`m-${n}`));
      }),
      { numRuns: 300, seed: 11 },
    );
  });

  it('starts small and grows to the window as ids arrive, keeping each one and their order of eviction', () => {
    const ids = new RecentIds(4_000_000);
    expect(ids.slots).toBe(8192); // 64 KB, not the 64 MB a full window of 4 million needs
    for (let n = 0; n < 50_000; n++) ids.add(`g-${n}`);
    expect(ids.size).toBe(50_000);
    expect(ids.slots).toBe(131_072); // the first power of two over twice the ids held
    for (let n = 0; n < 50_000; n++) if (!ids.has(`g-${n}`)) throw new Error(`g-${n} was lost while the table grew`);
    expect(ids.has('g-50000')).toBe(false);
    // A window of 3,000 reached while growing evicts the oldest first, as one made full-size does.
    const small = new RecentIds(3_000, 2);
    for (let n = 0; n < 3_500; n++) small.add(`e-${n}`);
    expect(small.size).toBe(3_000);
    expect(small.slots).toBe(8192);
    expect([small.has('e-499'), small.has('e-500'), small.has('e-3499')]).toEqual([false, true, true]);
  });
});
