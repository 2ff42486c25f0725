import { afterEach, describe, expect, it } from 'vitest';
import { get, harness, send, type Harness } from '../../../test/harness.js';
import { SLOTS } from '../../learn/send-time/send-time.js';
import { combineRows } from '../estimates/merged-rows.js';
import type { StoredEstimate } from '../estimates/estimate-store.js';
import { fitSendTime, sendTimeTrainer } from './send-time-trainer.js';
import { countEngagement, newSlotCounts, zonedCounts } from './send-time-model.js';

const config = { sendTime: { engagement: [{ event: 'Email Opened' }] } };
const HOUR = 3_600_000;
/** Tuesday 2026-11-03 09:00 UTC = Tuesday 18:00 in Tokyo (UTC+9, no daylight saving): slot 24 + 18. */
const TUESDAY_9Z = Date.parse('2026-11-03T09:00:00Z');
const TOKYO_SLOT = 24 + 18;
const UTC_SLOT = 24 + 9;

describe('send time counted in the subject’s own time zone, also for engagement that came before the zone was known', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('re-buckets the engagement counted while the zone was unknown once the profile names it', async () => {
    const t = (h = await harness('sqlite', { config }));
    // A newsletter reader: 26 opens reported by the e-mail platform (server side: no context.timezone),
    // always Tuesday 18:00 in Tokyo; the consumers fold them in before the reader ever visits the site.
    for (let w = 0; w < 26; w++) await send(t.app, '/v1/track', { userId: 'ken', event: 'Email Opened', timestamp: new Date(TUESDAY_9Z - w * 7 * 24 * HOUR).toISOString() });
    await t.tact.consumers.runAll();
    const before = (await get(t.app, '/v1/profiles/ken/estimates')).json().estimates.find((e: { model: string }) => e.model === 'send-time');
    expect(before.detail).toMatchObject({ slot: UTC_SLOT, events: 26 }); // no zone yet: UTC is all there is
    // Then a visit from the browser names the zone (analytics.js sends context.timezone).
    await send(t.app, '/v1/page', { userId: 'ken', name: 'Home', context: { timezone: 'Asia/Tokyo' } });
    await t.tact.consumers.runAll();
    const after = (await get(t.app, '/v1/profiles/ken/estimates')).json().estimates.find((e: { model: string }) => e.model === 'send-time');
    // Until 2026-12 the 26 opens stayed at Tuesday 09:00 — 18:00 UTC read as local time: a send nine hours early.
    expect(after.detail).toMatchObject({ slot: TOKYO_SLOT, label: 'Tuesday 18:00 (local time)', events: 26 });
    expect(after).toMatchObject({ source: 'personal', status: 'established' });
    // One more open, now with the zone known: counted in Tokyo time too, and the earlier ones folded in for good.
    await send(t.app, '/v1/track', { userId: 'ken', event: 'Email Opened', timestamp: new Date(TUESDAY_9Z + 7 * 24 * HOUR).toISOString() });
    await t.tact.consumers.runAll();
    const [row] = await t.tact.store.estimates.scan('send-time', '', '', 10);
    const state = row.state as { counts: number[]; unzoned?: number[] };
    expect(state.counts[TOKYO_SLOT]).toBe(27);
    expect(state.unzoned ?? []).toEqual([]);
  });

  it('buckets each held instant with the offset of its own date and minute (daylight saving, half-hour zones)', () => {
    const s = newSlotCounts();
    // Paris: 2026-07-07 (Tuesday) 16:30Z is 18:30 CEST (UTC+2); 2026-12-08 (Tuesday) 17:30Z is 18:30 CET (UTC+1).
    countEngagement(s, Date.parse('2026-07-07T16:30:00Z'), null);
    countEngagement(s, Date.parse('2026-12-08T17:30:00Z'), null);
    // Kolkata (UTC+5:30): Wednesday 2026-11-04 10:50Z is 16:20 local.
    countEngagement(s, Date.parse('2026-11-04T10:50:00Z'), null);
    expect(s.counts.reduce((a, b) => a + b, 0)).toBe(0);
    const paris = zonedCounts(s, 'Europe/Paris');
    expect(paris[24 + 18]).toBe(2);
    expect(zonedCounts(s, 'Asia/Kolkata')[48 + 16]).toBe(1);
    // No zone: UTC, as before (16:00 and 17:00 on Tuesday, 10:00 on Wednesday).
    const utc = zonedCounts(s, undefined);
    expect([utc[24 + 16], utc[24 + 17], utc[48 + 10]]).toEqual([1, 1, 1]);
    // Folding in once the zone is known: the counts hold them, nothing is held any more.
    countEngagement(s, Date.parse('2026-12-15T17:10:00Z'), 'Europe/Paris');
    expect(s.counts[24 + 18]).toBe(3);
    expect(s.unzoned).toBeUndefined();
  });

  it('adds the held engagement of merged profiles, and the training reads it in each subject’s zone', async () => {
    const held = (subjectId: string, at: number[]): StoredEstimate => {
      const s = newSlotCounts();
      for (const x of at) countEngagement(s, x, null);
      return { subjectId, model: 'send-time', key: '', estimate: null, state: s, modelVersion: 'send-time@default', seq: 1, updatedAt: 0 };
    };
    const merged = combineRows([held('p1', [TUESDAY_9Z]), held('p0', [TUESDAY_9Z + HOUR])]);
    expect(zonedCounts(merged!.state as never, 'Asia/Tokyo')[TOKYO_SLOT]).toBe(1);
    expect(zonedCounts(merged!.state as never, 'Asia/Tokyo')[TOKYO_SLOT + 1]).toBe(1);

    const t = (h = await harness('sqlite', { config }));
    for (let u = 0; u < 4; u++) {
      for (let w = 0; w < 6; w++) await send(t.app, '/v1/track', { userId: `u${u}`, event: 'Email Opened', timestamp: new Date(TUESDAY_9Z - w * 7 * 24 * HOUR).toISOString() });
      await t.tact.consumers.runAll();
      await send(t.app, '/v1/identify', { userId: `u${u}`, context: { timezone: 'Asia/Tokyo' } });
    }
    await t.tact.consumers.runAll();
    const out = await sendTimeTrainer.train({ store: t.tact.store, settings: t.tact.settings, registry: t.tact.learning.registry, now: Date.now(), log: () => undefined });
    expect('state' in out && out.metrics).toMatchObject({ subjects: 4, events: 24, populationBestSlot: TOKYO_SLOT });
    // The same as fitting the counts in Tokyo time.
    const tokyo = new Array<number>(SLOTS).fill(0);
    tokyo[TOKYO_SLOT] = 6;
    expect('state' in out && out.state).toEqual(fitSendTime([tokyo, tokyo, tokyo, tokyo]).state);
  });
});
