import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, harness, send, type Harness } from '../../test/harness.js';

interface Row { event: string; property: string; rule: string; count: number; blocked: number; lastMessageId: string; lastDetail: string; inPlan: boolean }

describe('a `context.timezone` the server does not know: kept, and counted where the operator looks', () => {
  let h: Harness;
  beforeAll(async () => {
    // A plan that names one event and blocks it when `x` is not a number; none of the rest is planned.
    h = await harness('sqlite', { config: { trackingPlan: { events: { Strict: { block: true, properties: { type: 'object', properties: { x: { type: 'number' } } } } } } } });
  });
  afterAll(async () => h.close());
  const rows = async () => ((await get(h.app, '/v1/tracking-plan/violations')).json() as { violations: Row[] }).violations.filter((r) => r.rule === 'timezone');

  it('stores the message as sent, answers success, keeps the last valid zone on the profile, and counts the warning per call', async () => {
    // Until 2026-12-05 such a message was accepted and the zone set aside with no trace an operator could find.
    const at = (h: number) => new Date(Date.UTC(2026, 10, 20, h)).toISOString();
    expect((await send(h.app, '/v1/identify', { userId: 'tz1', timestamp: at(8), context: { timezone: 'Europe/Paris' } })).json()).toEqual({ success: true });
    for (const [i, timezone] of ['Mars/Olympus', 'EST5EDT-bad'].entries()) {
      const r = await send(h.app, '/v1/track', { userId: 'tz1', messageId: `tz-track-${i}`, event: 'Viewed', timestamp: at(9 + i), context: { timezone } });
      expect([r.statusCode, r.json()]).toEqual([200, { success: true }]);
    }
    expect((await send(h.app, '/v1/page', { userId: 'tz1', messageId: 'tz-page', name: 'Home', timestamp: at(12), context: { timezone: 42 } })).json()).toEqual({ success: true });
    // A retry is not counted again.
    await send(h.app, '/v1/track', { userId: 'tz1', messageId: 'tz-track-0', event: 'Viewed', timestamp: at(9), context: { timezone: 'Mars/Olympus' } });

    const profile = (await get(h.app, '/v1/profiles/tz1')).json() as { id: string; timezone: string | null };
    expect(profile.timezone).toBe('Europe/Paris');
    const stored = await h.store.profiles.recentEvents(profile.id, 10);
    expect(Object.fromEntries(stored.map((e) => [e.messageId, (e.message.context as { timezone?: unknown }).timezone]))).toMatchObject({ 'tz-track-0': 'Mars/Olympus', 'tz-track-1': 'EST5EDT-bad', 'tz-page': 42 });

    const found = await rows();
    expect(found.map((r) => [r.event, r.property, r.count, r.blocked, r.lastMessageId, r.inPlan]).sort()).toEqual([
      ['Viewed', 'context.timezone', 2, 0, 'tz-track-1', false],
      ['page', 'context.timezone', 1, 0, 'tz-page', false],
    ]);
    // The detail never quotes the value (it says what is wrong and what Tact did instead).
    expect(found.find((r) => r.event === 'Viewed')?.lastDetail).toBe('`context.timezone` is not a time zone this server knows (an IANA name such as "Europe/Paris"): the message was kept, and its profile keeps the last known zone for quiet hours and send times');
  });

  it('is no reason a blocked message was blocked: its answer names only what broke the plan', async () => {
    const r = await send(h.app, '/v1/track', { userId: 'tz2', event: 'Strict', properties: { x: 'no' }, context: { timezone: 'Mars/Olympus' } });
    expect([r.statusCode, r.json().error]).toEqual([400, 'tracking_plan_blocked']);
    expect(r.json().problems).toEqual([{ field: 'properties.x', message: '`x` must be number' }]);
    expect((await rows()).find((x) => x.event === 'Strict')).toMatchObject({ count: 1, blocked: 1, inPlan: true });
  });

  it('says nothing of a zone the server knows, or of none', async () => {
    const before = (await rows()).reduce((n, r) => n + r.count, 0);
    await send(h.app, '/v1/track', { userId: 'tz3', event: 'Viewed', context: { timezone: 'America/New_York' } });
    await send(h.app, '/v1/track', { userId: 'tz3', event: 'Viewed', context: { timezone: null } });
    await send(h.app, '/v1/track', { userId: 'tz3', event: 'Viewed' });
    expect((await rows()).reduce((n, r) => n + r.count, 0)).toBe(before);
  });
});
