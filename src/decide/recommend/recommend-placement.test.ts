import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness, send, type Harness } from '../../../test/harness.js';
import { post } from '../test-http.js';
import { wilsonInterval } from '../../measure/stats/proportion-intervals.js';

const config = {
  features: [
    { name: 'viewed', kind: 'unique', event: 'Product Viewed', property: 'product_id', limit: 50 },
    { name: 'purchased', kind: 'unique', event: 'Order Completed', property: 'products[].product_id', limit: 200 },
  ],
  recommendations: {
    interactions: [{ event: 'Product Viewed', property: 'product_id' }],
    history: ['viewed'],
    purchased: ['purchased'],
    algorithm: 'cooccurrence',
    items: { 'sku-shoe': { name: 'Trail shoe' }, 'sku-socks': { name: 'Running socks' }, 'sku-laces': { name: 'Laces' }, 'sku-cap': { name: 'Cap' } },
  },
  catalog: {
    actions: [{ id: 'newsletter', name: 'Newsletter', channels: ['web'] }],
    placements: [{ id: 'recs', channel: 'web', slots: 3, kind: 'recommendation', recommend: { outOfStock: 'has(context.outOfStock) && item.id in context.outOfStock' } }],
  },
};

/** Who viewed what: shoes go with socks and laces; the cap is viewed alone but by the most. */
const views: Record<string, string[]> = {
  u1: ['sku-shoe', 'sku-socks'], u2: ['sku-shoe', 'sku-socks'], u3: ['sku-shoe', 'sku-laces'], u4: ['sku-cap'], u5: ['sku-cap'], u6: ['sku-cap'], u7: ['sku-cap'], u9: ['sku-cap'], u8: ['sku-socks', 'sku-laces'],
};

