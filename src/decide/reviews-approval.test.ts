import { afterEach, describe, expect, it } from 'vitest';
import { KEYS, get, harness, send, type Harness } from '../../test/harness.js';
import { shopConfig } from './fixtures.js';
import { checkPolicy } from './policy-check.js';
import type { Hold } from './records.js';
import { advertising, decideReq, post } from './test-http.js';

const DAY = 86_400_000;

describe.each(['sqlite', 'postgres'] as const)('reviews: an approval holds for the policy\'s `review.approvalValidFor` (%s)', (kind) => {
  const open: Harness[] = [];
  const start = async (policy: Record<string, unknown> = {}) => {
    const h = await harness(kind, { config: shopConfig(policy) });
    open.push(h);
    return h;
  };
  afterEach(async () => {
    for (const h of open.splice(0)) await h.close();
  });

  /** The loan offer held for `userId`, approved `ageMs` ago (as the store and a restart would read it): the review. */
  const approvedReview = async (h: Harness, userId: string, ageMs: number): Promise<Hold> => {
    await send(h.app, '/v1/identify', { userId, traits: { segment: 'finance' }, context: advertising });
    const first = (await decideReq(h.app, { subject: userId, placement: 'home' })).json().choices[0];
    expect(first.held.action).toBe('loan-offer');
    const ok = await post(h.app, `/v1/reviews/${first.held.reviewId}/approve`, { reviewer: 'kim' }, KEYS.admin);
    expect(ok.statusCode, ok.body).toBe(200);
    const hold = (await h.store.decisions.getHold(first.held.reviewId)) as Hold;
    const aged = { ...hold, decidedAt: Date.now() - ageMs };
    await h.store.decisions.putHold(aged);
    h.tact.decide.state.putHold(aged);
    return aged;
  };

  it('asks for a new review once an approval is older than 30 days (the default), instead of delivering it', async () => {
    const h = await start();
    const old = await approvedReview(h, 'fin', 31 * DAY);
    // The review says until when its approval held.
    expect((await get(h.app, `/v1/reviews/${old.id}`)).json()).toMatchObject({ status: 'approved', expiresAt: new Date((old.decidedAt as number) + 30 * DAY).toISOString() });
    const again = (await decideReq(h.app, { subject: 'fin', placement: 'home', explain: 'full' })).json();
    expect(again.choices[0]).toMatchObject({ action: 'newsletter', held: { action: 'loan-offer' } });
    expect(again.choices[0].held.reviewId).not.toBe(old.id);
    expect((await get(h.app, `/v1/reviews/${again.choices[0].held.reviewId}`)).json()).toMatchObject({ status: 'pending', action: 'loan-offer', subject: 'fin' });
    // The old approval was not used up.
    expect((await h.store.decisions.getHold(old.id))?.status).toBe('approved');
  });

  it('delivers an approval within its validity once; `review.approvalValidFor` sets the validity', async () => {
    const h = await start();
    const fresh = await approvedReview(h, 'fin', 29 * DAY);
    const delivered = (await decideReq(h.app, { subject: 'fin', placement: 'home' })).json();
    expect(delivered.choices[0]).toMatchObject({ action: 'loan-offer' });
    expect(delivered.choices[0].held).toBeUndefined();
    expect((await h.store.decisions.getHold(fresh.id))).toMatchObject({ status: 'delivered', deliveredIn: delivered.decisionId });

    const short = await start({ review: { approvalValidFor: '2d' } });
    const threeDays = await approvedReview(short, 'gus', 3 * DAY);
    expect((await decideReq(short.app, { subject: 'gus', placement: 'home' })).json().choices[0]).toMatchObject({ action: 'newsletter', held: { action: 'loan-offer' } });
    expect((await short.store.decisions.getHold(threeDays.id))?.status).toBe('approved');
    const oneDay = await approvedReview(short, 'hal', DAY);
    expect((await decideReq(short.app, { subject: 'hal', placement: 'home' })).json().choices[0]).toMatchObject({ action: 'loan-offer' });
    expect((await get(short.app, `/v1/reviews/${oneDay.id}`)).json()).toMatchObject({ status: 'delivered' });
  });
});

describe('the policy\'s `review.approvalValidFor`', () => {
  it('must be a duration', () => {
    expect(checkPolicy({ review: { approvalValidFor: '30d' } })).toEqual([]);
    for (const approvalValidFor of ['soon', 30, '0d']) expect(checkPolicy({ review: { approvalValidFor } }).map((p) => p.field), String(approvalValidFor)).toEqual(['review.approvalValidFor']);
  });
});
