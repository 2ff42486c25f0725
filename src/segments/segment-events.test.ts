import { afterEach, describe, expect, it } from 'vitest';
import { get, harness, type Harness } from '../../test/harness.js';
import { newProfileId } from '../identity/profile-id.js';
import { ingest, putConfig, track } from '../store/conformance/learn-helpers.js';
import type { SegmentTransition } from './segment-store.js';

const config = { segments: { audiences: [{ name: 'buyers', when: 'false' }] } };
const t = (profileId: string, kind: 'entry' | 'exit'): SegmentTransition => ({ segment: 'buyers', profileId, kind, at: 1_764_000_000_000, seq: 1, version: 1, reason: 'event' });
type Page = { events: { profileId: string; kind: string }[]; next: string };

describe('GET /v1/segments/{name}/events', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('pages a poller through every entry and exit once, oldest first, with `after` and `next`', async () => {
    h = await harness('sqlite', { config });
    await h.store.segments.apply([t('p1', 'entry'), t('p2', 'entry'), t('p1', 'exit')]);
    const page = async (after: string) => (await get(h!.app, `/v1/segments/buyers/events?after=${after}&limit=2`)).json() as Page;
    const first = await page('0');
    expect(first.events.map((e) => [e.profileId, e.kind])).toEqual([['p1', 'entry'], ['p2', 'entry']]);
    const second = await page(first.next);
    expect(second.events.map((e) => [e.profileId, e.kind])).toEqual([['p1', 'exit']]);
    // Caught up: nothing new, and the cursor stays where it is.
    expect(await page(second.next)).toMatchObject({ events: [], next: second.next });
    await h.store.segments.apply([t('p3', 'entry')]);
    expect((await page(second.next)).events.map((e) => e.profileId)).toEqual(['p3']);
  });

  it('answers the newest first without `after`, with the cursor of the newest for a poller to start from', async () => {
    h = await harness('sqlite', { config });
    const empty = (await get(h.app, '/v1/segments/buyers/events')).json() as Page;
    expect(empty).toMatchObject({ events: [], next: '0' });
    await h.store.segments.apply([t('p1', 'entry'), t('p2', 'entry')]);
    const newest = (await get(h.app, '/v1/segments/buyers/events?limit=1')).json() as Page;
    expect(newest.events.map((e) => e.profileId)).toEqual(['p2']);
    await h.store.segments.apply([t('p3', 'entry')]);
    expect(((await get(h.app, `/v1/segments/buyers/events?after=${newest.next}`)).json() as Page).events.map((e) => e.profileId)).toEqual(['p3']);
  });

  it('is a 400 naming `after` when the cursor is not one it handed out', async () => {
    h = await harness('sqlite', { config });
    for (const bad of ['abc', '-1', '1.5', '99999999999999999999']) {
      const r = await get(h.app, `/v1/segments/buyers/events?after=${bad}`);
      expect(r.statusCode, bad).toBe(400);
      expect(r.json()).toMatchObject({ error: 'validation_failed', problems: [{ field: 'querystring.after' }] });
      expect(r.json().message).toMatch(/`after`/);
    }
    // A well-formed cursor past the newest event: taken, it would skip the next events written below
    // it (until 2026-12-05 it was answered 200, echoed back as `next`, and those events were lost to the poller).
    await h.store.segments.apply([t('p1', 'entry'), t('p2', 'entry')]);
    const newest = Number(((await get(h.app, '/v1/segments/buyers/events?limit=1')).json() as Page).next);
    const ahead = await get(h.app, `/v1/segments/buyers/events?after=${newest + 5}`);
    expect([ahead.statusCode, ahead.json().problems?.[0]?.field]).toEqual([400, 'querystring.after']);
    expect(ahead.json().message).toContain(`past the newest event of the segment (${newest})`);
    // The newest event's own id is a cursor it hands out: caught up, not refused.
    expect((await get(h.app, `/v1/segments/buyers/events?after=${newest}`)).statusCode).toBe(200);
  });

  it('dates an entry by when Tact evaluated the rule, not by the event\'s timestamp, and says so in /openapi.json', async () => {
    h = await harness('sqlite', { config: { features: [{ name: 'orders', kind: 'count', event: 'Order Completed' }], segments: { audiences: [{ name: 'vip', when: 'features.orders >= 1.0' }] } } });
    const sent = Date.now();
    await ingest(h, [track('u-1', 'Order Completed', {}, sent - 30 * 86_400_000)]);
    const [entry] = ((await get(h.app, '/v1/segments/vip/events')).json() as { events: { kind: string; at: string }[] }).events;
    expect(entry.kind).toBe('entry');
    expect(Date.parse(entry.at)).toBeGreaterThanOrEqual(sent);
    const [member] = (await get(h.app, '/v1/segments/vip/members')).json().members as { since: string }[];
    expect(member.since).toBe(entry.at);
    const spec = (await get(h.app, '/openapi.json')).json();
    const describe = (path: string, field: string) => JSON.stringify(spec.paths[path].get.responses['200']).match(new RegExp(`"${field}":\\{[^}]*"description":"([^"]*)"`))?.[1];
    expect(describe('/v1/segments/{name}/events', 'at')).toMatch(/^When Tact recorded it: the moment it evaluated the rule .*not the `timestamp` of the event/);
    expect(describe('/v1/segments/{name}/members', 'since')).toMatch(/not the timestamp of the event/);
  });

  it('hands a poller the exits of a segment no longer defined (reason `removed`), and is a 404 for a name never recorded', async () => {
    h = await harness('sqlite', { config: { features: [{ name: 'orders', kind: 'count', event: 'Order Completed' }], segments: { audiences: [{ name: 'vip', when: 'features.orders >= 1.0' }] } } });
    await ingest(h, [track('u-1', 'Order Completed', {}, Date.now() - 5000)]);
    const start = (await get(h.app, '/v1/segments/vip/events')).json() as Page;
    expect(start.events.map((e) => e.kind)).toEqual(['entry']);
    // The segment is taken out: its member leaves it, and an audience sync must hear of it.
    expect((await putConfig(h, 'segments', { audiences: [] })).statusCode).toBe(200);
    await h.tact.learning.settled();
    const after = await get(h.app, `/v1/segments/vip/events?after=${start.next}`);
    expect(after.statusCode, after.body).toBe(200);
    expect((after.json() as Page).events).toMatchObject([{ kind: 'exit', reason: 'removed' }]);
    const members = await get(h.app, '/v1/segments/vip/members');
    expect(members.statusCode, members.body).toBe(200);
    expect(members.json().members).toEqual([]);
    const never = await get(h.app, '/v1/segments/nope/events?after=0');
    expect(never.statusCode).toBe(404);
    // `vip` is no longer defined, but its feed is kept: it is a segment there is.
    expect(never.json().message).toBe('No segment (the segments are vip) matches `nope`.');
  });
});