describe('recommendation placements', () => {
  let h: Harness;
  const decide = (subject: string, context: Record<string, unknown> = {}) => post(h.app, '/v1/decide', { subject, placement: 'recs', n: 3, context });
  beforeEach(async () => {
    h = await harness('sqlite', { config });
    for (const [u, items] of Object.entries(views)) for (const product_id of items) await send(h.app, '/v1/track', { userId: u, event: 'Product Viewed', properties: { product_id } });
    await send(h.app, '/v1/track', { userId: 'ana', event: 'Product Viewed', properties: { product_id: 'sku-shoe' } });
  });
  afterEach(async () => h.close());

  it('answers "none" while no model is trained, then ranked items from the subject\'s fresh history with the business filters', async () => {
    const before = (await decide('ana')).json();
    expect(before.choices).toMatchObject([{ kind: 'none', propensity: 1 }]);
    expect(before.explanation.modelVersion).toBe('recommendations@none');
    expect(before.explanation.customer).toBe('We are not showing you anything personalised here right now.');
    // Before any model is trained the list is ordered by the relevance sent (ties as listed), and the operator is told why
    // (until 2026-12-05 the sentence said it was blended with the subject's affinities).
    const untrained = (await decide('ana', { items: [{ id: 'sku-cap', relevance: 1 }, { id: 'sku-socks', relevance: 0.9 }] })).json();
    expect(untrained.choices.map((c: { item: string }) => c.item)).toEqual(['sku-cap', 'sku-socks']);
    expect(untrained.explanation.operator).toContain('by the relevance it was sent with (ties in its own order): no recommendation model has been trained yet');

    const [trained] = await h.tact.learning.train(['recommendations']);
    expect(trained).toBeDefined();
    const d = (await decide('ana')).json();
    expect(d.choices[0]).toMatchObject({ rank: 1, kind: 'item', propensity: 1, explanation: 'because you viewed Trail shoe', estimate: { source: 'personal', status: 'learning' } }); // one viewed item behind it: [0, 2·score] (until 2026-12-06 "established")
    const items = d.choices.map((c: { item: string }) => c.item);
    expect(items).not.toContain('sku-shoe'); // in her history
    expect(items.slice(0, 2).sort()).toEqual(['sku-laces', 'sku-socks']);
    expect(d.explanation.modelVersion).toMatch(/^recommendations@\d+$/);
    expect(d.choices[0].estimate.value).toBe(d.choices[0].score);
    // the score's interval: a bootstrap over her history, with the history items behind it as evidence
    const e = d.choices[0].estimate;
    expect(e).toMatchObject({ level: 0.9, evidence: expect.any(Number) });
    expect(e.evidence).toBeGreaterThanOrEqual(1);
    expect(e.low).toBeLessThanOrEqual(e.value);
    expect(e.high).toBeGreaterThanOrEqual(e.value);
    expect(e.high).toBeGreaterThan(e.low);

    // Bought this minute: read fresh from the profile, never recommended again.
    await send(h.app, '/v1/track', { userId: 'ana', event: 'Order Completed', properties: { products: [{ product_id: 'sku-socks' }] } });
    const after = (await decide('ana')).json().choices.map((c: { item: string }) => c.item);
    expect(after).not.toContain('sku-socks');
    expect(after[0]).toBe('sku-laces');

    // Out of stock by the placement's context rule.
    const oos = (await decide('ana', { outOfStock: ['sku-laces'] })).json().choices.map((c: { item: string }) => c.item);
    expect(oos).not.toContain('sku-laces');

    // A visitor with no history: the popularity fallback, still learning about them.
    const stranger = (await decide('stranger')).json();
    expect(stranger.choices[0]).toMatchObject({ kind: 'item', item: 'sku-cap', estimate: { source: 'population', status: 'learning' } });
    // Its Estimate is the population's: the share of the 10 trained subjects who viewed the cap
    // (5), with its 90% Wilson interval (wilsonInterval, checked against Wilson 1927's formula in
    // src/measure/stats) and the subjects as evidence — not the raw count 5 as a point, which also
    // out-scored every personal item (scores of 0.1–1) for a client that sorts by score.
    const [low, high] = wilsonInterval(5, 10, 1.6448536269514722);
    expect(stranger.choices[0].score).toBe(0.5);
    expect(stranger.choices[0].estimate).toMatchObject({ value: 0.5, level: 0.9, evidence: 10 });
    expect(stranger.choices[0].estimate.low).toBeCloseTo(low, 12);
    expect(stranger.choices[0].estimate.high).toBeCloseTo(high, 12);
    for (const c of stranger.choices as { score: number }[]) expect(c.score).toBeLessThanOrEqual(1);

    // The decision log keeps it like any other decision.
    const logged = (await h.app.inject({ method: 'GET', url: `/v1/decisions/${d.decisionId}`, headers: { authorization: `Bearer test-server-key` } })).json();
    expect(logged.choices[0]).toMatchObject({ kind: 'item', item: d.choices[0].item, propensity: 1 });
  });

  it('re-ranks the caller\'s list by relevance blended with the subject\'s affinities, and names a bad list\'s field', async () => {
    await h.tact.learning.train(['recommendations']);
    const list = [{ id: 'sku-cap', relevance: 1 }, { id: 'sku-socks', relevance: 0.95 }, { id: 'sku-unknown', relevance: 0.5 }];
    const d = (await decide('ana', { items: list })).json();
    expect(d.choices).toHaveLength(3);
    expect(d.choices.every((c: { kind: string; propensity: number }) => c.kind === 'item' && c.propensity === 1)).toBe(true);
    const socks = d.choices.find((c: { item: string }) => c.item === 'sku-socks');
    expect(socks.explanation).toMatch(/relevance 0\.95, affinity (?!0\))/);
    const cap = d.choices.find((c: { item: string }) => c.item === 'sku-cap');
    expect(cap.explanation).toMatch(/affinity 0\)/);
    const bad = await decide('ana', { items: [{ id: 3 }] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().problems.map((p: { field: string }) => p.field)).toEqual(['context.items[0].relevance', 'context.items[0].id']);
    // An empty list (a search that found nothing) answers "none" saying so, not that filters removed items.
    const empty = (await decide('ana', { items: [] })).json();
    expect(empty.choices.map((c: { kind: string }) => c.kind)).toEqual(['none']);
    expect(empty.choices[0].explanation).toBe('The list to re-rank (`context.items`) was empty: there was no item to show.');
  });

  it('refuses a recommend block on a placement that is not a recommendation placement', async () => {
    const res = await h.app.inject({
      method: 'PUT', url: '/v1/config/catalog', headers: { authorization: 'Bearer test-admin-key', 'content-type': 'application/json' },
      payload: { document: { placements: [{ id: 'p', channel: 'web', kind: 'banner', recommend: { rule: 'item.id ==' } }] }, reason: 'test' },
    });
    expect(res.statusCode).toBe(400);
    const fields = res.json().problems.map((p: { field: string }) => p.field);
    expect(fields).toEqual(expect.arrayContaining(['placements[0].kind', 'placements[0].recommend', 'placements[0].recommend.rule']));
  });
});
