import { afterEach, describe, expect, it } from 'vitest';
import { KEYS, bearer, get, harness, send, type Harness } from '../../test/harness.js';
import { shopConfig, shopPolicy } from './fixtures.js';
import { advertising, decideReq, post } from './test-http.js';

/**
 * The policy has one review queue (`review.queue`): the team that takes high-stakes reviews. When
 * it changes (the work moves to another team), the reviews still open move with it — the new team
 * asking `?queue=<new>` sees every review awaiting a verdict, not only those opened since. A review
 * with a verdict is history: it keeps the queue it was opened under.
 */
describe.each(['sqlite', 'postgres'] as const)('reviews: the policy\'s `review.queue` changes (%s)', (kind) => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });
  const held = async (userId: string): Promise<string> => {
    await send(h!.app, '/v1/identify', { userId, traits: { segment: 'finance' }, context: advertising });
    const choice = (await decideReq(h!.app, { subject: userId, placement: 'home' })).json().choices[0];
    expect(choice.held?.reviewId, JSON.stringify(choice)).toBeTruthy();
    return choice.held.reviewId as string;
  };
  const listed = async (query: string) => {
    const r = await get(h!.app, `/v1/reviews?${query}`);
    expect(r.statusCode, r.body).toBe(200);
    return (r.json().reviews as { id: string; queue: string; status: string }[]).map((x) => [x.id, x.queue, x.status]);
  };

  it('lists the pending reviews opened under the old queue under the queue now in force; decided ones keep the one they were opened under', async () => {
    h = await harness(kind, { config: shopConfig({ review: { queue: 'compliance' } }) });
    const decided = await held('ana');
    expect((await post(h.app, `/v1/reviews/${decided}/approve`, { reviewer: 'kim' }, KEYS.admin)).statusCode).toBe(200);
    const old = await held('fin');
    expect(await listed('queue=compliance&status=pending')).toEqual([[old, 'compliance', 'pending']]);

    const put = await h.app.inject({ method: 'PUT', url: '/v1/config/policy', headers: { authorization: bearer(KEYS.admin) }, payload: { document: { ...shopPolicy(), review: { queue: 'credit-risk' } }, reason: 'credit risk takes the reviews' } });
    expect(put.statusCode, put.body).toBe(200);
    const fresh = await held('gus');

    // The new team sees all the work awaiting a verdict; the old queue none of it.
    expect(await listed('queue=credit-risk&status=pending')).toEqual([[fresh, 'credit-risk', 'pending'], [old, 'credit-risk', 'pending']]);
    expect(await listed('queue=compliance&status=pending')).toEqual([]);
    expect((await get(h.app, `/v1/reviews/${old}`)).json()).toMatchObject({ queue: 'credit-risk', status: 'pending' });
    // A verdict given keeps the queue it was given under.
    expect(await listed('queue=compliance&status=approved')).toEqual([[decided, 'compliance', 'approved']]);
    expect(await listed('queue=compliance')).toEqual([[decided, 'compliance', 'approved']]);
    expect(await listed('queue=credit-risk')).toEqual([[fresh, 'credit-risk', 'pending'], [old, 'credit-risk', 'pending']]);
    expect(await listed('queue=credit-risk&limit=1')).toEqual([[fresh, 'credit-risk', 'pending']]);
    // Its verdict given, it is history: it shows the queue it was opened under (the store records no other).
    expect((await post(h.app, `/v1/reviews/${old}/approve`, { reviewer: 'lee' }, KEYS.admin)).json()).toMatchObject({ queue: 'compliance', status: 'approved' });
    expect(await listed('queue=credit-risk')).toEqual([[fresh, 'credit-risk', 'pending']]);
  });
});
