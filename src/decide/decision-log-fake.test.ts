import { describe, expect, it } from 'vitest';
import type { OutcomePosition } from './decision-store.js';
import { fakeDecisionLog } from './decision-log-fake.js';
import type { OutcomeRecord } from './records.js';

const outcome = (id: string, at: number): OutcomeRecord => ({ id, at, profileKey: 'p1', type: 'view', value: null, decisionId: null, action: null, credit: 0, reward: 0, success: false, source: 'event' });

/** The fake log pages its outcomes as the stores do (src/store/conformance/decide-outcomes.case.ts). */
describe('the fake decision log reads outcomes a page at a time', () => {
  it('gives the rows of outcomesSince, in its order (one millisecond\'s in the order written), whatever the page size', async () => {
    const log = fakeDecisionLog({ outcomes: [outcome('early', 1), outcome('m3', 7), outcome('b', 5), outcome('m1', 7), outcome('m2', 7), outcome('z', 9)] });
    const whole = await log.store.outcomesSince(5);
    expect(whole.map((o) => o.id)).toEqual(['b', 'm3', 'm1', 'm2', 'z']);
    for (const limit of [1, 2, 3, 5, 10]) {
      const rows: OutcomeRecord[] = [];
      let after: OutcomePosition | undefined;
      let pages = 0;
      do {
        const page = await log.store.outcomesPage(5, { ...(after ? { after } : {}), limit });
        rows.push(...page.outcomes);
        after = page.next;
        pages++;
      } while (after && pages < 20);
      expect(rows, `pages of ${limit}`).toEqual(whole);
      expect(pages, `pages of ${limit}`).toBe(Math.floor(5 / limit) + 1);
    }
  });
});