describe('GET /v1/segments/{name}/members and /events: what the query may hold', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });
  type Members = { members: { profileId: string }[]; next: string | null };

  it('is a 400 naming a query parameter neither takes (`limt`), not a full page', async () => {
    h = await harness('sqlite', { config });
    await h.store.segments.apply([t(newProfileId(), 'entry'), t(newProfileId(), 'entry')]);
    for (const url of ['/v1/segments/buyers/members?limt=1', '/v1/segments/buyers/events?limt=1', '/v1/segments/buyers/events?after=0&limt=1']) {
      const r = await get(h.app, url);
      expect([r.statusCode, r.json().problems], `${url}: ${r.body}`).toEqual([400, [{ field: 'querystring.limt', message: 'The `querystring.limt` property is not one this endpoint takes.' }]]);
    }
  });

  it('pages the members with the `next` it hands out, and is a 400 naming `after` for a cursor that is no profile id (not an empty page, nor the first)', async () => {
    h = await harness('sqlite', { config });
    const ids = [newProfileId(), newProfileId(), newProfileId()];
    await h.store.segments.apply(ids.map((id) => t(id, 'entry')));
    const first = (await get(h.app, '/v1/segments/buyers/members?limit=2')).json() as Members;
    expect(first.members.map((m) => m.profileId)).toEqual(ids.slice(0, 2));
    const second = (await get(h.app, `/v1/segments/buyers/members?after=${first.next!}&limit=2`)).json() as Members;
    expect(second).toMatchObject({ members: [{ profileId: ids[2] }], next: null });
    // `zzz` sorts after every id (read as the end of the list), `%%%` and `` before them (read as the first page).
    for (const bad of ['zzz', '%%%', '', ids[0].toLowerCase(), `${ids[0]}0`, 'p1']) {
      const r = await get(h.app, `/v1/segments/buyers/members?after=${encodeURIComponent(bad)}`);
      expect([r.statusCode, r.json().error, r.json().problems?.[0]?.field], `${bad}: ${r.body}`).toEqual([400, 'validation_failed', 'querystring.after']);
      expect(r.json().message).toMatch(/`after`/);
    }
    const raw = await get(h.app, '/v1/segments/buyers/members?after=%%%');
    expect([raw.statusCode, raw.json().problems?.[0]?.field], raw.body).toEqual([400, 'querystring.after']);
  });
});
