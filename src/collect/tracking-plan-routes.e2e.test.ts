import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bearer, get, harness, KEYS, send, type Harness, type StoreKind } from '../../test/harness.js';
import { until } from '../../test/until.js';

interface Row { event: string; property: string; rule: string; count: number; lastAt: string; inPlan: boolean }

const plan = { identify: { properties: { type: 'object', properties: { email: { type: 'string' } } } }, events: {
  A: { properties: { type: 'object', properties: { x: { type: 'number' } } } },
  B: { properties: { type: 'object', properties: { y: { type: 'number' } } } },
  C: { properties: { type: 'object', required: ['z'] } },
} };

for (const kind of ['sqlite', 'postgres'] as StoreKind[]) {
  describe(`tracking-plan violations: reading, paging, clearing (${kind})`, () => {
    let h: Harness;
    const rows = async (query = '') => {
      const r = await get(h.app, `/v1/tracking-plan/violations${query}`);
      expect(r.statusCode, r.body).toBe(200);
      return r.json() as { violations: Row[]; next: string | null };
    };
    const del = (query: string, key = KEYS.admin) => h.app.inject({ method: 'DELETE', url: `/v1/tracking-plan/violations${query}`, headers: { authorization: bearer(key) } });
    const track = (event: string, properties: Record<string, unknown>) => send(h.app, '/v1/track', { userId: 'u', event, properties });

    beforeAll(async () => {
      h = await harness(kind, { config: { trackingPlan: plan } });
      for (let i = 0; i < 3; i++) await track('A', { x: 'no' });
      for (let i = 0; i < 2; i++) await track('B', { y: 'no' });
      const a = (await rows()).violations[0];
      // B's rows are written a millisecond after A's at least, so `since` can tell them apart.
      await until(() => Date.now() > Date.parse(a.lastAt));
      await track('B', { y: 'no' });
      await track('C', {});
      await track('C', {});
      await track('D', {});
      await send(h.app, '/v1/identify', { userId: 'u', traits: { email: 1 } });
    });
    afterAll(async () => h.close());

    it('filters by event and by `since` (the last violation at or after it)', async () => {
      expect((await rows('?event=B')).violations.map((v) => `${v.event}:${v.property}:${v.count}`)).toEqual(['B:y:3']);
      const a = (await rows('?event=A')).violations[0];
      const since = (await rows(`?since=${new Date(Date.parse(a.lastAt) + 1).toISOString()}`)).violations.map((v) => v.event);
      expect(since.sort()).toEqual(['B', 'C', 'D', 'identify']);
      expect((await rows(`?since=${a.lastAt}&event=A`)).violations).toHaveLength(1);
      // An offset of hours alone is read as the collection reads it (it matched nothing on SQLite, a 500 on PostgreSQL);
      // a leap second, which no Date holds, is refused naming the field.
      const plusOne = new Date(Date.parse(a.lastAt) + 3_600_001).toISOString().replace('Z', '+01');
      expect((await rows(`?since=${encodeURIComponent(plusOne)}`)).violations.map((v) => v.event).sort()).toEqual(['B', 'C', 'D', 'identify']);
      const leap = await get(h.app, '/v1/tracking-plan/violations?since=2016-12-31T23:59:60Z');
      expect(leap.statusCode).toBe(400);
      expect(leap.json().problems[0].field).toMatch(/since/);
    });

    it('pages with `limit` and `next`, most counted first, and says when there is no more', async () => {
      const all = (await rows()).violations.map((v) => `${v.event}:${v.property}`);
      expect(all).toEqual(['A:x', 'B:y', 'C:z', 'D:(event)', 'identify:email']);
      const seen: string[] = [];
      let next: string | null = '';
      while (next !== null) {
        const page = await rows(`?limit=2${next ? `&after=${encodeURIComponent(next)}` : ''}`);
        expect(page.violations.length).toBeLessThanOrEqual(2);
        seen.push(...page.violations.map((v) => `${v.event}:${v.property}`));
        next = page.next;
      }
      expect(seen).toEqual(all);
      expect((await rows('?limit=5')).next).toBeNull();
    });

    it('refuses a cursor it did not hand out, and an unknown filter, naming the field', async () => {
      const bad = await get(h.app, '/v1/tracking-plan/violations?after=not-a-cursor');
      expect(bad.statusCode).toBe(400);
      expect(bad.json().problems).toMatchObject([{ field: 'querystring.after' }]);
      // Text PostgreSQL cannot hold (a NUL), inside a cursor's encoding, where the guard on parameters does not look.
      const nul = await get(h.app, `/v1/tracking-plan/violations?after=${Buffer.from(JSON.stringify([1, 'A\u0000', 'x', 'type'])).toString('base64url')}`);
      expect(nul.statusCode, nul.body).toBe(400);
      expect(nul.json().problems).toMatchObject([{ field: 'querystring.after' }]);
      const typo = await get(h.app, '/v1/tracking-plan/violations?evnt=A');
      expect(typo.statusCode).toBe(400);
      expect(typo.json().problems).toMatchObject([{ field: 'querystring.evnt' }]);
    });

    it('marks the rows of events the plan in force does not name `inPlan: false`', async () => {
      const inPlan = async () => Object.fromEntries((await rows()).violations.map((v) => [v.event, v.inPlan]));
      expect(await inPlan()).toEqual({ A: true, B: true, C: true, D: false, identify: true });
      const { B: _, ...rest } = plan.events;
      const put = await h.app.inject({ method: 'PUT', url: '/v1/config/tracking-plan', headers: { authorization: bearer(KEYS.admin) }, payload: { document: { events: rest }, reason: 'B retired' } });
      expect(put.statusCode, put.body).toBe(200);
      expect(await inPlan()).toEqual({ A: true, B: false, C: true, D: false, identify: false });
    });

    it('clears an event\'s violations with the admin key, and logs who did and why', async () => {
      expect((await del('?event=C', KEYS.server)).statusCode).toBe(403);
      const none = await del('');
      expect(none.statusCode).toBe(400);
      expect(none.json().problems).toMatchObject([{ field: 'querystring.event' }]);
      expect((await del('?evnt=C')).json().problems).toMatchObject([{ field: 'querystring.evnt' }]);
      // An empty name names no event (it answered `cleared: 0`, as if one had been cleared).
      const blank = await del('?event=');
      expect(blank.statusCode, blank.body).toBe(400);
      expect(blank.json().problems).toMatchObject([{ field: 'querystring.event' }]);
      expect((await get(h.app, '/v1/tracking-plan/violations?event=')).json().problems).toMatchObject([{ field: 'querystring.event' }]);
      const info = vi.spyOn(h.tact.log, 'info');
      try {
        const r = await del('?event=C&reason=client%202.3%20fixed');
        expect(r.statusCode, r.body).toBe(200);
        expect(r.json()).toEqual({ event: 'C', cleared: 1 });
        expect(info).toHaveBeenCalledWith({ event: 'C', cleared: 1, by: expect.stringContaining('key '), reason: 'client 2.3 fixed' }, 'tracking-plan violations cleared');
      } finally {
        info.mockRestore();
      }
      expect((await rows()).violations.map((v) => v.event)).toEqual(['A', 'B', 'D', 'identify']);
      // Counting starts again from the next violation.
      await track('C', {});
      expect((await rows('?event=C')).violations).toMatchObject([{ count: 1 }]);
      expect((await del('?all=true')).json()).toEqual({ cleared: 5 });
      expect((await rows()).violations).toEqual([]);
    });
  });
}

