import { afterEach, describe, expect, it } from 'vitest';
import { KEYS, afterTraining, harness, send, type Harness } from '../../../test/harness.js';
import { MIN_HELD_OUT, compareHits } from './recommend-comparator.js';

const config = {
  features: [{ name: 'viewed', kind: 'unique', event: 'Product Viewed', property: 'product_id', limit: 50 }],
  recommendations: { interactions: [{ event: 'Product Viewed', property: 'product_id' }], history: ['viewed'], algorithm: 'cooccurrence' },
};
const DAY = 86_400_000;
const view = (h: Harness, userId: string, product_id: string, at: number) =>
  send(h.app, '/v1/track', { userId, event: 'Product Viewed', properties: { product_id }, timestamp: new Date(at).toISOString() });

describe('promotion of a recommendations version', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  it('goes live when it ranks held-out interactions the live version never saw at least as well, and is refused without enough of them', async () => {
    h = await harness('sqlite', { config });
    // Ten days ago: shoes go with socks, and a dozen other items are browsed alone.
    const old = Date.now() - 10 * DAY;
    for (let u = 0; u < 40; u++) {
      await view(h, `old-${u}`, 'sku-shoe', old + u * 10);
      await view(h, `old-${u}`, u % 2 ? 'sku-socks' : `sku-misc-${u % 12}`, old + u * 10 + 1);
    }
    const [v1] = await h.tact.learning.train(['recommendations']);
    await afterTraining();
    expect(v1.promotion).toMatchObject({ promoted: true, reason: 'first version: there is no live version to compare with' });

    // Since then: caps, laces and hats are bought together — items the live version has never seen.
    const now = Date.now();
    const trio = ['sku-cap', 'sku-laces', 'sku-hat'];
    for (let u = 0; u < 45; u++) {
      const order = [0, 1, 2].map((k) => trio[(u + k) % 3]);
      for (let k = 0; k < 3; k++) await view(h, `new-${u}`, order[k], now + u * 3 + k);
    }
    await new Promise((r) => setTimeout(r, 200));
    const [v2] = await h.tact.learning.train(['recommendations']);
    await afterTraining();
    expect(v2.promotion?.promoted, v2.promotion?.reason).toBe(true);
    expect(v2.promotion?.comparison?.figures).toMatchObject({ heldOut: 45, liveRecall: 0 });
    expect((v2.promotion?.comparison?.figures as { candidateRecall: number }).candidateRecall).toBeGreaterThan(0.9);
    expect(v2.promotion?.reason).toMatch(/^the comparison with version 1 lets it go live: on 45 held-out subjects recall@10 is 1 for version 2 against 0 for version 1/);
    // The recorded reason carries the interval, with a width: 45 of 45 is not a certainty.
    expect(v2.promotion?.reason).toMatch(/\(difference 1, 95% Newcombe interval \[0\.889, 1\]\): the candidate is not worse$/);

    // Right away again: a handful of new interactions say nothing either way, so it is refused (and recorded).
    for (let u = 0; u < 5; u++) await view(h, `later-${u}`, 'sku-cap', Date.now());
    await view(h, 'later-0', 'sku-hat', Date.now() + 1);
    await new Promise((r) => setTimeout(r, 50));
    const [v3] = await h.tact.learning.train(['recommendations']);
    await afterTraining();
    expect(v3.promotion).toMatchObject({ promoted: false });
    expect(v3.promotion?.reason).toContain(`only 1 subjects had an interaction received between the training of version 2 (`);
    expect(v3.promotion?.reason).toContain(`(at least ${MIN_HELD_OUT} are needed`);
  });

  it('refusing a version for too few held-out subjects, names the window they were counted in: interactions after the candidate was trained are not in it', async () => {
    h = await harness('sqlite', { config });
    const old = Date.now() - 10 * DAY;
    for (let u = 0; u < 30; u++) for (const p of ['sku-shoe', 'sku-socks']) await view(h, `old-${u}`, p, old + u);
    const [v1] = await h.tact.learning.train(['recommendations']);
    await afterTraining();
    // Version 2 right after version 1: nothing was received between them.
    const [v2] = await h.tact.learning.train(['recommendations']);
    await afterTraining();
    expect(v2.promotion?.promoted).toBe(false);
    // Then 35 subjects interact, after version 1 was trained and after version 2 too.
    for (let u = 0; u < 35; u++) for (const [k, p] of ['sku-cap', 'sku-hat'].entries()) await view(h, `new-${u}`, p, Date.now() + k);
    const refused = await h.app.inject({ method: 'POST', url: '/v1/models/recommendations/promote', headers: { authorization: `Bearer ${KEYS.admin}` }, payload: { version: 2 } });
    expect(refused.statusCode).toBe(409);
    const [d1, d2] = await Promise.all([v1, v2].map(async (v) => new Date((await h.tact.store.models.getVersion('recommendations', v.version!))!.dataTo).toISOString()));
    expect(refused.json().message).toContain(`only 0 subjects had an interaction received between the training of version 1 (${d1}) and that of version 2 (${d2}), and an earlier one with another item to rank from (at least ${MIN_HELD_OUT} are needed to compare held-out recall@10); interactions received since are not in version 2's data: promote it by hand (\`tact models promote --force\`), or train a new version once more subjects have interacted`);
    expect(refused.json().message).not.toContain('interacted after version 1 was trained');
    // A version trained now holds them in its window.
    const [v3] = await h.tact.learning.train(['recommendations']);
    expect(v3.promotion?.comparison?.figures).toMatchObject({ heldOut: 35 });
  });

  it('lets an inconclusive comparison through when training.autoPromote lists the model, never a worse one', async () => {
    h = await harness('sqlite', { config: { ...config, training: { autoPromote: ['recommendations'] } } });
    for (let u = 0; u < 10; u++) for (const p of ['sku-shoe', 'sku-socks']) await view(h, `u-${u}`, p, Date.now() - DAY + u);
    await h.tact.learning.train(['recommendations']);
    await afterTraining();
    await view(h, 'u-0', 'sku-cap', Date.now());
    await new Promise((r) => setTimeout(r, 50));
    const [v2] = await h.tact.learning.train(['recommendations']);
    await afterTraining();
    expect(v2.promotion).toMatchObject({ promoted: true });
    expect(v2.promotion?.reason).toMatch(/^the comparison with version 1 is inconclusive \(only 1 subjects .*\); training\.autoPromote lets recommendations go live$/);
  });

  it('holds out by when Tact received an interaction, not by its timestamp: late events with old timestamps were not seen by the live version', async () => {
    h = await harness('sqlite', { config });
    const old = Date.now() - 10 * DAY;
    for (let u = 0; u < 30; u++) for (const p of ['sku-shoe', 'sku-socks']) await view(h, `old-${u}`, p, old + u);
    const [v1] = await h.tact.learning.train(['recommendations']);
    await afterTraining();
    expect(v1.promotion?.promoted).toBe(true);
    // A client flushes a backlog: 30 people's views from three days ago arrive only now.
    const late = Date.now() - 3 * DAY;
    for (let u = 0; u < 30; u++) for (const [k, p] of ['sku-cap', 'sku-hat'].entries()) await view(h, `late-${u}`, p, late + u * 2 + k);
    const [v2] = await h.tact.learning.train(['recommendations']);
    expect(v2.promotion?.comparison?.figures).toMatchObject({ heldOut: 30 });
    expect(v2.promotion?.promoted, v2.promotion?.reason).toBe(true);
  });

  it('refuses a candidate whose recall is significantly below the live version\'s, with the figures', () => {
    const n = 100;
    const c = compareHits(Array.from({ length: n }, (_, i) => i < 10), Array.from({ length: n }, (_, i) => i < 40), { candidate: 4, live: 3 });
    expect(c.better).toBe(false);
    expect(c.summary).toBe('on 100 held-out subjects recall@10 is 0.1 for version 4 against 0.4 for version 3 (difference -0.3, 95% Newcombe interval [-0.391, -0.207]): the candidate is worse');
    // Both hit 10, only the live version 30, neither 60: Wilson limits of 10/100 [0.0552, 0.1744] and
    // 40/100 [0.3094, 0.4980], correlation (10·60 − 0 − 50)/√(10·90·40·60) = 0.3742 (Newcombe 1998,
    // method 10). Both hit 38, only the live version 2: [−0.054, 0.014] — within noise, not worse.
    const close = compareHits(Array.from({ length: n }, (_, i) => i < 38), Array.from({ length: n }, (_, i) => i < 40), { candidate: 4, live: 3 });
    expect(close.better).toBe(true);
    expect(close.figures).toMatchObject({ difference: -0.02, ci: [-0.054, 0.014] });
  });

  it('keeps a width when every held-out subject differs the same way (45 hits against 45 misses is not a certain difference of 1)', () => {
    const n = 45;
    const c = compareHits(Array.from({ length: n }, () => true), Array.from({ length: n }, () => false), { candidate: 2, live: 1 });
    // The normal approximation on the differences gives [1, 1]. Newcombe (1998, method 10): the
    // Wilson limits of 45/45 and 0/45 are 45/(45 + 1.96²) = 0.92135 and 0.07865 (Wilson 1927), no
    // correlation when a rate is 0 or 1, so the lower end is 1 − √(2 × 0.07865²) = 0.889.
    expect(c.better).toBe(true);
    expect(c.figures).toMatchObject({ heldOut: 45, difference: 1, ci: [0.889, 1] });
    expect(c.summary).toBe('on 45 held-out subjects recall@10 is 1 for version 2 against 0 for version 1 (difference 1, 95% Newcombe interval [0.889, 1]): the candidate is not worse');
  });

  it('does not call a candidate worse on four subjects the live version alone ranked well (exact McNemar p = 0.125)', () => {
    // 100 subjects: the live version hits 4, the candidate none, and the other 96 miss with both.
    // The normal approximation gives −0.04 ± 1.96·√(0.04·0.96/99) = [−0.079, −0.001] and would
    // refuse; 4 discordant pairs all one way happen with probability 2 × 2⁻⁴ = 0.125 under no
    // difference. Newcombe: −0.04 + √((0.04 − 0.01566)² + 0.03699²) = 0.004 and −0.04 − 0.05837 = −0.098
    // (Wilson limits of 4/100: [0.01566, 0.09837], of 0/100: [0, 0.03699]).
    const n = 100;
    const c = compareHits(Array.from({ length: n }, () => false), Array.from({ length: n }, (_, i) => i < 4), { candidate: 5, live: 4 });
    expect(c.better).toBe(true);
    expect(c.figures).toMatchObject({ difference: -0.04, ci: [-0.098, 0.004] });
  });

  it('reads an exact tie as a tie: no difference, not a reason to promote', () => {
    const n = 40;
    // Both versions hit the same 20 subjects.
    const same = compareHits(Array.from({ length: n }, (_, i) => i < 20), Array.from({ length: n }, (_, i) => i < 20), { candidate: 4, live: 3 });
    expect(same.better).toBe(false);
    expect(same.inconclusive).toBeUndefined();
    expect(same.figures).toMatchObject({ difference: 0, tie: true });
    expect(same.summary).toMatch(/: no difference between version 4 and version 3$/);
    expect(same.summary).not.toContain('not worse');
    // Each hits 5 subjects the other misses: the same recall, a tie too.
    const even = compareHits(Array.from({ length: n }, (_, i) => i < 20), Array.from({ length: n }, (_, i) => i < 15 || (i >= 20 && i < 25)), { candidate: 4, live: 3 });
    expect(even.better).toBe(false);
    expect(even.figures).toMatchObject({ candidateRecall: 0.5, liveRecall: 0.5, difference: 0, tie: true });
  });
});
