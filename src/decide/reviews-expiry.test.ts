import { afterEach, describe, expect, it } from 'vitest';
import { KEYS, get, harness, send, type Harness } from '../../test/harness.js';
import { shopConfig } from './fixtures.js';
import { checkPolicy } from './policy-check.js';
import type { Hold } from './records.js';
import { advertising, decideReq, post } from './test-http.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe.each(['sqlite', 'postgres'] as const)('reviews: a pending review expires after the policy\'s `review.expireAfter` (%s)', (kind) => {
  const open: Harness[] = [];
  const start = async (policy: Record<string, unknown> = {}) => {
    const h = await harness(kind, { config: shopConfig(policy) });
    open.push(h);
    return h;
  };
  afterEach(async () => {
    for (const h of open.splice(0)) await h.close();
  });
  /** A review held for `userId`, made `ageMs` old in the store; its id, its creation time and the decision's first choice. */
  const heldReview = async (h: Harness, userId: string, ageMs: number) => {
    await send(h.app, '/v1/identify', { userId, traits: { segment: 'finance' }, context: advertising });
    const first = (await decideReq(h.app, { subject: userId, placement: 'home' })).json().choices[0];
    const hold = (await h.store.decisions.getHold(first.held.reviewId)) as Hold;
    const createdAt = Date.now() - ageMs;
    await h.store.decisions.putHold({ ...hold, createdAt });
    h.tact.decide.state.putHold({ ...hold, createdAt }); // as a restart would read it
    return { id: hold.id, createdAt, first };
  };

  it('shows a review pending for more than 7 days (the default) as expired, refuses a verdict on it with a 409 saying when it expired, and leaves the subject the safe default while a new review is asked for', async () => {
    const h = await start();
    const { id, createdAt, first } = await heldReview(h, 'fin', 8 * DAY);
    // default expiry 7 days: created 8 days ago, so it expired 1 day ago, at createdAt + 7·86 400 000 ms
    const expiredAt = new Date(createdAt + 7 * DAY).toISOString();
    const one = await get(h.app, `/v1/reviews/${id}`);
    expect(one.statusCode, one.body).toBe(200);
    expect(one.json()).toMatchObject({ status: 'expired', expiresAt: expiredAt });
    expect((await get(h.app, '/v1/reviews')).json().reviews.map((r: { id: string; status: string }) => [r.id, r.status])).toEqual([[id, 'expired']]);
    expect((await get(h.app, '/v1/reviews?status=pending')).json().reviews).toEqual([]);
    expect((await get(h.app, '/v1/reviews?status=expired')).json().reviews.map((r: { id: string }) => r.id)).toEqual([id]);
    for (const verb of ['approve', 'reject']) {
      const refused = await post(h.app, `/v1/reviews/${id}/${verb}`, { reviewer: 'kim' }, KEYS.admin);
      expect(refused.statusCode, verb).toBe(409);
      expect(refused.json().message).toContain(`expired at ${expiredAt}`);
    }
    expect((await h.store.decisions.getHold(id))?.status).toBe('pending');
    // The subject still gets the safe default, and the choice asks for a new review (the old one takes no verdict).
    const again = (await decideReq(h.app, { subject: 'fin', placement: 'home' })).json().choices[0];
    expect(again.action).toBe(first.action);
    expect(again.held.reviewId).not.toBe(id);
    expect((await get(h.app, `/v1/reviews/${again.held.reviewId}`)).json()).toMatchObject({ status: 'pending' });
  });

  it('keeps a review within `review.expireAfter` pending (with its expiresAt) and lets it be approved; pages the expired ones apart', async () => {
    const h = await start({ review: { expireAfter: '1d' } });
    const fresh = await heldReview(h, 'fin', 12 * HOUR);
    const old1 = await heldReview(h, 'gus', 2 * DAY);
    const old2 = await heldReview(h, 'hal', 3 * DAY);
    expect((await get(h.app, `/v1/reviews/${fresh.id}`)).json()).toMatchObject({ status: 'pending', expiresAt: new Date(fresh.createdAt + DAY).toISOString() });
    expect((await get(h.app, `/v1/reviews/${old1.id}`)).json()).toMatchObject({ status: 'expired', expiresAt: new Date(old1.createdAt + DAY).toISOString() });
    const pending = (await get(h.app, '/v1/reviews?status=pending&limit=5')).json();
    expect(pending).toEqual({ reviews: [expect.objectContaining({ id: fresh.id, status: 'pending' })], next: null });
    // newest first, one a page: gus (2 days old), then hal (3 days old)
    const page1 = (await get(h.app, '/v1/reviews?status=expired&limit=1')).json();
    expect(page1.reviews.map((r: { id: string }) => r.id)).toEqual([old1.id]);
    const page2 = (await get(h.app, `/v1/reviews?status=expired&limit=1&before=${page1.next}`)).json();
    expect(page2.reviews.map((r: { id: string }) => r.id)).toEqual([old2.id]);
    expect((await get(h.app, `/v1/reviews?status=expired&limit=1&before=${page2.next}`)).json()).toEqual({ reviews: [], next: null });
    const approved = await post(h.app, `/v1/reviews/${fresh.id}/approve`, { reviewer: 'kim' }, KEYS.admin);
    expect(approved.statusCode, approved.body).toBe(200);
    // An approval lapses if not delivered within `review.approvalValidFor` (30 days by default: reviews-approval.test.ts).
    expect(approved.json()).toMatchObject({ status: 'approved', expiresAt: new Date(Date.parse(approved.json().decidedAt) + 30 * DAY).toISOString() });
  });
});

describe('the policy\'s `review.expireAfter`', () => {
  it('must be a duration', () => {
    expect(checkPolicy({ review: { expireAfter: '7d' } })).toEqual([]);
    for (const expireAfter of ['soon', 7, '0d']) expect(checkPolicy({ review: { expireAfter } }).map((p) => p.field), String(expireAfter)).toEqual(['review.expireAfter']);
  });
});
