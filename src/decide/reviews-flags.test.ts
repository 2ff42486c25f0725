import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KEYS, bearer, get, harness, send, type Harness } from '../../test/harness.js';
import { shopConfig } from './fixtures.js';
import { advertising, decideReq, picked, post } from './test-http.js';

describe('human territory, reviews and flags', () => {
  let h: Harness;
  const policy = {
    humanTerritory: [
      { name: 'key accounts', queue: 'enterprise-am', accounts: ['acme'] },
      { name: 'paused by an account manager', queue: 'account-managers', flags: ['procurement_delay'] },
    ],
    rules: [...(shopConfig().policy.rules ?? []), { name: 'no offers to the bereaved', stage: 'suitability', when: '!has(flags.bereavement)' }],
  };
  beforeEach(async () => {
    h = await harness('sqlite', { config: shopConfig(policy) });
    await send(h.app, '/v1/identify', { userId: 'fin', traits: { segment: 'finance' }, context: advertising });
  });
  afterEach(async () => h.close());

  it('holds a high-stakes choice for review, gives the safe default, and delivers it once a person approves', async () => {
    const first = (await decideReq(h.app, { subject: 'fin', placement: 'home' })).json();
    expect(first.choices[0]).toMatchObject({ action: 'newsletter', held: { action: 'loan-offer' } });
    const reviewId = first.choices[0].held.reviewId;
    // asking again does not open a second review
    const second = (await decideReq(h.app, { subject: 'fin', placement: 'home' })).json();
    expect(second.choices[0].held.reviewId).toBe(reviewId);
    const pending = (await get(h.app, '/v1/reviews?status=pending')).json().reviews;
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ id: reviewId, action: 'loan-offer', subject: 'fin', queue: 'review', decisionId: first.decisionId });
    const approve = await post(h.app, `/v1/reviews/${reviewId}/approve`, { reviewer: 'kim', note: 'affordability checked' }, KEYS.admin);
    expect(approve.json()).toMatchObject({ status: 'approved', reviewer: 'kim' });
    expect((await post(h.app, `/v1/reviews/${reviewId}/reject`, {}, KEYS.admin)).statusCode).toBe(409);
    expect((await post(h.app, `/v1/reviews/${reviewId}/approve`, {}, KEYS.server)).statusCode).toBe(403);
    const third = (await decideReq(h.app, { subject: 'fin', placement: 'home' })).json();
    expect(third.choices[0]).toMatchObject({ kind: 'action', action: 'loan-offer' });
    expect(third.choices[0].explanation).toContain('a person approved it for this subject');
    expect((await get(h.app, `/v1/reviews/${reviewId}`)).json()).toMatchObject({ status: 'delivered', deliveredIn: third.decisionId });
    // delivered once: the next decision asks for a new review
    const fourth = (await decideReq(h.app, { subject: 'fin', placement: 'home' })).json();
    expect(fourth.choices[0].held.reviewId).not.toBe(reviewId);
  });

  it('opens one review however many decisions for the person come at once', async () => {
    const answers = await Promise.all(Array.from({ length: 6 }, () => decideReq(h.app, { subject: 'fin', placement: 'home' })));
    const held = new Set(answers.map((r) => r.json().choices[0].held?.reviewId));
    expect([...held]).toHaveLength(1);
    expect((await get(h.app, '/v1/reviews?status=pending')).json().reviews).toHaveLength(1);
  });

  it('stops offering a rejected high-stakes action to that subject', async () => {
    const first = (await decideReq(h.app, { subject: 'fin', placement: 'home' })).json();
    await post(h.app, `/v1/reviews/${first.choices[0].held.reviewId}/reject`, { note: 'not suitable' }, KEYS.admin);
    const after = (await decideReq(h.app, { subject: 'fin', placement: 'home', explain: 'full' })).json();
    expect(picked(after)).toEqual(['shoes-offer']);
    expect(after.explanation.candidates.find((c: { action: string }) => c.action === 'loan-offer').reason).toContain('"not suitable"');
    expect((await post(h.app, '/v1/reviews/nope/approve', {}, KEYS.admin)).statusCode).toBe(404);
  });

  it('hands key accounts to their queue', async () => {
    await send(h.app, '/v1/group', { userId: 'fin', groupId: 'acme', traits: { name: 'Acme' } });
    const d = (await decideReq(h.app, { subject: 'fin', placement: 'home' })).json();
    expect(d.choices).toMatchObject([{ kind: 'handoff', queue: 'enterprise-am', propensity: 1 }]);
    expect(d.explanation.handoff).toEqual({ territory: 'key accounts', queue: 'enterprise-am' });
    expect((await get(h.app, '/v1/decisions?action=queue:enterprise-am')).json().decisions).toHaveLength(1);
  });

  it('takes an account id in a flag, a flag query and a territory as group() does: trimmed (" globex " was stored as typed and reached no member)', async () => {
    const flag = (body: object) => h.app.inject({ method: 'POST', url: '/v1/flags', headers: { authorization: bearer(KEYS.admin) }, payload: body });
    await send(h.app, '/v1/group', { userId: 'fin', groupId: 'globex' });
    const paused = await flag({ account: ' globex ', name: 'procurement_delay', note: 'pause automated sequences' });
    expect(paused.json()).toMatchObject({ target: { kind: 'account', id: 'globex' } });
    expect(paused.json().warnings).toBeUndefined();
    // An account nothing has made: stored, and said (`Globex` would pause no one).
    const typo = (await flag({ account: 'Globex', name: 'procurement_delay', note: 'typo' })).json();
    expect(typo.warnings).toEqual([{ field: 'account', message: expect.stringContaining('No account `Globex` is known yet') }]);
    await h.app.inject({ method: 'DELETE', url: `/v1/flags/${typo.id}`, headers: { authorization: bearer(KEYS.admin) } });
    expect((await get(h.app, '/v1/flags?account=globex')).json().flags).toHaveLength(1);
    expect((await get(h.app, '/v1/flags?account=%20globex%20')).json().flags).toHaveLength(1);
    expect((await decideReq(h.app, { subject: 'fin', placement: 'home' })).json().choices[0]).toMatchObject({ kind: 'handoff', queue: 'account-managers' });
    await h.app.inject({ method: 'DELETE', url: `/v1/flags/${paused.json().id}`, headers: { authorization: bearer(KEYS.admin) } });
    // A territory naming " acme " covers acme's members.
    const policy = (await get(h.app, '/v1/config/policy')).json().body;
    policy.humanTerritory = policy.humanTerritory.map((t: { accounts?: string[] }) => (t.accounts ? { ...t, accounts: t.accounts.map((a) => ` ${a} `) } : t));
    expect((await h.app.inject({ method: 'PUT', url: '/v1/config/policy', headers: { authorization: bearer(KEYS.admin) }, payload: { document: policy, reason: 'padded ids' } })).statusCode).toBe(200);
    await send(h.app, '/v1/group', { userId: 'gus', groupId: 'acme' });
    expect((await decideReq(h.app, { subject: 'gus', placement: 'home' })).json().choices[0]).toMatchObject({ kind: 'handoff', queue: 'enterprise-am' });
  });

  it('records relationship context as flags with an expiry, usable in rules and human territory', async () => {
    const flag = (body: object) => h.app.inject({ method: 'POST', url: '/v1/flags', headers: { authorization: bearer(KEYS.admin) }, payload: body });
    await send(h.app, '/v1/group', { userId: 'fin', groupId: 'globex' });
    const paused = await flag({ account: 'globex', name: 'procurement_delay', note: 'pause automated sequences', until: '2099-01-15' });
    expect(paused.statusCode, paused.body).toBe(201);
    expect(paused.json()).toMatchObject({ target: { kind: 'account', id: 'globex' }, until: '2099-01-15T00:00:00.000Z', active: true, author: expect.stringContaining('key') });
    const d = (await decideReq(h.app, { subject: 'fin', placement: 'home' })).json();
    expect(d.choices[0]).toMatchObject({ kind: 'handoff', queue: 'account-managers' });
    expect((await h.app.inject({ method: 'DELETE', url: `/v1/flags/${paused.json().id}`, headers: { authorization: bearer(KEYS.admin) } })).json()).toMatchObject({ active: false, clearedBy: expect.any(String) });
    expect((await decideReq(h.app, { subject: 'fin', placement: 'home' })).json().choices[0].kind).toBe('action');
    // a flag on the person, read by a rule; once its expiry passes it is not active
    const brief = await flag({ subject: 'fin', name: 'bereavement', note: 'no offers for now', until: new Date(Date.now() + 300).toISOString() });
    expect(brief.statusCode, brief.body).toBe(201);
    await new Promise((r) => setTimeout(r, 350));
    expect((await decideReq(h.app, { subject: 'fin', placement: 'home', n: 2 })).json().choices.length).toBe(2);
    await flag({ subject: 'fin', name: 'bereavement', note: 'no offers for now' });
    const quiet = (await decideReq(h.app, { subject: 'fin', placement: 'home', n: 3, explain: 'full' })).json();
    expect(quiet.explanation.excludedByStage.suitability).toBeGreaterThanOrEqual(4);
    expect(quiet.explanation.facts['flags.bereavement']).toMatchObject({ note: 'no offers for now', on: 'profile' });
    const list = (await get(h.app, '/v1/flags?subject=fin')).json().flags;
    expect(list.map((f: { name: string; active: boolean }) => [f.name, f.active])).toEqual([['bereavement', false], ['bereavement', true]]);
    expect((await flag({ subject: 'fin', account: 'x', name: 'a', note: 'b' })).json().problems[0].field).toBe('subject');
    expect((await flag({ subject: 'fin', name: 'a', note: 'b', until: 'soon' })).json().problems[0].field).toBe('until');
    expect((await flag({ subject: 'fin', name: 'has space', note: 'b' })).json().problems[0].field).toBe('name');
    expect((await flag({ subject: 'nobody', name: 'a', note: 'b' })).json().problems[0].field).toBe('subject');
    expect((await flag({ subject: 'fin', name: 'a' })).json().problems[0].field).toBe('note');
  });

  it('keeps a person\'s flags when their identities merge, whichever profile survives', async () => {
    // The visitor's profile is older, so the customer's profile merges into it.
    await send(h.app, '/v1/track', { anonymousId: 'visitor-7', event: 'Product Viewed', context: advertising });
    await send(h.app, '/v1/identify', { userId: 'kim', context: advertising });
    const flagged = await h.app.inject({ method: 'POST', url: '/v1/flags', headers: { authorization: bearer(KEYS.admin) }, payload: { subject: 'kim', name: 'procurement_delay', note: 'budget frozen' } });
    expect(flagged.statusCode, flagged.body).toBe(201);
    await send(h.app, '/v1/identify', { userId: 'kim', anonymousId: 'visitor-7', context: advertising });
    const visitor = await h.store.profiles.findProfileId('anonymousId', 'visitor-7');
    expect(await h.store.profiles.findProfileId('userId', 'kim')).toBe(visitor);
    expect(flagged.json().target.id).not.toBe(visitor);
    for (const subject of ['kim', 'visitor-7']) {
      expect((await get(h.app, `/v1/flags?subject=${subject}`)).json().flags.map((f: { id: string }) => f.id), subject).toEqual([flagged.json().id]);
      expect((await decideReq(h.app, { subject, placement: 'home' })).json().choices[0], subject).toMatchObject({ kind: 'handoff', queue: 'account-managers' });
    }
    // A batch over the audience sees it too.
    const batch = await h.app.inject({ method: 'POST', url: '/v1/decide/batch', headers: { authorization: bearer(KEYS.admin) }, payload: { placement: 'home', audience: 'has(flags.procurement_delay)' } });
    expect(batch.statusCode, batch.body).toBe(200);
    const lines = batch.body.trim().split('\n').map((l) => JSON.parse(l) as { type: string; profileId?: string; matched?: number });
    expect(lines.filter((l) => l.type === 'decision').map((l) => l.profileId)).toEqual([visitor]);
    expect(lines.at(-1)).toMatchObject({ type: 'done', matched: 1 });
  });

  it('keeps a person\'s review when their identities merge: no second review, and the approval delivers', async () => {
    await send(h.app, '/v1/track', { anonymousId: 'visitor-8', event: 'Product Viewed', context: advertising });
    await send(h.app, '/v1/identify', { userId: 'lee', traits: { segment: 'finance' }, context: advertising });
    const held = (await decideReq(h.app, { subject: 'lee', placement: 'home' })).json().choices[0].held;
    expect(held).toMatchObject({ action: 'loan-offer' });
    // lee's profile merges into the visitor's, which is older
    await send(h.app, '/v1/identify', { userId: 'lee', anonymousId: 'visitor-8', traits: { segment: 'finance' }, context: advertising });
    expect(await h.store.profiles.findProfileId('userId', 'lee')).toBe(await h.store.profiles.findProfileId('anonymousId', 'visitor-8'));
    expect((await decideReq(h.app, { subject: 'visitor-8', placement: 'home' })).json().choices[0].held.reviewId).toBe(held.reviewId);
    expect((await get(h.app, '/v1/reviews?status=pending')).json().reviews.filter((r: { action: string; subject: string }) => r.subject !== 'fin')).toHaveLength(1);
    const approve = await h.app.inject({ method: 'POST', url: `/v1/reviews/${held.reviewId}/approve`, headers: { authorization: bearer(KEYS.admin) }, payload: {} });
    expect(approve.statusCode, approve.body).toBe(200);
    expect(picked((await decideReq(h.app, { subject: 'lee', placement: 'home' })).json())).toEqual(['loan-offer']);
    expect((await get(h.app, `/v1/reviews/${held.reviewId}`)).json()).toMatchObject({ status: 'delivered' });
  });

  it('delivers an approved review once when it was opened under a profile that has since merged, however many decisions come at once', async () => {
    await send(h.app, '/v1/track', { anonymousId: 'visitor-9', event: 'Product Viewed', context: advertising });
    await send(h.app, '/v1/identify', { userId: 'max', traits: { segment: 'finance' }, context: advertising });
    const held = (await decideReq(h.app, { subject: 'max', placement: 'home' })).json().choices[0].held;
    // max's profile (which holds the review) merges into the older visitor's
    await send(h.app, '/v1/identify', { userId: 'max', anonymousId: 'visitor-9', traits: { segment: 'finance' }, context: advertising });
    const approve = await h.app.inject({ method: 'POST', url: `/v1/reviews/${held.reviewId}/approve`, headers: { authorization: bearer(KEYS.admin) }, payload: {} });
    expect(approve.statusCode, approve.body).toBe(200);
    const answers = (await Promise.all(Array.from({ length: 6 }, () => decideReq(h.app, { subject: 'max', placement: 'home' })))).map((r) => r.json());
    expect(answers.filter((a) => a.choices[0].action === 'loan-offer' && !a.choices[0].held)).toHaveLength(1);
    expect((await get(h.app, `/v1/reviews/${held.reviewId}`)).json()).toMatchObject({ status: 'delivered' });
  });
});
