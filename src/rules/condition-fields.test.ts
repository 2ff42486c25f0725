import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../../test/harness.js';
import type { Catalog } from '../decide/catalog.js';
import { shopCatalog, shopConfig, shopPolicy } from '../decide/fixtures.js';
import { post } from '../decide/test-http.js';
import { putConfig, server } from '../store/conformance/learn-helpers.js';

/**
 * Every field that holds a condition, in every kind of document (and request) that has one:
 * a rule whose result is known not to be true or false would be saved, then fail (or never hold)
 * for every subject, event or item, seen only in error counters. Refused when written, naming the
 * field; a rule whose value comes from data is taken (it may be true or false when it runs).
 */
describe('a condition that does not give true or false', () => {
  let h: Harness;
  beforeAll(async () => {
    // `anomalies.spend` reads a configured metric (decision-names.ts).
    h = await harness('sqlite', { config: { ...shopConfig(), metrics: [{ name: 'spend', event: 'Order Completed', property: 'revenue' }] } });
  });
  afterAll(async () => {
    await h.close();
  });

  /** The problems of a refused write, as { field, message }. */
  const refused = async (r: { statusCode: number; body: string; json(): { problems?: { field: string; message: string }[]; message?: string } }) => {
    expect(r.statusCode, r.body).toBe(400);
    return r.json().problems ?? [];
  };
  const gives = (field: string, what: string) => ({ field, message: expect.stringMatching(new RegExp(`^The rule in \`${field.replace(/[.[\]]/g, '\\$&')}\` gives ${what}, not true or false: write a `)) });
  const withRecs = (recommend: Record<string, string>): Catalog => {
    const c = shopCatalog();
    c.placements!.push({ id: 'recs', channel: 'web', kind: 'recommendation', recommend });
    return c;
  };

  it('in segments: an audience', async () => {
    expect(await refused(await putConfig(h, 'segments', { audiences: [{ name: 'buyers', when: 'features.orders' }] }))).toEqual([
      { field: 'audiences[0].when', message: 'The rule in `audiences[0].when` gives `features.orders`, a number (a count feature), not true or false: write a comparison such as `features.orders > 0`.' },
    ]);
    expect(await refused(await putConfig(h, 'segments', { audiences: [{ name: 'n', when: 'size(features.purchased)' }] }))).toEqual([gives('audiences[0].when', 'a number')]);
    expect((await putConfig(h, 'segments', { audiences: [{ name: 'vip', when: 'traits.vip' }] })).statusCode).toBe(200);
  });

  it('in features: a where', async () => {
    const feature = (where: string) => [...shopConfig().features, { name: 'big', kind: 'count', event: 'Order Completed', where }];
    expect(await refused(await putConfig(h, 'features', feature('size(properties.products)')))).toEqual([gives('features[2].where', 'a number')]);
    expect(await refused(await putConfig(h, 'features', feature('event')))).toEqual([gives('features[2].where', '`event`, a string \\(the track event name; null on other calls\\)')]);
    expect((await putConfig(h, 'features', feature('properties.a'))).statusCode).toBe(200);
  });

  it('in the lifecycle: a stage and a value tier', async () => {
    // Both in one answer since 2026-12-05 (the one the stored features tell of came at a second PUT).
    expect(await refused(await putConfig(h, 'lifecycle', { stages: [{ name: 'new', when: 'firstSeen' }], valueTiers: [{ name: 'high', when: 'features.orders * 2.0' }] }))).toEqual([
      gives('valueTiers[0].when', 'a number'), gives('stages[0].when', '`firstSeen`, a timestamp'),
    ]);
    expect(await refused(await putConfig(h, 'lifecycle', { stages: [{ name: 'new', when: 'firstSeen' }] }))).toEqual([gives('stages[0].when', '`firstSeen`, a timestamp')]);
    expect((await putConfig(h, 'lifecycle', { stages: [{ name: 'opted in', when: 'consent.Email' }] })).statusCode).toBe(200);
  });

  it('in the catalog: an action\'s rules, a recommendation placement\'s rule and out-of-stock rule', async () => {
    const c = withRecs({ rule: 'item.price * 2.0', outOfStock: '"x"' });
    c.actions![0].eligibility = 'size(features.purchased)';
    c.actions![1].applicability = '"web"';
    c.actions![4].suitability = 'traits.score + 1.0';
    expect(await refused(await putConfig(h, 'catalog', c))).toEqual([
      gives('actions[0].eligibility', 'a number'), gives('actions[1].applicability', 'a string'), gives('actions[4].suitability', 'a number'),
      gives('placements[2].recommend.rule', 'a number'), gives('placements[2].recommend.outOfStock', 'a string'),
    ]);
    const declared = withRecs({ rule: 'item.on_sale' });
    declared.actions![4].eligibility = 'action.value';
    expect(await refused(await putConfig(h, 'catalog', declared))).toEqual([gives('actions[4].eligibility', '`action.value`, a number')]);
    const data = withRecs({ rule: 'item.on_sale', outOfStock: 'item.sold_out' });
    data.actions![4].eligibility = 'action.properties.vip && flags.vip';
    expect((await putConfig(h, 'catalog', data)).statusCode).toBe(200);
  });

  it('in the policy: a rule, a human territory and a lever', async () => {
    const p = { ...shopPolicy(), rules: [{ name: 'x', stage: 'eligibility', when: 'features.orders' }], humanTerritory: [{ name: 'big', queue: 'vip', when: 'accounts' }], levers: [{ name: 'loyal', weight: 1.5, when: 'features.purchased' }] };
    expect(await refused(await putConfig(h, 'policy', p))).toEqual([
      gives('rules[0].when', '`features.orders`, a number \\(a count feature\\)'), gives('humanTerritory[0].when', '`accounts`, a list of account ids'), gives('levers[0].when', '`features.purchased`, a list \\(a unique feature\\)'),
    ]);
    const q = { ...shopPolicy(), levers: [{ name: 'loyal', weight: 1.5, when: 'features.orders + 0.0' }] };
    expect(await refused(await putConfig(h, 'policy', q))).toEqual([gives('levers[0].when', 'a number')]);
    expect((await putConfig(h, 'policy', { ...shopPolicy(), levers: [{ name: 'loyal', weight: 1.5, when: 'anomalies.spend' }] })).statusCode).toBe(200);
  });

  it('in the recommendations: the rule and a placement\'s rule', async () => {
    expect(await refused(await putConfig(h, 'recommendations', { rule: 'item.price * 1.2', placements: { cheap: { rule: 'item.id' } } }))).toEqual([gives('rule', 'a number'), gives('placements.cheap.rule', '`item.id`, a string \\(the item id\\)')]);
    expect(await refused(await putConfig(h, 'recommendations', { rule: 'item.on_sale', placements: { cheap: { rule: 'item.id + ""' } } }))).toEqual([gives('placements.cheap.rule', 'a string'), { field: 'rule', message: expect.stringContaining('reads `item.on_sale`, which is not a field of any item') }]);
    // An attribute every item holds as a number is one (item-fields.ts); one of mixed types is data.
    expect(await refused(await putConfig(h, 'recommendations', { items: { 'sku-1': { on_sale: true, price: 10 } }, rule: 'item.on_sale', placements: { cheap: { rule: 'item.price' } } }))).toEqual([gives('placements.cheap.rule', '`item.price`, a number \\(in every item that has it\\)')]);
    expect((await putConfig(h, 'recommendations', { items: { 'sku-1': { on_sale: true, promo: true }, 'sku-2': { promo: 'spring' } }, rule: 'item.on_sale', placements: { cheap: { rule: 'item.promo' } } })).statusCode).toBe(200);
  });

  it('in a request: a batch audience and a recommendations filter', async () => {
    const batch = await post(h.app, '/v1/decide/batch', { placement: 'weekly-email', audience: 'features.orders' });
    expect(await refused(batch)).toEqual([gives('audience', '`features.orders`, a number \\(a count feature\\)')]);
    const arithmetic = await post(h.app, '/v1/decide/batch', { placement: 'weekly-email', audience: 'features.orders + 1.0' });
    expect(arithmetic.statusCode).toBe(400);
    expect(arithmetic.json()).toMatchObject({ error: 'not_a_condition', message: expect.stringMatching(/^The rule in `audience` gives a number, not true or false/) });
    const filter = await server(h, '/v1/recommendations', { subject: 'nobody', filters: { rule: 'size(item.tags)' } });
    expect(filter.statusCode).toBe(400);
    expect(filter.json()).toMatchObject({ error: 'not_a_condition', message: expect.stringMatching(/^The rule in `filters\.rule` gives a number/) });
  });
});
