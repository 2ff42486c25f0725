import { afterEach, describe, expect, it } from 'vitest';
import { KEYS, send, twoHarnesses } from '../../test/harness.js';
import { shopConfig } from './fixtures.js';
import { advertising, decideReq, post } from './test-http.js';

/**
 * Two processes on one PostgreSQL database (background loops off: neither syncs unless told). A
 * review decided in one process is what the other's next decision for the subject goes by, at
 * once — not a second later, after its sync — and what its log says.
 */
describe('a review decided in another process', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it.each([['approve', 'delivers the action'], ['reject', 'excludes the action']])('%s: the other process\'s next decision %s, and never logs that it waits for the review', async (verdict) => {
    const two = await twoHarnesses('postgres', { config: shopConfig() });
    close = two.close;
    const { a, b } = two;
    await send(a.app, '/v1/identify', { userId: 'fin', traits: { segment: 'finance' }, context: advertising });
    const held = (await decideReq(a.app, { subject: 'fin', placement: 'home' })).json();
    const id = held.choices[0].held?.reviewId as string;
    expect(id).toBeTruthy();
    expect((await post(b.app, `/v1/reviews/${id}/${verdict}`, { reviewer: 'kim' }, KEYS.admin)).statusCode).toBe(200);
    // A has not synced: until 2026-12-05 it kept the hold for up to a second, logging "waits for a person's review".
    const next = (await decideReq(a.app, { subject: 'fin', placement: 'home' })).json();
    expect(next.choices[0].held, JSON.stringify(next.choices[0])).toBeUndefined();
    expect(next.explanation.operator).not.toContain('waits for a person\'s review');
    if (verdict === 'approve') expect(next.choices[0].action).toBe('loan-offer');
    else expect(next.choices.map((c: { action?: string }) => c.action)).not.toContain('loan-offer');
  });
});
