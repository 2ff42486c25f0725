import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness, send, type Harness } from '../../../test/harness.js';
import { post } from '../test-http.js';

// QA 2026-12-06, three defects on a running server: a personal estimate "established" on 2 history items
// reading [0, 0.3811]; a subject whose viewed items were all known told it had "no history the model
// knows"; and a re-ranked item's `affinity` of 0 shown bare.

const items = ['sku-shoe', 'sku-socks', 'sku-laces', 'sku-cap', ...Array.from({ length: 12 }, (_, k) => `sku-a${k}`), 'sku-target'];
const config = {
  features: [{ name: 'viewed', kind: 'unique', event: 'Product Viewed', property: 'product_id', limit: 50 }],
  recommendations: {
    interactions: [{ event: 'Product Viewed', property: 'product_id' }],
    history: ['viewed'],
    algorithm: 'cooccurrence',
    items: Object.fromEntries(items.map((id) => [id, { name: id }])),
  },
  catalog: {
    actions: [{ id: 'newsletter', name: 'Newsletter', channels: ['web'] }],
    placements: [{ id: 'recs', channel: 'web', slots: 4, kind: 'recommendation' }],
  },
};

/**
 * Shoes, socks and laces are viewed together (each leads to the other two); the cap is viewed alone, by
 * the most. Twelve items sku-a0…a11 are each viewed with sku-target by one subject: `wide` viewed all
 * twelve, so twelve history items lead to the target. `all3` viewed shoe, socks and laces.
 */
const views: Record<string, string[]> = {
  u1: ['sku-shoe', 'sku-socks'], u2: ['sku-shoe', 'sku-socks'], u3: ['sku-shoe', 'sku-laces'], u8: ['sku-socks', 'sku-laces'],
  u4: ['sku-cap'], u5: ['sku-cap'], u6: ['sku-cap'], u7: ['sku-cap'], u9: ['sku-cap'],
  ...Object.fromEntries(Array.from({ length: 12 }, (_, k) => [`t${k}`, [`sku-a${k}`, 'sku-target']])),
  ana: ['sku-shoe'], all3: ['sku-shoe', 'sku-socks', 'sku-laces'], wide: Array.from({ length: 12 }, (_, k) => `sku-a${k}`),
};

interface Est { value: number; low: number; high: number; evidence: number; source: string; status: string; reading?: string }
interface Decision { choices: { item: string; estimate?: Est }[]; explanation: { operator: string } }

describe('a recommendation says how sure it is and why it fell back (QA 2026-12-06)', () => {
  let h: Harness;
  const decide = async (subject: string, context: Record<string, unknown> = {}) => (await post(h.app, '/v1/decide', { subject, placement: 'recs', n: 3, context })).json() as Decision;
  beforeEach(async () => {
    h = await harness('sqlite', { config });
    const start = Date.now() - 3_600_000;
    let k = 0;
    for (const [u, seen] of Object.entries(views)) for (const product_id of seen) await send(h.app, '/v1/track', { userId: u, event: 'Product Viewed', properties: { product_id }, timestamp: new Date(start + k++ * 1000).toISOString() });
    await h.tact.learning.train(['recommendations']);
  });
  afterEach(async () => h.close());

  it('is learning on a thin history and established once the interval is no wider than the score', async () => {
    // ana viewed the shoe: one history item behind the socks and the laces, [0, 2·score] — until 2026-12-06 "established".
    const thin = await decide('ana');
    const socks = thin.choices.find((c) => c.item === 'sku-socks')!.estimate!;
    expect(socks).toMatchObject({ source: 'personal', evidence: 1, low: 0, status: 'learning' });
    expect(socks.high).toBeCloseTo(2 * socks.value, 10);
    // wide viewed twelve items that each lead to the target: the bootstrap of its score is narrow beside it.
    const target = (await decide('wide')).choices.find((c) => c.item === 'sku-target')!.estimate!;
    expect(target).toMatchObject({ source: 'personal', evidence: 12, status: 'established' });
    expect(target.high - target.low).toBeLessThanOrEqual(target.value);
    expect(target.low).toBeLessThan(target.value);
    expect(target.high).toBeGreaterThan(target.value);
    // POST /v1/recommendations shows the same estimate on each item (since 2026-12-06), with its status.
    const http = (await post(h.app, '/v1/recommendations', { subject: 'ana', n: 3 })).json() as { items: { id: string; estimate: Est }[] };
    expect(http.items.find((i) => i.id === 'sku-socks')!.estimate).toMatchObject({ source: 'personal', status: 'learning', reading: expect.stringContaining('learning') });
  });

  it('names why a list is all popular items: everything the history leads to was already seen, or filtered out', async () => {
    // all3's history is known to the model, and leads only to items in it. Until 2026-12-06: "the subject has no history the model knows yet".
    const d = await decide('all3');
    expect(d.choices.map((c) => c.estimate!.source)).toEqual(['population', 'population', 'population']);
    expect(d.explanation.operator).toContain('popular items because the business filters left out all 3 items the subject\'s history leads to (3 already seen)');
    expect(d.explanation.operator).not.toContain('no history the model knows');
    const r = (await post(h.app, '/v1/recommendations', { subject: 'all3', n: 3 })).json();
    expect(r).toMatchObject({ status: 'popular', fallback: { reason: 'filtered', history: 3, leadsTo: 3, leftOut: { purchased: 0, seen: 3, outOfStock: 0, excluded: 0, rule: 0 } } });
    // ana's shoe leads to the socks and the laces; out of stock, both: said so.
    const oos = (await post(h.app, '/v1/recommendations', { subject: 'ana', n: 3, filters: { outOfStock: ['sku-socks'], exclude: ['sku-laces'] } })).json();
    expect(oos.fallback).toMatchObject({ reason: 'filtered', leadsTo: 2, leftOut: { outOfStock: 1, excluded: 1 }, why: 'the business filters left out all 2 items the subject\'s history leads to (1 out of stock, 1 excluded)' });
    // a stranger: no history the model knows, as before.
    expect((await decide('stranger')).explanation.operator).toContain('popular items because the subject has no history the model knows yet');
  });

  it('gives every re-ranked item the model knows its estimate, an affinity of 0 included', async () => {
    const list = [{ id: 'sku-cap', relevance: 1 }, { id: 'sku-socks', relevance: 0.9 }, { id: 'sku-unknown', relevance: 0.5 }];
    const r = (await post(h.app, '/v1/rerank', { subject: 'ana', items: list })).json() as { items: { id: string; affinity: number; estimate?: Est }[] };
    const by = new Map(r.items.map((i) => [i.id, i]));
    // Until 2026-12-06 the cap read `"affinity": 0` and nothing else.
    expect(by.get('sku-cap')).toMatchObject({ affinity: 0, estimate: { source: 'population', status: 'learning', evidence: 24 } });
    expect(by.get('sku-socks')).toMatchObject({ estimate: { source: 'personal', status: 'learning', evidence: 1 } });
    expect(by.get('sku-socks')!.estimate!.value).toBe(by.get('sku-socks')!.affinity);
    // nothing inferred of an item the model does not know
    expect(by.get('sku-unknown')!.estimate).toBeUndefined();
  });
});
