import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../../../test/harness.js';
import { DAY, estimatesOf, ingest } from '../../store/conformance/learn-helpers.js';
import { combineRows } from './merged-rows.js';
import type { StoredEstimate } from './estimate-store.js';

const row = (subjectId: string, model: string, state: unknown): StoredEstimate => ({ subjectId, model, key: '', estimate: null, state, modelVersion: 'm', seq: 1, updatedAt: 0 });

describe('estimates of merged profiles', () => {
  let h: Harness | undefined;
  afterEach(async () => h?.close());

  it('adds send-time counts and rate trials, and keeps the richer baseline', () => {
    expect(combineRows([row('a', 'send-time', { counts: [1, 0, 2] }), row('b', 'send-time', { counts: [0, 3, 1] })])!.state).toEqual({ counts: [1, 3, 3] });
    const rates = combineRows([
      row('a', 'rate', { successes: 1, trials: 4, open: [{ at: 20, seq: 5, groups: [] }] }),
      row('b', 'rate', { successes: 2, trials: 3, open: [{ at: 10, seq: 2, groups: [] }] }),
    ])!;
    expect(rates.state).toEqual({ successes: 3, trials: 7, open: [{ at: 10, seq: 2, groups: [] }, { at: 20, seq: 5, groups: [] }] });
    expect(rates.subjectId).toBe('a');
    const base = combineRows([row('a', 'baseline', { readings: 3 }), row('b', 'baseline', { readings: 40 })])!;
    expect(base).toMatchObject({ subjectId: 'a', state: { readings: 40 } });
  });

  it('a visitor who later logs in keeps what was learned before: send-time evidence of both identities counts', async () => {
    h = await harness('sqlite', { config: { sendTime: { engagement: [{ event: 'Email Opened' }], minEvents: 5 } } });
    const tuesday = Date.parse('2026-01-06T09:00:00Z');
    const open = (who: Record<string, string>, k: number) => ({ type: 'track', ...who, event: 'Email Opened', properties: {}, context: { timezone: 'Europe/Paris' }, timestamp: new Date(tuesday + k * 7 * DAY).toISOString() });
    // opens as an anonymous visitor, then as the known customer
    await ingest(h, Array.from({ length: 15 }, (_, k) => open({ anonymousId: 'anon-7' }, k)));
    await ingest(h, Array.from({ length: 12 }, (_, k) => open({ userId: 'kim' }, 15 + k)));
    const alone = (await estimatesOf(h, 'kim')).estimates.find((e) => e.model === 'send-time')!;
    // the customer's own 12 opens are not enough yet: the population slot, learning
    expect(alone).toMatchObject({ source: 'population', status: 'learning', detail: { events: 12 } });
    // the identify that joins them
    await ingest(h, [{ type: 'identify', userId: 'kim', anonymousId: 'anon-7', timestamp: new Date(tuesday + 50 * DAY).toISOString() }]);
    const merged = (await estimatesOf(h, 'kim')).estimates.find((e) => e.model === 'send-time')!;
    // joined with the 15 opens of the visitor they were: 27, enough for a personal, established slot
    expect(merged).toMatchObject({ evidence: 27, source: 'personal', status: 'established', detail: { events: 27 } });
  });
});
