import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, get, harness, send, type Harness } from '../../../test/harness.js';
import { shopConfig } from '../fixtures.js';
import { advertising, decideReq, post } from '../test-http.js';

/**
 * What GET /v1/flags and GET /v1/reviews answer (QA 2026-12-06): a subject's flags include its
 * accounts' open ones, which rules read for it; a filter sent empty or blank is a 400 naming it
 * (it was read as no filter); an empty answer to a queue no policy names says which it likely meant.
 */
describe('flag and review lists', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('sqlite', { config: shopConfig({ humanTerritory: [{ name: 'paused accounts', queue: 'account-managers', flags: ['procurement_delay'] }] }) });
    await send(h.app, '/v1/identify', { userId: 'fin', traits: { segment: 'finance' }, context: advertising });
  });
  afterAll(async () => h.close());

  it('lists a subject\'s flags with the open flags of its accounts, each with its account', async () => {
    await send(h.app, '/v1/group', { userId: 'fin', groupId: 'globex' });
    const own = await post(h.app, '/v1/flags', { subject: 'fin', name: 'vip', note: 'key contact' }, KEYS.admin);
    const onAccount = await post(h.app, '/v1/flags', { account: 'globex', name: 'procurement_delay', note: 'pause automated sequences' }, KEYS.admin);
    const cleared = await post(h.app, '/v1/flags', { account: 'globex', name: 'old_pause', note: 'over' }, KEYS.admin);
    await h.app.inject({ method: 'DELETE', url: `/v1/flags/${cleared.json().id}`, headers: { authorization: `Bearer ${KEYS.admin}` } });
    // Rules read the account's flag for fin: it hands fin to the account managers.
    expect((await decideReq(h.app, { subject: 'fin', placement: 'home' })).json().choices[0]).toMatchObject({ kind: 'handoff', queue: 'account-managers' });
    const listed = (await get(h.app, '/v1/flags?subject=fin')).json().flags as { id: string; account?: string; active: boolean }[];
    expect(listed.map((f) => [f.id, f.account, f.active])).toEqual([[own.json().id, undefined, true], [onAccount.json().id, 'globex', true]]);
    // The account's own listing is as it was: its flags, cleared ones too, with no `account` mark.
    const ofAccount = (await get(h.app, '/v1/flags?account=globex')).json().flags as { id: string; account?: string }[];
    expect(ofAccount.map((f) => f.id).sort()).toEqual([onAccount.json().id, cleared.json().id].sort());
    expect(ofAccount.every((f) => f.account === undefined)).toBe(true);
    for (const id of [own.json().id, onAccount.json().id]) await h.app.inject({ method: 'DELETE', url: `/v1/flags/${id}`, headers: { authorization: `Bearer ${KEYS.admin}` } });
  });

  it('refuses a filter sent empty or blank, naming it', async () => {
    const cases: [string, string, string][] = [
      ['/v1/reviews?queue=', 'querystring.queue', 'The `queue` is empty: no review is under a queue without a name. Name the queue, or leave `queue` out for the reviews of every queue.'],
      ['/v1/reviews?queue=%20', 'querystring.queue', 'The `queue` is blank (only white space): no review is under a queue without a name. Name the queue, or leave `queue` out for the reviews of every queue.'],
      ['/v1/reviews?status=pending&before=', 'querystring.before', 'The `before` is empty: pass the `next` of the previous page, or leave `before` out for the first page.'],
      ['/v1/flags?subject=', 'querystring.subject', 'The `subject` is empty: name the person by an identifier of theirs, or leave `subject` out for every open flag.'],
      ['/v1/flags?account=%20', 'querystring.account', 'The `account` is blank (only white space): it names no account, so it has no flags. Name the account, or leave `account` out for every open flag.'],
    ];
    for (const [url, field, message] of cases) {
      const r = await get(h.app, url);
      expect([r.statusCode, r.json().problems], url).toEqual([400, [{ field, message }]]);
    }
    // `status` was refused already (its values are listed).
    expect((await get(h.app, '/v1/reviews?status=')).json().problems[0].field).toBe('querystring.status');
  });

  it('answers an empty page for a queue the policy does not name with a warning naming the queue likely meant', async () => {
    const typo = (await get(h.app, '/v1/reviews?queue=reveiw')).json();
    expect(typo).toEqual({ reviews: [], next: null, warnings: [{ field: 'queue', suggestion: 'review', message: 'No queue `reveiw` is known to the policy in force; did you mean `review`? No review is under it either (queue names are case-sensitive); a queue a policy named before still lists the reviews decided under it.' }] });
    expect((await get(h.app, '/v1/reviews?queue=account-manager')).json().warnings[0].suggestion).toBe('account-managers');
    expect((await get(h.app, '/v1/reviews?queue=compliance')).json().warnings[0].message).toContain('its reviews are under `review` (the policy\'s `review.queue`)');
    // A queue the policy names answers without a warning, empty or not.
    await send(h.app, '/v1/identify', { userId: 'gus', traits: { segment: 'finance' }, context: advertising });
    expect((await decideReq(h.app, { subject: 'gus', placement: 'home' })).json().choices[0].held).toBeTruthy();
    const known = (await get(h.app, '/v1/reviews?queue=review')).json();
    expect([known.reviews.length, known.warnings]).toEqual([1, undefined]);
    expect((await get(h.app, '/v1/reviews?queue=account-managers')).json()).toEqual({ reviews: [], next: null });
  });
});
