import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecentIds } from './recent-ids.js';

describe('the dedupe window', () => {
  it('answers as a first-in-first-out set of the last `capacity` distinct ids, through evictions that shift probed slots', () => {
    // A small window over a small alphabet: ids repeat, slots collide, and evictions shift entries back.
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 24 }), fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 60 })), { maxLength: 400 }), (capacity, ops) => {
        const ids = new RecentIds(capacity);
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
});
