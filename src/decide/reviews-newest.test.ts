import { afterEach, describe, expect, it } from 'vitest';
import { KEYS, bearer, get, harness, openTestStore, send, type Harness } from '../../test/harness.js';
import { shopConfig } from './fixtures.js';
import type { Hold } from './records.js';
import { advertising, decideReq, post } from './test-http.js';

const DAY = 86_400_000;

/**
 * Decisions follow a person's newest review of an action (QA 2026-12-06): a review opened after an
 * older one lapsed is the one that counts, even when a window lengthened since would make the old
 * one live again, and two profiles' reviews joined by a merge are one person's.
 */
describe.each(['sqlite', 'postgres'] as const)('reviews: the newest review of a person and action is the one decisions follow (%s)', (kind) => {
  const open: Harness[] = [];
  const start = async (policy: Record<string, unknown>, store?: Harness['store']) => {
    const h = await harness(kind, { config: shopConfig(policy), store });
    open.push(h);
    return h;
  };
  afterEach(async () => {
    for (const h of open.splice(0)) await h.close();
  });

  /** The loan offer held for `subject`: its review. */
  const held = async (h: Harness, subject: string): Promise<string> => {
    const first = (await decideReq(h.app, { subject, placement: 'home' })).json().choices[0];
    expect(first.held?.action, JSON.stringify(first)).toBe('loan-offer');
    return first.held.reviewId as string;
  };
  /** A review's state moved back in time, in the store and the decision state (as a restart would read it). */
  const age = async (h: Harness, id: string, change: (x: Hold) => Hold) => {
    const aged = change((await h.store.decisions.getHold(id)) as Hold);
    await h.store.decisions.putHold(aged);
    h.tact.decide.state.putHold(aged);
  };
  const verdict = (h: Harness, id: string, verb: 'approve' | 'reject') => post(h.app, `/v1/reviews/${id}/${verb}`, { reviewer: 'kim' }, KEYS.admin);
  const review = (h: Harness, policy: Record<string, unknown>) => h.app.inject({ method: 'PUT', url: '/v1/config/policy', headers: { authorization: bearer(KEYS.admin) }, payload: { document: shopConfig(policy).policy, reason: 'the review windows lengthened' } });
  const finance = (h: Harness, body: Record<string, unknown>) => send(h.app, '/v1/identify', { ...body, traits: { segment: 'finance' }, context: advertising });

  it('delivers once when a lapsed approval comes back beside its successor\'s, and refuses a verdict on a pending review a newer one followed', async () => {
    const h = await start({ review: { approvalValidFor: '2d', expireAfter: '1d' } });
    await finance(h, { userId: 'ned' });
    const r1 = await held(h, 'ned');
    expect((await verdict(h, r1, 'approve')).statusCode).toBe(200);
    await age(h, r1, (x) => ({ ...x, decidedAt: Date.now() - 3 * DAY })); // lapsed undelivered
    const r2 = await held(h, 'ned');
    expect(r2).not.toBe(r1);
    expect((await verdict(h, r2, 'approve')).statusCode).toBe(200);
    // Both approvals would be valid for 30 days: until 2026-12-06 the next two decisions each delivered the loan.
    expect((await review(h, { review: { approvalValidFor: '30d', expireAfter: '1d' } })).statusCode).toBe(200);
    expect((await get(h.app, `/v1/reviews/${r1}`)).json()).toMatchObject({ status: 'approved', supersededBy: r2 });
    const one = (await decideReq(h.app, { subject: 'ned', placement: 'home' })).json().choices[0];
    expect(one).toMatchObject({ action: 'loan-offer' });
    expect(one.held).toBeUndefined();
    expect((await h.store.decisions.getHold(r2))?.status).toBe('delivered');
    const two = (await decideReq(h.app, { subject: 'ned', placement: 'home' })).json().choices[0];
    expect(two.action).not.toBe('loan-offer');
    expect((await h.store.decisions.getHold(r1))?.status).toBe('approved');

    // A pending review left to expire, then followed by a newer one, stays history when the window lengthens.
    await finance(h, { userId: 'ola' });
    const p1 = await held(h, 'ola');
    await age(h, p1, (x) => ({ ...x, createdAt: Date.now() - 2 * DAY }));
    const p2 = await held(h, 'ola');
    expect((await review(h, { review: { approvalValidFor: '30d', expireAfter: '7d' } })).statusCode).toBe(200);
    expect((await get(h.app, `/v1/reviews/${p1}`)).json()).toMatchObject({ status: 'superseded', supersededBy: p2 });
    const refused = await verdict(h, p1, 'approve');
    expect(refused.statusCode).toBe(409);
    expect(refused.json().message).toContain(`look at the review ${p2} instead`);
    expect((await get(h.app, `/v1/reviews/${p2}`)).json()).toMatchObject({ status: 'pending', supersededBy: null });
  });

  it('lets a newer approval win over an older rejection a lengthened `rejectFor` would bring back', async () => {
    const h = await start({ review: { rejectFor: '1d' } });
    await finance(h, { userId: 'kay' });
    const r1 = await held(h, 'kay');
    expect((await verdict(h, r1, 'reject')).statusCode).toBe(200);
    await age(h, r1, (x) => ({ ...x, decidedAt: Date.now() - 2 * DAY }));
    const r2 = await held(h, 'kay');
    expect((await verdict(h, r2, 'approve')).statusCode).toBe(200);
    expect((await review(h, { review: { rejectFor: '30d' } })).statusCode).toBe(200);
    // Until 2026-12-06 the old rejection excluded the loan and the newer approval was never used.
    expect((await decideReq(h.app, { subject: 'kay', placement: 'home' })).json().choices[0]).toMatchObject({ action: 'loan-offer' });
    expect((await h.store.decisions.getHold(r2))?.status).toBe('delivered');
  });

  it('delivers once to a person whose two profiles each had a review before they merged', async () => {
    const h = await start({});
    await finance(h, { userId: 'mia' });
    await finance(h, { anonymousId: 'anon-mia' });
    const ra = await held(h, 'mia');
    const rb = await held(h, 'anon-mia');
    await send(h.app, '/v1/identify', { userId: 'mia', anonymousId: 'anon-mia' });
    for (const id of [ra, rb]) expect((await verdict(h, id, 'approve')).statusCode).toBe(200);
    const delivered: string[] = [];
    for (let i = 0; i < 3; i++) {
      const c = (await decideReq(h.app, { subject: 'mia', placement: 'home' })).json().choices[0];
      if (c.action === 'loan-offer' && !c.held) delivered.push(c.action);
    }
    // Until 2026-12-06 the next two decisions each delivered it.
    expect(delivered).toHaveLength(1);
  });

  /** A restart on the same store: this process stopped, another started on the store with the policy `policy`. */
  const restart = async (h: Harness, policy: Record<string, unknown>) => {
    await h.app.close();
    await h.tact.close();
    open.splice(open.indexOf(h), 1);
    return start(policy, h.store);
  };

  it('keeps a lapsed approval the decision state let go of from coming back beside its successor, across restarts', async () => {
    const { store, cleanup } = await openTestStore(kind);
    try {
      const policy = { review: { approvalValidFor: '2d' } };
      let h = await start(policy, store);
      await finance(h, { userId: 'lou' });
      const r1 = await held(h, 'lou');
      expect((await verdict(h, r1, 'approve')).statusCode).toBe(200);
      // Lapsed undelivered, in the store only: the restart's decision state does not read it, so the
      // decision that opens its successor does not see it to mark it.
      await store.decisions.putHold({ ...((await store.decisions.getHold(r1)) as Hold), decidedAt: Date.now() - 3 * DAY });
      h = await restart(h, policy);
      const r2 = await held(h, 'lou');
      expect(r2).not.toBe(r1);
      expect((await verdict(h, r2, 'approve')).statusCode).toBe(200);
      expect((await review(h, { review: { approvalValidFor: '30d' } })).statusCode).toBe(200);
      expect((await store.decisions.getHold(r1))?.supersededBy).toBe(r2);
      expect((await get(h.app, `/v1/reviews/${r1}`)).json()).toMatchObject({ status: 'approved', supersededBy: r2 });
      const loans: string[] = [];
      for (let i = 0; i < 2; i++) {
        if (i) h = await restart(h, { review: { approvalValidFor: '30d' } });
        const c = (await decideReq(h.app, { subject: 'lou', placement: 'home' })).json().choices[0];
        if (c.action === 'loan-offer' && !c.held) loans.push(c.decisionId ?? c.action);
      }
      expect(loans).toHaveLength(1);
      expect((await store.decisions.getHold(r2))?.status).toBe('delivered');
      expect((await store.decisions.getHold(r1))?.status).toBe('approved');
    } finally {
      for (const x of open.splice(0)) (await x.app.close(), await x.tact.close());
      await cleanup();
    }
  });

  it('stores the mark a delivery leaves on the merged profile\'s older review, so a restart refuses a verdict on it and does not deliver it', async () => {
    const { store, cleanup } = await openTestStore(kind);
    try {
      let h = await start({}, store);
      await finance(h, { userId: 'max' });
      await finance(h, { anonymousId: 'anon-max' });
      const ra = await held(h, 'max');
      const rb = await held(h, 'anon-max');
      await send(h.app, '/v1/identify', { userId: 'max', anonymousId: 'anon-max' });
      expect((await verdict(h, rb, 'approve')).statusCode).toBe(200);
      const d = (await decideReq(h.app, { subject: 'max', placement: 'home' })).json().choices[0];
      expect(d).toMatchObject({ action: 'loan-offer' });
      expect(d.held).toBeUndefined();
      // Until 2026-12-06 nothing marked ra: pending beside a delivered review, an approval of it delivered the loan again.
      expect((await store.decisions.getHold(ra))?.supersededBy).toBe(rb);
      h = await restart(h, {});
      expect((await get(h.app, `/v1/reviews/${ra}`)).json()).toMatchObject({ status: 'superseded', supersededBy: rb });
      const refused = await verdict(h, ra, 'approve');
      expect(refused.statusCode).toBe(409);
      expect(refused.json().message).toContain(`look at the review ${rb} instead`);
      expect((await store.decisions.getHold(ra))?.status).toBe('pending');
      const again = (await decideReq(h.app, { subject: 'max', placement: 'home' })).json().choices[0];
      expect(again.action === 'loan-offer' && !again.held).toBe(false);
    } finally {
      for (const x of open.splice(0)) (await x.app.close(), await x.tact.close());
      await cleanup();
    }
  });
});
