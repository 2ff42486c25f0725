import { afterEach, describe, expect, it } from 'vitest';
import { KEYS, bearer, get, harness, send, type Harness } from '../../test/harness.js';
import type { Catalog } from './catalog.js';
import { shopCatalog, shopConfig } from './fixtures.js';
import { advertising, decideReq, post } from './test-http.js';

/** The shop's catalog with the loan offer's terms as `terms` in its variants `std` and `alt` (or only `o.only`), its value and whether it is high-stakes. */
const loanCatalog = (terms: string, o: { only?: string; value?: number; highStakes?: boolean } = {}): Catalog => ({
  ...shopCatalog(),
  actions: (shopCatalog().actions ?? []).map((a) => (a.id === 'loan-offer'
    ? { ...a, value: o.value ?? a.value, highStakes: o.highStakes ?? a.highStakes, properties: { apr: '0%' }, variants: ['std', 'alt'].filter((v) => !o.only || v === o.only).map((id) => ({ id, content: { terms } })) }
    : a)),
});

/**
 * A pending review whose content the catalog edited since it was held is of content no decision
 * would deliver: it is shown `superseded` (with the review of the current content, once there is
 * one), takes no verdict, and is not listed as pending work.
 */
describe.each(['sqlite', 'postgres'] as const)('reviews: a pending review of content edited since it was held (%s)', (kind) => {
  const open: Harness[] = [];
  const start = async () => {
    const h = await harness(kind, { config: { ...shopConfig(), catalog: loanCatalog('Pay in 3, 0% APR') } });
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
  /** The loan offer held for `userId`: the held choice (`reviewId`, `action`). */
  const held = async (h: Harness, userId = 'fin'): Promise<{ action: string; reviewId: string }> => {
    await send(h.app, '/v1/identify', { userId, traits: { segment: 'finance' }, context: advertising });
    const choice = (await decideReq(h.app, { subject: userId, placement: 'home' })).json().choices[0];
    expect(choice.held.action).toBe('loan-offer');
    return choice.held;
  };
  const ids = (body: { reviews: { id: string }[] }) => body.reviews.map((r) => r.id);

  it('shows it superseded, refuses to approve or reject it with a 409 saying the content changed, and keeps it out of the pending list', async () => {
    const h = await start();
    const { reviewId: old } = await held(h);
    const before = (await get(h.app, `/v1/reviews/${old}`)).json();
    expect(before).toMatchObject({ status: 'pending', supersededBy: null });
    await putCatalog(h, loanCatalog('Pay in 3, 29.9% APR'));

    expect((await get(h.app, `/v1/reviews/${old}`)).json()).toMatchObject({ status: 'superseded', supersededBy: null, contentHash: before.contentHash });
    expect(ids((await get(h.app, '/v1/reviews?status=pending')).json())).toEqual([]);
    expect(ids((await get(h.app, '/v1/reviews?status=superseded')).json())).toEqual([old]);
    for (const verb of ['approve', 'reject']) {
      const refused = await post(h.app, `/v1/reviews/${old}/${verb}`, { reviewer: 'kim' }, KEYS.admin);
      expect(refused.statusCode, refused.body).toBe(409);
      expect(refused.json().message).toContain(`The review ${old} is of content that changed since it was held`);
      expect(refused.json().message).toContain('`loan-offer`');
      expect(refused.json().message).toContain('next decision');
    }
    expect((await h.store.decisions.getHold(old))?.status).toBe('pending');
  });

  it('holds the action under a new review of the current content at the next decision, and the stale one names it', async () => {
    const h = await start();
    const { reviewId: old } = await held(h);
    await held(h, 'gus');
    await putCatalog(h, loanCatalog('Pay in 3, 29.9% APR'));

    const d = (await decideReq(h.app, { subject: 'fin', placement: 'home' })).json();
    expect(d.choices[0]).toMatchObject({ action: 'newsletter', held: { action: 'loan-offer' } });
    const fresh = d.choices[0].held.reviewId;
    expect(fresh).not.toBe(old);
    expect((await get(h.app, `/v1/reviews/${fresh}`)).json()).toMatchObject({ status: 'pending', supersededBy: null });
    expect((await get(h.app, `/v1/reviews/${old}`)).json()).toMatchObject({ status: 'superseded', supersededBy: fresh });
    const pending = (await get(h.app, '/v1/reviews?status=pending')).json();
    expect(ids(pending)).toEqual([fresh]);
    // Every review, newest first, each as it reads now (gus's is stale too).
    expect((await get(h.app, '/v1/reviews')).json().reviews.map((r: { status: string }) => r.status)).toEqual(['pending', 'superseded', 'superseded']);

    const refused = await post(h.app, `/v1/reviews/${old}/approve`, { reviewer: 'kim' }, KEYS.admin);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().message).toContain(`look at the review ${fresh} instead`);
    expect((await post(h.app, `/v1/reviews/${fresh}/approve`, { reviewer: 'kim' }, KEYS.admin)).statusCode).toBe(200);
    const delivered = (await decideReq(h.app, { subject: 'fin', placement: 'home' })).json();
    expect(delivered.choices[0]).toMatchObject({ action: 'loan-offer', content: { terms: 'Pay in 3, 29.9% APR' } });
    expect((await get(h.app, `/v1/reviews/${fresh}`)).json()).toMatchObject({ status: 'delivered', deliveredIn: delivered.decisionId });
  });

  it('stays pending (and approvable) when only what the customer does not receive changed, and is superseded when its variant is withdrawn', async () => {
    const h = await start();
    const fin = await held(h, 'fin');
    const gus = await held(h, 'gus');
    await putCatalog(h, loanCatalog('Pay in 3, 0% APR', { value: 250 }));
    expect(ids((await get(h.app, '/v1/reviews?status=pending')).json()).sort()).toEqual([fin.reviewId, gus.reviewId].sort());
    const ok = await post(h.app, `/v1/reviews/${fin.reviewId}/approve`, { reviewer: 'kim' }, KEYS.admin);
    expect(ok.statusCode, ok.body).toBe(200);
    // The variant gus's review is of is withdrawn (the other one stays).
    const variant = (await h.store.decisions.getHold(gus.reviewId))?.variant;
    await putCatalog(h, loanCatalog('Pay in 3, 0% APR', { value: 250, only: variant === 'std' ? 'alt' : 'std' }));
    expect((await get(h.app, `/v1/reviews/${gus.reviewId}`)).json()).toMatchObject({ status: 'superseded' });
    expect((await post(h.app, `/v1/reviews/${gus.reviewId}/approve`, { reviewer: 'kim' }, KEYS.admin)).statusCode).toBe(409);
  });

  it('is no work to do once the catalog no longer marks the action high-stakes (decisions deliver it without a review)', async () => {
    const h = await start();
    const { reviewId } = await held(h);
    await putCatalog(h, loanCatalog('Pay in 3, 0% APR', { highStakes: false }));
    expect((await get(h.app, `/v1/reviews/${reviewId}`)).json()).toMatchObject({ status: 'superseded', supersededBy: null });
    expect(ids((await get(h.app, '/v1/reviews?status=pending')).json())).toEqual([]);
    const refused = await post(h.app, `/v1/reviews/${reviewId}/approve`, { reviewer: 'kim' }, KEYS.admin);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().message).toContain('no longer marks `highStakes`');
    expect((await decideReq(h.app, { subject: 'fin', placement: 'home' })).json().choices[0]).toMatchObject({ action: 'loan-offer' });
  });
});
