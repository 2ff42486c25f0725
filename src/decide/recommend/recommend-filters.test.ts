import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KEYS, bearer, harness, send, type Harness } from '../../../test/harness.js';
import { post } from '../test-http.js';

const config = {
  features: [{ name: 'viewed', kind: 'unique', event: 'Product Viewed', property: 'product_id', limit: 50 }],
  recommendations: {
    interactions: [{ event: 'Product Viewed', property: 'product_id' }],
    history: ['viewed'],
    algorithm: 'cooccurrence',
    items: { 'sku-shoe': { category: 'shoes' }, 'sku-socks': { category: 'socks' }, 'sku-laces': { category: 'laces' }, 'sku-card': { category: 'gift-card' } },
    // the same-named recommendations placement: its rule and exclusions apply to the catalog placement too
    placements: { recs: { rule: 'item.category != "laces"' } },
  },
  catalog: {
    actions: [{ id: 'newsletter', name: 'Newsletter', channels: ['web'] }],
    placements: [{ id: 'recs', channel: 'web', slots: 5, kind: 'recommendation', recommend: { rule: 'item.category != "gift-card"' } }],
  },
};

describe('recommendation placement filters', () => {
  let h: Harness;
  const decide = (subject: string, context: Record<string, unknown> = {}) => post(h.app, '/v1/decide', { subject, placement: 'recs', n: 5, context });
  const items = (d: { choices: { item?: string; kind: string }[] }) => d.choices.map((c) => c.item ?? c.kind);
  beforeEach(async () => {
    h = await harness('sqlite', { config });
    for (const u of ['u1', 'u2', 'u3']) for (const product_id of ['sku-shoe', 'sku-socks', 'sku-laces', 'sku-card']) await send(h.app, '/v1/track', { userId: u, event: 'Product Viewed', properties: { product_id } });
    await send(h.app, '/v1/track', { userId: 'ana', event: 'Product Viewed', properties: { product_id: 'sku-shoe' } });
    await h.tact.learning.train(['recommendations']);
  });
  afterEach(async () => h.close());

  it('applies the rule of the same-named recommendations placement, as the settings promise', async () => {
    const got = items((await decide('ana')).json());
    expect(got).toContain('sku-socks');
    expect(got).not.toContain('sku-laces');
    expect(got).not.toContain('sku-card');
  });

  it('re-ranks with the placement\'s rule seeing the items\' catalog attributes', async () => {
    const list = [{ id: 'sku-card', relevance: 3 }, { id: 'sku-socks', relevance: 2 }, { id: 'sku-shoe', relevance: 1 }];
    expect(items((await decide('ana', { items: list })).json())).toEqual(['sku-socks', 'sku-shoe']);
  });

  it('re-ranks with every business filter a recommended list has, and the operator\'s sentence names what it left out', async () => {
    // laces: the rule of the same-named recommendations placement; the card: the catalog placement's rule.
    const list = [{ id: 'sku-laces', relevance: 4 }, { id: 'sku-card', relevance: 3 }, { id: 'sku-socks', relevance: 2 }, { id: 'sku-shoe', relevance: 1 }];
    const d = (await decide('ana', { items: list })).json();
    expect(items(d)).toEqual(['sku-socks', 'sku-shoe']);
    expect(d.explanation.operator).toContain('Left out of the caller\'s list: sku-laces (rule `placements.recs.rule`), sku-card (rule `recs.recommend.rule`).');
  });

  it('names a relevance in context.items that is not a finite number the same way whatever it is, as the rest of the API names a field in a list', async () => {
    // Until 2026-12-05: null and "2" were `context.items.1.relevance`, 1e400 (refused at the door) `context.items[1].relevance`.
    const raw = (relevance: string) => h.app.inject({ method: 'POST', url: '/v1/decide', headers: { authorization: bearer(KEYS.server), 'content-type': 'application/json' }, payload: `{"subject":"ana","placement":"recs","n":5,"context":{"items":[{"id":"sku-socks","relevance":1},{"id":"sku-shoe","relevance":${relevance}}]}}` });
    for (const relevance of ['null', '"2"', '1e400']) {
      const res = await raw(relevance);
      expect(res.statusCode, relevance).toBe(400);
      expect(res.json().problems.map((p: { field: string }) => p.field), relevance).toEqual(['context.items[1].relevance']);
    }
  });

  it('names the field of a bad or repeated item in context.items', async () => {
    const nul = await decide('ana', { items: [{ id: 'sku-socks', relevance: 1 }, { id: 'sku-shoe', relevance: null }] });
    expect(nul.statusCode).toBe(400);
    expect(nul.json().problems[0].field).toBe('context.items[1].relevance');
    const twice = await decide('ana', { items: [{ id: 'sku-socks', relevance: 1 }, { id: 'sku-shoe', relevance: 1 }, { id: 'sku-socks', relevance: 0 }] });
    expect(twice.statusCode).toBe(400);
    expect(twice.json().problems[0]).toMatchObject({ field: 'context.items[2].id', message: expect.stringContaining('(context.items[0] and context.items[2])') });
  });
});
