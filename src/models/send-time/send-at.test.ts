import { describe, expect, it } from 'vitest';
import type { ProfileState } from '../../profiles/profile-state.js';
import type { StoredEstimate } from '../estimates/estimate-store.js';
import type { ModelRegistry } from '../registry/registry.js';
import { SLOTS } from '../../learn/send-time/send-time.js';
import { nextSlotStart, sendTimeReader } from './send-at.js';
import { newSlotCounts, sendTimeNow, sendTimePrior } from './send-time-model.js';

const HOUR = 3_600_000;

describe('next occurrence of a send slot', () => {
  it('finds the next start of the local hour of week (2026-11-30 is a Monday)', () => {
    expect(nextSlotStart(34, Date.parse('2026-11-30T08:00:00Z'), 'UTC')).toBe(Date.parse('2026-12-01T10:00:00Z'));
    // Already past Monday 07:00 this week: next week.
    expect(nextSlotStart(7, Date.parse('2026-11-30T08:00:00Z'), 'UTC')).toBe(Date.parse('2026-12-07T07:00:00Z'));
    // Inside the slot's hour: now.
    expect(nextSlotStart(8, Date.parse('2026-11-30T08:20:00Z'), null)).toBe(Date.parse('2026-11-30T08:20:00Z'));
  });

  it('uses the subject\'s zone and its offset at the send instant (Paris moves to UTC+2 on 2026-03-29, IANA tz rules)', () => {
    // Saturday 13:00 in Paris (UTC+1); Sunday 10:00 Paris is then UTC+2 → 08:00Z.
    expect(nextSlotStart(6 * 24 + 10, Date.parse('2026-03-28T12:00:00Z'), 'Europe/Paris')).toBe(Date.parse('2026-03-29T08:00:00Z'));
    // New York (UTC−5 in November): Tuesday 09:00 local = 14:00Z.
    expect(nextSlotStart(24 + 9, Date.parse('2026-11-30T12:00:00Z'), 'America/New_York')).toBe(Date.parse('2026-12-01T14:00:00Z'));
  });

  it('never answers before now: a local hour the spring-forward skips starts when the clocks jump (Paris, 2026-03-29 02:00 → 03:00)', () => {
    // Sunday 01:30 in Paris (00:30Z); Sunday 02:00 does not exist that day: 03:00 CEST = 01:00Z.
    const now = Date.parse('2026-03-29T00:30:00Z');
    const at = nextSlotStart(6 * 24 + 2, now, 'Europe/Paris');
    expect(at).toBeGreaterThanOrEqual(now);
    expect(at).toBe(Date.parse('2026-03-29T01:00:00Z'));
    // The hour that happens twice in autumn (2026-10-25): its first start, 02:00 CEST = 00:00Z.
    expect(nextSlotStart(6 * 24 + 2, Date.parse('2026-10-24T12:00:00Z'), 'Europe/Paris')).toBe(Date.parse('2026-10-25T00:00:00Z'));
  });
});

describe('send time read for scheduling', () => {
  const slotCounts = (slot: number, n: number) => {
    const counts = new Array<number>(168).fill(0);
    counts[slot] = n;
    return { counts };
  };
  const row = (subjectId: string, slot: number, n: number): StoredEstimate => ({ subjectId, model: 'send-time', key: '', estimate: null, state: slotCounts(slot, n), modelVersion: 'send-time@default', seq: 1, updatedAt: 0 });

  it('counts the engagement of the profiles merged into the subject, as the estimates answer does', async () => {
    // kim's own 12 opens on Tuesday 10:00 (slot 34) and the 15 of the visitor merged into kim: 27 ≥ the
    // default prior strength of 24 pseudo-events, so the slot is kim's own (docs/models.md §6).
    const rows = [row('kim', 34, 12), row('anon-7', 34, 15)];
    const estimates = {
      getMany: async (keys: { subjectId: string }[]) => rows.filter((r) => keys.some((k) => k.subjectId === r.subjectId)),
      forSubject: async (id: string) => rows.filter((r) => r.subjectId === id),
    };
    const profiles = { merges: async (id: string) => (id === 'kim' ? [{ into: 'kim', from: 'anon-7', messageId: 'm', reason: 'identify', viaKind: 'anonymousId', viaValue: 'anon-7', at: 0 }] : []) };
    const store = { ...estimates, profiles, estimates } as unknown as Parameters<typeof sendTimeReader>[0];
    const registry = { live: async () => undefined } as unknown as ModelRegistry;
    const read = await sendTimeReader(store, registry, { minEvents: 5, maxRelativeWidth: 1 });
    const t = await read({ id: 'kim', timezone: 'UTC' } as ProfileState, Date.parse('2026-11-30T08:00:00Z'));
    expect(t).toMatchObject({ slot: 34, sendAt: '2026-12-01T10:00:00.000Z', estimate: { source: 'personal', evidence: 27 } });
  });

  it('before any training (a flat week) sends a learning subject now, in their own hour — not at Monday 00:00', async () => {
    const none = { getMany: async () => [], forSubject: async () => [] };
    const store = { ...none, profiles: { merges: async () => [] }, estimates: none } as unknown as Parameters<typeof sendTimeReader>[0];
    const read = await sendTimeReader(store, { live: async () => undefined } as unknown as ModelRegistry, { minEvents: 5, maxRelativeWidth: 1 });
    // Wednesday 14:20Z is 15:20 in Paris (UTC+1): slot 2 × 24 + 15 = 63.
    const now = Date.parse('2026-12-02T14:20:00Z');
    const t = await read({ id: 'new', timezone: 'Europe/Paris' } as ProfileState, now);
    expect(t).toMatchObject({ slot: 63, label: 'Wednesday 15:00 (local time)', sendAt: '2026-12-02T14:20:00.000Z', estimate: { source: 'population', status: 'learning', evidence: 0 } });
  });

  it('dates a send time by what it rests on: the prior\'s data window, and the subject\'s row once personal; the untrained prior by nothing', () => {
    const counts = newSlotCounts();
    counts.counts[34] = 30;
    const now = Date.parse('2026-12-02T14:20:00Z');
    const row = { state: counts, updatedAt: now - HOUR };
    const settings = { minEvents: 5, maxRelativeWidth: 1 };
    const untrained = sendTimePrior(undefined);
    expect(sendTimeNow(row, untrained, settings, now, 'UTC').estimate).toMatchObject({ source: 'personal', evidence: 30, updatedAt: new Date(now - HOUR).toISOString() });
    expect(sendTimeNow(undefined, untrained, settings, now, 'UTC').estimate).toMatchObject({ source: 'population', evidence: 0, updatedAt: null });
    const share = new Array<number>(SLOTS).fill(1 / SLOTS);
    const trained = sendTimePrior({ name: 'send-time', version: 2, trainedAt: now - 2 * HOUR, dataFrom: null, dataTo: now - 2 * HOUR, metrics: { events: 4120 }, trainedBy: 'cli', state: { share, strength: 24 } });
    expect(sendTimeNow(undefined, trained, settings, now, 'UTC').estimate).toMatchObject({ source: 'population', evidence: 4120, updatedAt: new Date(now - 2 * HOUR).toISOString() });
  });
});
