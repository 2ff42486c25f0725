import { afterEach, describe, expect, it } from 'vitest';
import { KEYS, get, harness, send, type Harness } from '../../test/harness.js';
import { shopConfig } from './fixtures.js';
import { advertising, decideReq, post } from './test-http.js';

const DAY = 86_400_000;

/**
 * A rejected review keeps its action from its subject for the policy's `review.rejectFor` (30 days
 * by default): the review says when that block ends, as an approved one says when its approval
 * lapses — it answered `expiresAt: null`.
 */
describe.each(['sqlite', 'postgres'] as const)('reviews: a rejection shows when its block ends (%s)', (kind) => {
  const open: Harness[] = [];
  const start = async (policy: Record<string, unknown> = {}) => {
    const h = await harness(kind, { config: shopConfig(policy) });
    open.push(h);
    return h;
  };
  afterEach(async () => {
    for (const h of open.splice(0)) await h.close();
  });

  const rejected = async (h: Harness, userId: string) => {
    await send(h.app, '/v1/identify', { userId, traits: { segment: 'finance' }, context: advertising });
    const first = (await decideReq(h.app, { subject: userId, placement: 'home' })).json().choices[0];
    expect(first.held.action).toBe('loan-offer');
    const r = await post(h.app, `/v1/reviews/${first.held.reviewId}/reject`, { reviewer: 'kim' }, KEYS.admin);
    expect(r.statusCode, r.body).toBe(200);
    return r.json();
  };

  it('answers expiresAt = decidedAt + `review.rejectFor` in the verdict, GET /v1/reviews/:id and the list', async () => {
    const h = await start();
    const verdict = await rejected(h, 'fin');
    const ends = new Date(Date.parse(verdict.decidedAt) + 30 * DAY).toISOString();
    expect(verdict).toMatchObject({ status: 'rejected', expiresAt: ends });
    expect((await get(h.app, `/v1/reviews/${verdict.id}`)).json()).toMatchObject({ status: 'rejected', expiresAt: ends });
    const list = (await get(h.app, '/v1/reviews?status=rejected')).json().reviews;
    expect(list).toMatchObject([{ id: verdict.id, expiresAt: ends }]);
    // And blocked until then: the subject's next decision does not offer it again.
    expect((await decideReq(h.app, { subject: 'fin', placement: 'home' })).json().choices[0].action).not.toBe('loan-offer');

    const short = await start({ review: { rejectFor: '5d' } });
    const five = await rejected(short, 'gus');
    expect((await get(short.app, `/v1/reviews/${five.id}`)).json().expiresAt).toBe(new Date(Date.parse(five.decidedAt) + 5 * DAY).toISOString());
  });
});

describe('the OpenAPI description of a review', () => {
  it('says a rejected review expires when its `review.rejectFor` ends', async () => {
    const h = await harness('sqlite');
    try {
      const doc = (await h.app.inject({ url: '/openapi.json' })).json();
      const schema = doc.paths['/v1/reviews/{id}'].get.responses['200'].content['application/json'].schema;
      expect(schema.properties.expiresAt.description).toMatch(/rejected.*`review\.rejectFor`/);
      expect(schema.properties.expiresAt.description).not.toMatch(/null once rejected/);
    } finally {
      await h.close();
    }
  });
});
