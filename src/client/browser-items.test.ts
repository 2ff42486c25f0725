import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, harness, send, type Harness } from '../../test/harness.js';
import { showPlacement, type PlacementOptions, type SlotElement } from './browser.js';
import type { Choice } from './client.js';
import { createTactClient } from './client.js';

/** A public recommendation placement and a model trained on who viewed what (as src/decide/recommend/recommend-placement.test.ts). */
const config = {
  features: [{ name: 'viewed', kind: 'unique', event: 'Product Viewed', property: 'product_id', limit: 50 }],
  recommendations: {
    interactions: [{ event: 'Product Viewed', property: 'product_id' }],
    history: ['viewed'],
    algorithm: 'cooccurrence',
    items: { 'sku-shoe': { name: 'Trail shoe' }, 'sku-socks': { name: 'Running socks' }, 'sku-laces': { name: 'Laces' }, 'sku-cap': { name: 'Cap' } },
  },
  catalog: {
    actions: [{ id: 'newsletter', name: 'Newsletter', channels: ['web'] }],
    placements: [{ id: 'recs', channel: 'web', slots: 3, kind: 'recommendation', public: true }],
  },
};
const views: Record<string, string[]> = { u1: ['sku-shoe', 'sku-socks'], u2: ['sku-shoe', 'sku-socks'], u3: ['sku-shoe', 'sku-laces'], u4: ['sku-cap'], ana: ['sku-shoe'] };

/** An element like the DOM's: every listener added (and not removed) hears every click. */
function element(): SlotElement & { click(): void } {
  const fns: ((e: { target: unknown }) => void)[] = [];
  return {
    textContent: null,
    dataset: {},
    addEventListener: (_t, fn) => void (fns.includes(fn) || fns.push(fn)),
    removeEventListener: (_t, fn) => void (fns.includes(fn) && fns.splice(fns.indexOf(fn), 1)),
    click: () => [...fns].forEach((fn) => fn({ target: { closest: () => null } })),
  };
}

/** A click on the drawn card of `item` (an element marked data-tact-item inside the slot). */
const onItem = (item: string) => ({ target: { closest: (s: string) => (s === '[data-tact-item]' ? { dataset: { tactItem: item } } : null) } });

describe('the browser snippet at a recommendation placement', () => {
  let h: Harness;
  let url: string;
  const show = (o: Partial<PlacementOptions> & { element: SlotElement }) =>
    // A failed call would resolve with null: thrown here instead, so a test fails with its reason.
    showPlacement({ baseUrl: url, writeKey: KEYS.write, placement: 'recs', subject: 'ana', n: 3, whenVisible: (_e, fn) => fn(), onError: (e) => { throw e; }, ...o }).then((d) => d!);
  const outcomesOf = async (id: string) => ((await createTactClient({ baseUrl: url, key: KEYS.server }).decision(id)).outcomes ?? []).map((x) => [x.type, x.action]);
  /** Waits (at most 5 s) until the decision has `n` outcomes, then a little more, so an extra one would show. */
  const arrived = async (id: string, n: number) => {
    for (let i = 0; i < 100 && (await outcomesOf(id)).length < n; i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 150));
  };

  beforeAll(async () => {
    h = await harness('sqlite', { config });
    for (const [userId, items] of Object.entries(views)) for (const product_id of items) await send(h.app, '/v1/track', { userId, event: 'Product Viewed', properties: { product_id } });
    await h.tact.learning.train(['recommendations']);
    url = await h.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => h.close());

  it('draws the items through renderItems and reports the list\'s impression and a click as outcomes of the decision', async () => {
    const el = element();
    const drawn: string[] = [];
    const d = await show({ element: el, renderItems: (items: Choice[], into) => { drawn.push(...items.map((c) => String(c.item))); into.textContent = drawn.join(','); } });
    expect(d.choices[0].kind).toBe('item');
    expect(drawn).toEqual(d.choices.map((c) => c.item));
    expect(drawn.slice(0, 2).sort()).toEqual(['sku-laces', 'sku-socks']);
    expect(el.dataset.tactDecision).toBe(d.decisionId);
    el.click();
    el.click();
    await arrived(d.decisionId, 2);
    // A click outside any item's card names no item: the decision's outcomes (action null).
    expect((await outcomesOf(d.decisionId)).sort()).toEqual([['click', null], ['impression', null]]);
  });

  it('reports a click on an item the page marked data-tact-item as an outcome naming that item, once per item', async () => {
    const listeners: ((e: { target: unknown }) => void)[] = [];
    const el: SlotElement = { textContent: null, dataset: {}, addEventListener: (_t, fn) => void listeners.push(fn), removeEventListener: () => undefined };
    const d = await show({ element: el, renderItems: () => undefined });
    const [first, second] = d.choices.map((c) => String(c.item));
    for (const e of [onItem(first), onItem(first), onItem(second)]) listeners.forEach((fn) => fn(e));
    await arrived(d.decisionId, 3);
    const stored = ((await createTactClient({ baseUrl: url, key: KEYS.server }).decision(d.decisionId)).outcomes ?? []).map((x) => `${x.type}:${x.item ?? ''}`);
    expect(stored.sort()).toEqual([`click:${first}`, `click:${second}`, 'impression:'].sort());
  });

  it('without renderItems, returns the items to the page and neither draws nor reports anything', async () => {
    const el = element();
    const d = await show({ element: el });
    expect(d.choices[0].kind).toBe('item');
    el.click();
    await new Promise((r) => setTimeout(r, 150));
    expect([el.textContent, el.dataset.tactDecision]).toEqual([null, undefined]);
    expect(await outcomesOf(d.decisionId)).toEqual([]);
  });
});
