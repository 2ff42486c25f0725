import { afterEach, describe, expect, it } from 'vitest';
import { KEYS, get, harness, openTestStore, send, type Harness } from '../../test/harness.js';
import { shopConfig } from './fixtures.js';
import type { Hold } from './records.js';
import { advertising, decideReq, post } from './test-http.js';

const DAY = 86_400_000;

describe('reviews: deciding a held choice, and what a decision keeps of it', () => {
  const open: Harness[] = [];
  const start = async (o: Parameters<typeof harness>[1] = {}) => {
    const h = await harness('sqlite', { config: shopConfig(), ...o });
    open.push(h);
    return h;
  };
  afterEach(async () => {
    for (const h of open.splice(0)) await h.close();
  });
  const heldReview = async (h: Harness): Promise<string> => {
    await send(h.app, '/v1/identify', { userId: 'fin', traits: { segment: 'finance' }, context: advertising });
    return (await decideReq(h.app, { subject: 'fin', placement: 'home' })).json().choices[0].held.reviewId;
  };

  it('lets exactly one of an approval and a rejection sent at once win; the other gets a 409', async () => {
    const h = await start();
    const id = await heldReview(h);
    const answers = await Promise.all([post(h.app, `/v1/reviews/${id}/approve`, { reviewer: 'kim' }, KEYS.admin), post(h.app, `/v1/reviews/${id}/reject`, { reviewer: 'lee' }, KEYS.admin)]);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 409]);
    const winner = answers.find((a) => a.statusCode === 200)?.json();
    expect((await get(h.app, `/v1/reviews/${id}`)).json()).toMatchObject({ status: winner.status, reviewer: winner.reviewer });
    expect(answers.find((a) => a.statusCode === 409)?.json().message).toContain(`already ${winner.status}`);
  });

  it('answers the second of two approvals sent at once with a 409', async () => {
    const h = await start();
    const id = await heldReview(h);
    const answers = await Promise.all([post(h.app, `/v1/reviews/${id}/approve`, { reviewer: 'kim' }, KEYS.admin), post(h.app, `/v1/reviews/${id}/approve`, { reviewer: 'lee' }, KEYS.admin)]);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 409]);
    const winner = answers.find((a) => a.statusCode === 200)?.json();
    expect((await get(h.app, `/v1/reviews/${id}`)).json().reviewer).toBe(winner.reviewer);
  });

  it('pages through the pending reviews with `next`, and names `before` when it is no review', async () => {
    const h = await start();
    for (const userId of ['fin', 'gus', 'hal']) {
      await send(h.app, '/v1/identify', { userId, traits: { segment: 'finance' }, context: advertising });
      await decideReq(h.app, { subject: userId, placement: 'home' });
    }
    const first = await get(h.app, '/v1/reviews?status=pending&limit=2');
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json().reviews).toHaveLength(2);
    const rest = (await get(h.app, `/v1/reviews?status=pending&limit=2&before=${first.json().next}`)).json();
    expect(rest).toMatchObject({ next: null });
    expect([...first.json().reviews, ...rest.reviews].map((r: { subject: string }) => r.subject).sort()).toEqual(['fin', 'gus', 'hal']);
    const unknown = await get(h.app, '/v1/reviews?before=nope');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().problems[0].field).toBe('querystring.before');
  });

  it('keeps a rejection for the policy\'s whole `review.rejectFor` across a restart, not only the first 30 days', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    const config = shopConfig({ ...shopConfig().policy, review: { rejectFor: '90d' } });
    const h1 = await start({ store, config });
    const id = await heldReview(h1);
    const hold = (await store.decisions.getHold(id)) as Hold;
    await store.decisions.putHold({ ...hold, status: 'rejected', reviewer: 'kim', note: 'not affordable', decidedAt: Date.now() - 60 * DAY });
    await h1.app.close();
    await h1.tact.close();
    open.splice(0);
    const h2 = await start({ store, config });
    const d = (await decideReq(h2.app, { subject: 'fin', placement: 'home', explain: 'full' })).json();
    expect(d.choices[0].held).toBeUndefined();
    expect(d.explanation.candidates.find((c: { action: string }) => c.action === 'loan-offer').reason).toContain('"not affordable"');
    expect((await get(h2.app, '/v1/reviews?status=pending')).json().reviews).toHaveLength(0);
    await h2.app.close();
    await h2.tact.close();
    open.splice(0);
    await cleanup();
  });
});

describe('flags: what the API accepts', () => {
  let h: Harness;
  afterEach(async () => h.close());
  const flag = (body: object) => post(h.app, '/v1/flags', body, KEYS.admin);

  it('refuses a flag whose expiry has already passed, naming `until`', async () => {
    h = await harness('sqlite', { config: shopConfig() });
    await send(h.app, '/v1/identify', { userId: 'fin', context: advertising });
    const past = await flag({ subject: 'fin', name: 'procurement_delay', note: 'budget frozen', until: '2001-01-15' });
    expect(past.statusCode).toBe(400);
    expect(past.json().problems[0]).toMatchObject({ field: 'until', message: expect.stringContaining('passed') });
    expect((await get(h.app, '/v1/flags?subject=fin')).json().flags).toEqual([]);
  });

  it('refuses an expiry that is not ISO-8601 (is 01/02/2030 the 1st of February or the 2nd of January?)', async () => {
    h = await harness('sqlite', { config: shopConfig() });
    await send(h.app, '/v1/identify', { userId: 'fin', context: advertising });
    for (const until of ['01/02/2030', 'February 1, 2030', '2030-02-30', '2030-02-01T09:00:00']) {
      const refused = await flag({ subject: 'fin', name: 'procurement_delay', note: 'budget frozen', until });
      expect(refused.statusCode, until).toBe(400);
      expect(refused.json().problems[0].field).toBe('until');
    }
    for (const until of ['2099-01-15', '2099-01-15T09:00:00Z', '2099-01-15T09:00:00.000+01:00']) expect((await flag({ subject: 'fin', name: 'a', note: 'b', until })).statusCode, until).toBe(201);
  });
});
