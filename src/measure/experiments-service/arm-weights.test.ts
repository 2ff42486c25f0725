import { afterEach, describe, expect, it } from 'vitest';
import { KEYS, bearer, harness, type Harness } from '../../../test/harness.js';
import { measureShop } from '../simulation.js';
import { armShares, assign } from '../experiments/assignment.js';
import { checkExperiments } from './experiments-kind.js';

const huge = { big: { placement: 'home', arms: [{ id: 'a', weight: 1.5e308 }, { id: 'b', weight: 1e308 }, { id: 'c', weight: 1 }] } };

describe('arm weights whose sum is not finite (1.5e308 + 1e308 = Infinity in a double)', () => {
  let h: Harness | undefined;
  afterEach(async () => h?.close());

  it('are refused, naming the arm whose weight takes the sum past the largest number', () => {
    expect(1.5e308 + 1e308).toBe(Infinity);
    expect(checkExperiments(huge)).toEqual([{ field: 'big.arms[1].weight', message: expect.stringMatching(/^The arms' weights up to this one sum to more than the largest number/) }]);
    // Each weight alone is finite and positive: the sum is what fails.
    expect(checkExperiments({ big: { ...huge.big, arms: huge.big.arms.slice(0, 1).concat(huge.big.arms.slice(2)) } })).toEqual([]);
  });

  it('are refused by PUT /v1/config/experiments with a 400 naming the field, and nothing is written', async () => {
    h = await harness('sqlite', { config: measureShop() });
    const r = await h.app.inject({ method: 'PUT', url: '/v1/config/experiments', headers: { authorization: bearer(KEYS.admin) }, payload: { document: huge, reason: 'test' } });
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().problems.map((p: { field: string }) => p.field)).toEqual(['big.arms[1].weight']);
    expect(await h.tact.store.documents.latest('experiments')).toBeUndefined();
  });

  it('keep their ratio where one stored before is read (was: every share 0, then equal thirds)', () => {
    // 3,000 subjects: about 60% / 40% / none (equal thirds would put ~1,000 in c).
    const design = { salt: 'big', arms: huge.big.arms };
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 3000; i++) {
      const a = assign(`big-${i}`, design);
      if (a.kind === 'arm') counts[a.armId]++;
    }
    expect(counts.c).toBe(0);
    expect(counts.a).toBeGreaterThan(1650);
    expect(counts.b).toBeGreaterThan(1050);
    const shares = armShares([1.5e308, 1e308, 1]);
    expect(shares[0]).toBeCloseTo(0.6, 12);
    expect(shares[1]).toBeCloseTo(0.4, 12);
    expect(shares[2]).toBeLessThan(1e-300);
    // Ordinary weights are shares as before.
    expect(armShares([1, 1, 2])).toEqual([0.25, 0.25, 0.5]);
    expect(armShares([0, -1])).toEqual([0.5, 0.5]);
  });
});
