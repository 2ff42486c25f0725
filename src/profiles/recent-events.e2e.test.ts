import { afterEach, describe, expect, it } from 'vitest';
import { get, harness, send, type Harness, type StoreKind } from '../../test/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

type Recent = { recentEvents: { messageId: string; timestamp: number | string }[] };
const recentOf = async (id: string, n: number) => ((await get(h!.app, `/v1/profiles/${encodeURIComponent(id)}?events=${n}`)).json() as Recent).recentEvents.map((e) => e.messageId);

for (const kind of ['sqlite', 'postgres'] as StoreKind[]) {
  describe(`GET /v1/profiles/{identifier}: recentEvents after an import or a merge (${kind})`, () => {
    // Kept by arrival (the highest sequence numbers), then sorted by time: an import of old events
    // pushed the live one out, and a merge showed only the events of the profile sent later.
    it('holds the newest event by its time, though 25 older ones were imported after it', async () => {
      h = await harness(kind);
      expect((await send(h.app, '/v1/track', { userId: 'imp1', event: 'Live Today', messageId: 'live' })).statusCode).toBe(200);
      const batch = Array.from({ length: 25 }, (_, i) => ({ type: 'track', userId: 'imp1', event: 'Old Import', messageId: `old-${i}`, timestamp: `2025-01-${String(i + 1).padStart(2, '0')}T10:00:00Z` }));
      expect((await send(h.app, '/v1/batch', { batch })).statusCode).toBe(200);
      const recent = await recentOf('imp1', 20);
      expect(recent).toEqual(['live', ...Array.from({ length: 19 }, (_, i) => `old-${24 - i}`)]);
    });

    it('after a merge holds the newest events of both profiles by their times', async () => {
      h = await harness(kind);
      const base = Date.parse('2026-11-01T00:00:00Z');
      const events = (who: string, id: (i: number) => string, odd: number) => Array.from({ length: 60 }, (_, i) => ({ type: 'track', anonymousId: who, event: 'Step', messageId: id(i), timestamp: new Date(base + (2 * i + odd) * 3_600_000).toISOString() }));
      expect((await send(h.app, '/v1/batch', { batch: events('ra', (i) => `a-${i}`, 0) })).statusCode).toBe(200);
      expect((await send(h.app, '/v1/batch', { batch: events('rb', (i) => `b-${i}`, 1) })).statusCode).toBe(200);
      await send(h.app, '/v1/identify', { userId: 'ru', anonymousId: 'ra', timestamp: new Date(base - 3_600_000).toISOString(), messageId: 'link-a' });
      await send(h.app, '/v1/identify', { userId: 'ru', anonymousId: 'rb', timestamp: new Date(base - 3_600_000).toISOString(), messageId: 'link-b' });
      const recent = await recentOf('ru', 50);
      // Hours 119 down to 70: b-59, a-59, b-58, a-58 … b-35, a-35.
      expect(recent).toEqual(Array.from({ length: 50 }, (_, k) => `${k % 2 === 0 ? 'b' : 'a'}-${59 - Math.floor(k / 2)}`));
    });
  });
}
