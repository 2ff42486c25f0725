import { afterEach, describe, expect, it } from 'vitest';
import { KEYS, bearer, get, harness, openTestStore, send, type Harness } from '../../test/harness.js';
import type { Catalog } from './catalog.js';
import { shopCatalog, shopConfig } from './fixtures.js';
import type { Hold } from './records.js';
import { advertising, decideReq, post } from './test-http.js';

/** The shop's catalog with the loan offer's terms as `terms` (one variant) and `apr` (a property). */
const loanCatalog = (terms: string, apr = '0%'): Catalog => ({
  ...shopCatalog(),
  actions: (shopCatalog().actions ?? []).map((a) => (a.id === 'loan-offer' ? { ...a, properties: { apr }, variants: [{ id: 'std', content: { terms } }] } : a)),
});

describe.each(['sqlite', 'postgres'] as const)('reviews: an approval is of the content the reviewer saw (%s)', (kind) => {
  const open: Harness[] = [];
  const start = async (o: Parameters<typeof harness>[1] = {}) => {
    const h = await harness(kind, { config: { ...shopConfig(), catalog: loanCatalog('Pay in 3, 0% APR') }, ...o });
    open.push(h);
    return h;
  };
  afterEach(async () => {
    for (const h of open.splice(0)) await h.close();
  });
  const putCatalog = async (h: Harness, c: Catalog) => {
    const r = await h.app.inject({ method: 'PUT', url: '/v1/config/catalog', headers: { authorization: bearer(KEYS.admin) }, payload: { document: c, reason: 'new terms' } });
    expect(r.statusCode, r.body).toBeLessThan(300);
  };
  /** The loan offer held for `fin` and approved: the review's id. */
  const approved = async (h: Harness): Promise<string> => {
    await send(h.app, '/v1/identify', { userId: 'fin', traits: { segment: 'finance' }, context: advertising });
    const held = (await decideReq(h.app, { subject: 'fin', placement: 'home' })).json().choices[0].held;
    expect(held.action).toBe('loan-offer');
    expect((await post(h.app, `/v1/reviews/${held.reviewId}/approve`, { reviewer: 'kim' }, KEYS.admin)).statusCode).toBe(200);
    return held.reviewId;
  };

  it('asks for a new review when the approved variant\'s content was edited under the same id, instead of delivering the edit', async () => {
    const h = await start();
    const id = await approved(h);
    await putCatalog(h, loanCatalog('Pay in 3, 29.9% APR'));
    const d = (await decideReq(h.app, { subject: 'fin', placement: 'home' })).json();
    expect(d.choices[0]).toMatchObject({ action: 'newsletter', held: { action: 'loan-offer' } });
    expect(d.choices[0].held.reviewId).not.toBe(id);
    expect((await get(h.app, `/v1/reviews/${d.choices[0].held.reviewId}`)).json()).toMatchObject({ status: 'pending', action: 'loan-offer', variant: 'std' });
    // The approval was not used up on content it was not given for.
    expect((await get(h.app, `/v1/reviews/${id}`)).json()).toMatchObject({ status: 'approved', deliveredIn: null });
  });

  it('asks for a new review when the action\'s properties (the terms a channel reads) changed', async () => {
    const h = await start();
    await approved(h);
    await putCatalog(h, loanCatalog('Pay in 3, 0% APR', '29.9%'));
    expect((await decideReq(h.app, { subject: 'fin', placement: 'home' })).json().choices[0]).toMatchObject({ action: 'newsletter', held: { action: 'loan-offer' } });
  });

  it('still delivers the approval when only what the customer does not receive changed (its value, another action)', async () => {
    const h = await start();
    const id = await approved(h);
    const c = loanCatalog('Pay in 3, 0% APR');
    c.actions = (c.actions ?? []).map((a) => (a.id === 'loan-offer' ? { ...a, value: 250 } : a.id === 'socks-offer' ? { ...a, name: 'Socks trio' } : a));
    await putCatalog(h, c);
    const d = (await decideReq(h.app, { subject: 'fin', placement: 'home' })).json();
    expect(d.choices[0]).toMatchObject({ action: 'loan-offer', variant: 'std', content: { terms: 'Pay in 3, 0% APR' } });
    expect((await get(h.app, `/v1/reviews/${id}`)).json()).toMatchObject({ status: 'delivered', deliveredIn: d.decisionId });
  });

  it('keeps the fingerprint of the content in the store, so a restart still refuses edited content', async () => {
    const { store, cleanup } = await openTestStore(kind);
    const h1 = await start({ store });
    const id = await approved(h1);
    const stored = (await store.decisions.getHold(id)) as Hold;
    expect(stored.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect((await get(h1.app, `/v1/reviews/${id}`)).json().contentHash).toBe(stored.contentHash);
    await h1.app.close();
    await h1.tact.close();
    open.splice(0);
    const h2 = await start({ store, config: { ...shopConfig(), catalog: loanCatalog('Pay in 3, 29.9% APR') } });
    expect((await decideReq(h2.app, { subject: 'fin', placement: 'home' })).json().choices[0]).toMatchObject({ action: 'newsletter', held: { action: 'loan-offer' } });
    await h2.app.close();
    await h2.tact.close();
    open.splice(0);
    await cleanup();
  });
});
