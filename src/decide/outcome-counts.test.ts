import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OutcomeCounts } from './outcome-counts.js';

describe('outcome counts', () => {
  it('keep each subject’s counts per action exactly as a map of maps would (any order of trials and successes)', () => {
    // `at`: when each happened, in any order — the counts keep the newest.
    const op = fc.record({ success: fc.boolean(), action: fc.constantFrom('a', 'b', 'c', 'd', 'e'), subject: fc.constantFrom('p1', 'p2', 'p3'), n: fc.integer({ min: 1, max: 3 }), at: fc.integer({ min: 1, max: 1_000 }) });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const counts = new OutcomeCounts();
        const model = new Map<string, { successes: number; trials: number }>();
        const newest = new Map<string, number>();
        for (const o of ops) {
          if (o.success) counts.success(o.action, o.subject, o.n, undefined, undefined, undefined, undefined, o.at);
          else counts.trial(o.action, o.subject, o.n, undefined, undefined, o.at);
          const k = `${o.subject}|${o.action}`;
          const m = model.get(k) ?? { successes: 0, trials: 0 };
          if (o.success) m.successes += o.n;
          else m.trials += o.n;
          model.set(k, m);
          newest.set(o.action, Math.max(newest.get(o.action) ?? 0, o.at));
        }
        for (const subject of ['p1', 'p2', 'p3', 'p4']) {
          for (const action of ['a', 'b', 'c', 'd', 'e', 'f']) {
            expect(counts.personalCounts(action, subject)).toEqual(model.get(`${subject}|${action}`));
          }
        }
        const sum = (action: string, keys: string[]) => {
          const found = keys.map((k) => model.get(`${k}|${action}`)).filter((x) => x !== undefined);
          return found.length ? { successes: found.reduce((t, x) => t + x.successes, 0), trials: found.reduce((t, x) => t + x.trials, 0) } : undefined;
        };
        for (const action of ['a', 'c', 'f']) expect(counts.personalCounts(action, 'p1', ['p2', 'p4'])).toEqual(sum(action, ['p1', 'p2', 'p4']));
        for (const action of ['a', 'b', 'f']) expect(counts.population(action).at).toBe(newest.get(action) ?? 0);
      }),
      { numRuns: 300 },
    );
  });

  it('sum population and group counts across subjects', () => {
    const c = new OutcomeCounts();
    c.trial('winback', 'p1', 1, ['segment:vip'], 'd1', 100);
    c.trial('winback', 'p2', 2, undefined, undefined, 300);
    c.success('winback', 'p1', 1, 'd1', undefined, undefined, undefined, 200);
    // `at`: when each last changed — the group by d1's choice and success, the population by p2's choice too.
    expect(c.population('winback')).toMatchObject({ successes: 1, trials: 3, at: 300 });
    expect(c.group('winback', 'segment:vip')).toMatchObject({ successes: 1, trials: 1, at: 200 });
  });
});
