import { afterEach, describe, expect, it } from 'vitest';
import { harness, send, type Harness } from '../../../test/harness.js';
import type { BaselineState } from '../../learn/baselines/metric-baseline.js';
import { DAY, estimatesOf, ingest, track } from '../../store/conformance/learn-helpers.js';
import { localHour } from '../local-time.js';
import { baselineNow } from './baseline-reader.js';
import { MAX_UNZONED, type StoredBaseline, baselineStep, foldReading, newBaselineState } from './baseline-step.js';
import { metricsKind } from './metrics-kind.js';

const HOUR = 3_600_000;
const metricDef = { name: 'session_length', event: 'Session Ended', property: 'duration' };
const [metric] = metricsKind.compile([metricDef]);
/** Day 0 of the tests: Monday 2026-11-02, 00:00 UTC. */
const DAY0 = Date.parse('2026-11-02T00:00:00Z');

/**
 * A Tokyo reader's sessions: every day a long one at 20:00 local (11:00Z) and a short one at 08:00
 * local (23:00Z the day before): the hour profile matters.
 */
const sessions = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i).flatMap((d) => [
  { at: DAY0 + d * DAY + 11 * HOUR, y: 600 + (d % 3) * 20 },
  { at: DAY0 + d * DAY + 23 * HOUR, y: 120 + (d % 2) * 10 },
]);

describe('a metric baseline whose subject\'s time zone comes after its first readings', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('learns the readings from before the zone was known in the local hours, as if it had been known from the start', async () => {
    const t = (h = await harness('sqlite', { config: { metrics: [metricDef] } }));
    const tokyo = { timezone: 'Asia/Tokyo' };
    // Kim's zone is known from the start; Ken's only from a browser visit on day 3.
    await ingest(t, [{ type: 'identify', userId: 'kim', traits: {}, context: tokyo, timestamp: new Date(DAY0 - DAY).toISOString() }]);
    await ingest(t, sessions(0, 3).map((s) => track('ken', 'Session Ended', { duration: s.y }, s.at)));
    await send(t.app, '/v1/page', { userId: 'ken', name: 'Home', context: tokyo, timestamp: new Date(DAY0 + 3 * DAY).toISOString() });
    await ingest(t, sessions(3, 12).map((s) => track('ken', 'Session Ended', { duration: s.y }, s.at)));
    await ingest(t, sessions(0, 12).map((s) => track('kim', 'Session Ended', { duration: s.y }, s.at)));
    const state = async (who: string) => {
      const id = (await estimatesOf(t, who)).id;
      return (await t.tact.store.estimates.getMany([{ subjectId: id, model: 'baseline', key: 'session_length' }]))[0].state as StoredBaseline;
    };
    const ken = await state('ken');
    const kim = await state('kim');
    // Until 2026-12-04 Ken's first six sessions were learned at 11:00 and 23:00 (UTC read as local
    // time): his hour profile put a long session at 11:00 and a short one at 23:00.
    expect(ken.unzoned).toBeUndefined();
    expect(ken.readings).toBe(24);
    expect(ken).toEqual(kim);
  });

  it('holds them while the zone is unknown, and reads them in the zone the profile names now', () => {
    const held: StoredBaseline = newBaselineState(metric);
    const zoned = newBaselineState(metric);
    for (const s of sessions(0, 3)) {
      foldReading(held, s.at, s.y, null, 0.98, null);
      baselineStep(zoned, localHour(s.at, 'Asia/Tokyo'), s.y, 0.98, null);
    }
    expect(held.readings).toBe(0);
    expect(held.unzoned).toHaveLength(6);
    const now = DAY0 + 3 * DAY + 2 * HOUR;
    const row = (s: BaselineState) => ({ subjectId: 'p', model: 'baseline', key: 'session_length', estimate: null, state: s, modelVersion: 'baseline@1', seq: 6, updatedAt: now });
    expect(baselineNow(row(held), metric, 'Asia/Tokyo', now, undefined)).toEqual(baselineNow(row(zoned), metric, 'Asia/Tokyo', now, undefined));
    expect(held.unzoned).toHaveLength(6); // reading does not change the stored state
  });

  it('learns them by UTC hour once they span minDays − 1 days with no zone (the baseline could not be established before): a zone that never comes costs nothing', () => {
    const held: StoredBaseline = newBaselineState(metric);
    const utc = newBaselineState(metric);
    const all = sessions(0, 8);
    for (const s of all) {
      foldReading(held, s.at, s.y, null, 0.98, null);
      baselineStep(utc, localHour(s.at, null), s.y, 0.98, null);
      // minDays = 7: the first reading 6 days or more after the first held one folds them all in.
      if (s.at - all[0].at < 6 * DAY) expect(held.readings).toBe(0);
      else expect(held.unzoned).toBeUndefined();
    }
    expect(held).toEqual(utc);
  });

  it('holds them only while they span less than minDays − 1 days, a late reading (before the first held) included', () => {
    // minDays = 7: the hold promises readings within 6 days, too few to establish a baseline, so no
    // flag is lost by holding them. Until 2026-12-04 the span was measured from the earliest held
    // reading only, so a late one (an SDK's queued event) before it was held too, and readings
    // spanning 10.5 days waited for a zone: here day 3, day 8.5, then day −2.
    const held: StoredBaseline = newBaselineState(metric);
    const utc = newBaselineState(metric);
    for (const d of [3, 8.5, -2]) {
      foldReading(held, DAY0 + d * DAY, 300 + d, null, 0.98, null);
      baselineStep(utc, localHour(DAY0 + d * DAY, null), 300 + d, 0.98, null);
    }
    expect(held.unzoned).toBeUndefined();
    expect(held).toEqual(utc); // learned by UTC hour in the order they came, as without a hold
    // Any arrival order: whatever is still held spans less than 6 days.
    let seed = 5;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let run = 0; run < 50; run++) {
      const s: StoredBaseline = newBaselineState(metric);
      for (let k = 0; k < 12; k++) {
        foldReading(s, DAY0 + Math.floor(random() * 12 * DAY), 300, null, 0.98, null);
        if (!s.unzoned) break;
        const minutes = s.unzoned.map((x) => x[0]);
        expect(Math.max(...minutes) - Math.min(...minutes)).toBeLessThan(6 * 24 * 60);
      }
    }
  });

  it(`holds at most ${MAX_UNZONED} readings`, () => {
    const held: StoredBaseline = newBaselineState(metric);
    for (let k = 0; k <= MAX_UNZONED; k++) foldReading(held, DAY0 + k * 60_000, 100 + (k % 7), null, 0.98, null);
    expect(held.unzoned).toBeUndefined();
    expect(held.readings).toBe(MAX_UNZONED + 1);
  });
});