describe('tracking-plan violations: a track event named like a trait call (QA 2026-12-06)', () => {
  it('marks an unplanned track event "identify" not in the plan, though the plan has a schema of identify traits', async () => {
    const h = await harness('sqlite', { config: { trackingPlan: plan } });
    try {
      await send(h.app, '/v1/track', { userId: 'u', event: 'identify', properties: {} });
      await send(h.app, '/v1/identify', { userId: 'u', traits: { email: 1 } });
      const r = await get(h.app, '/v1/tracking-plan/violations?event=identify');
      const rows = (r.json() as { violations: Row[] }).violations.map((v) => [v.property, v.rule, v.inPlan]);
      // Until 2026-12-06 the track event's row read inPlan: true, as the identify traits' row does.
      expect(rows.sort()).toEqual([['(event)', 'unplanned', false], ['email', 'type', true]]);
    } finally {
      await h.close();
    }
  });
});

describe('PUT /v1/config/tracking-plan with the plan sent as JSON text (QA 2026-12-06)', () => {
  it('is a 400 naming `trackingPlan` that says the plan must be an object, not a string, and stores nothing', async () => {
    const h = await harness('sqlite', { config: { trackingPlan: plan } });
    try {
      const r = await h.app.inject({ method: 'PUT', url: '/v1/config/tracking-plan', headers: { authorization: bearer(KEYS.admin) }, payload: { document: JSON.stringify(plan), reason: 'new plan' } });
      expect([r.statusCode, r.json().problems?.map((p: { field: string }) => p.field)], r.body).toEqual([400, ['trackingPlan']]);
      expect(r.json().message).toMatch(/^The tracking plan must be a JSON object .*, not a string: it was "\{.*…" \(a string\)\. Send the object itself, not JSON text holding it\.$/);
      expect((await get(h.app, '/v1/config/tracking-plan')).json().version).toBe(1);
    } finally {
      await h.close();
    }
  });
});
