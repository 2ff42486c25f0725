import { afterEach, describe, expect, it } from 'vitest';
import { get, harness, type Harness, type StoreKind } from '../../../test/harness.js';
import { Rng } from '../../learn/math/prng.js';
import { normal } from '../../learn/math/samplers.js';
import { DAY, admin, estimatesOf, ingest, putConfig, track } from './learn-helpers.js';

/** Baselines, anomalies, send time and rates, end to end through the API, on every store. */
export function learnEstimateCases(kind: StoreKind): void {
  describe(`estimates: baselines, send time, rates (${kind})`, () => {
    let h: Harness;
    afterEach(async () => h.close());

    it('learns a personal baseline, flags anomalies only once established, and answers "learning" for a newcomer', async () => {
      h = await harness(kind, { config: { metrics: [{ name: 'session_length', event: 'Session Ended', property: 'duration' }] } });
      const rng = new Rng(4);
      const t0 = Date.now() - 50 * DAY;
      const steady = [];
      for (let d = 0; d < 40; d++) for (const hour of [9, 20]) steady.push(track('steady', 'Session Ended', { duration: Math.exp(5 + 0.3 * normal(rng)) }, t0 + d * DAY + hour * 3_600_000));
      steady.push(track('steady', 'Session Ended', { duration: 5000 }, t0 + 40 * DAY + 9 * 3_600_000));
      // The newcomer's readings are recent (a baseline without readings for 30 days is stale, a different "learning").
      const newbie = [120, 150, 130, 5000].map((v, i) => track('newbie', 'Session Ended', { duration: v }, Date.now() - (4 - i) * DAY));
      await ingest(h, [...steady, ...newbie]);

      const s = (await estimatesOf(h, 'steady')).estimates.find((e) => e.key === 'session_length')!;
      expect(s).toMatchObject({ model: 'baseline', source: 'personal', status: 'established', evidence: 81 });
      expect(s.low!).toBeLessThan(s.value!);
      expect(s.high!).toBeGreaterThan(s.value!);
      const flagged = (await get(h.app, '/v1/metrics/session_length/anomalies')).json().anomalies as { value: number; profileId: string }[];
      const steadyId = (await estimatesOf(h, 'steady')).id;
      // The 30× reading is flagged. A usual reading may be too, at the flags' level: at most 2% of
      // usual readings (docs/models.md), so among these 80, six or more false flags would happen
      // with probability 0.0054 (binomial, n = 80, p = 0.02) — the seed does not carry the test.
      expect(flagged.filter((a) => a.value === 5000 && a.profileId === steadyId)).toHaveLength(1);
      expect(flagged.filter((a) => a.value !== 5000).length).toBeLessThanOrEqual(5);
      expect(flagged.every((a) => a.profileId === steadyId)).toBe(true);

      const n = await estimatesOf(h, 'newbie');
      expect(n.anomalies).toEqual([]);
      // No pool trained yet: the (unbounded) range would be the newcomer's own readings, so personal (since 2026-12-06).
      expect(n.estimates[0]).toMatchObject({ status: 'learning', source: 'personal', low: null, high: null });
      expect(n.estimates[0].reading).toContain('learning, not enough data yet');

      // The population pool, trained across subjects, gives the newcomer an honest range.
      const trained = await admin(h, '/v1/models/baselines/train?sync=true');
      expect(trained.json().results[0].promotion.promoted).toBe(true);
      const after = (await estimatesOf(h, 'newbie')).estimates[0];
      expect(after).toMatchObject({ status: 'learning', source: 'population', modelVersion: 'baselines@1' });
      expect(after.high!).toBeGreaterThan(after.low!);
      expect((await get(h.app, '/v1/metrics/nope/anomalies')).statusCode).toBe(404);
    });

    it('a metric defined after the events arrived learns from the stored history', async () => {
      h = await harness(kind);
      const t0 = Date.now() - 10 * DAY;
      await ingest(h, [1, 2, 3, 4, 5].map((i) => track('late', 'Order Completed', { revenue: 10 * i }, t0 + i * DAY)));
      expect((await putConfig(h, 'metrics', [{ name: 'order_value', event: 'Order Completed', property: 'revenue' }])).statusCode).toBe(200);
      await h.tact.consumers.runAll();
      const e = (await estimatesOf(h, 'late')).estimates.find((x) => x.key === 'order_value')!;
      expect(e.detail).toEqual({ readings: 5 });
      expect(h.tact.learning.consumerNames()).toContain('learn-metrics@1');
      // a new definition replaces the consumer of the old one, which no longer runs
      expect((await putConfig(h, 'metrics', [{ name: 'order_value', event: 'Order Completed', property: 'revenue', description: 'v2' }])).statusCode).toBe(200);
      expect(h.tact.learning.consumerNames().filter((n) => n.startsWith('learn-metrics@'))).toEqual(['learn-metrics@2']);
      expect(Object.keys(await h.tact.consumers.lag()).filter((n) => n.startsWith('learn-metrics@'))).toEqual(['learn-metrics@2']);
    });

    it('finds the best send slot in the subject\'s time zone, and the population slot while learning', async () => {
      h = await harness(kind, { config: { sendTime: { engagement: [{ event: 'Email Opened' }], minEvents: 5 } } });
      const tuesday = Date.parse('2026-01-06T09:00:00Z'); // 10:00 in Paris (CET)
      const opens = [];
      for (let w = 0; w < 6; w++) for (let k = 0; k < 5; k++) opens.push(track('opener', 'Email Opened', {}, tuesday + w * 7 * DAY + k * 600_000, { timezone: 'Europe/Paris' }));
      await ingest(h, [...opens, track('quiet', 'Email Opened', {}, tuesday)]);
      const o = (await estimatesOf(h, 'opener')).estimates.find((e) => e.model === 'send-time')!;
      expect(o).toMatchObject({ source: 'personal', status: 'established', evidence: 30 });
      expect(o.detail).toMatchObject({ slot: 34, label: 'Tuesday 10:00 (local time)' });
      const q = (await estimatesOf(h, 'quiet')).estimates.find((e) => e.model === 'send-time')!;
      expect(q).toMatchObject({ source: 'population', status: 'learning', evidence: 0 });
    });

    it('learns a rate on the ladder from exposures and successes, and reports its calibration on held-out outcomes', async () => {
      h = await harness(kind, { config: {
        rates: [{ name: 'email_open', exposure: 'Email Delivered', success: 'Email Opened', within: '3d' }],
        segments: { audiences: [{ name: 'openers', when: 'estimates.rates.email_open.value > 0.27' }] },
      } });
      const t0 = Date.now() - 60 * DAY;
      const msgs = [];
      let opened = 0;
      for (let i = 0; i < 20; i++) {
        for (let j = 0; j < 10; j++) {
          const at = t0 + j * 4 * DAY + i * 60_000;
          msgs.push(track(`r${i}`, 'Email Delivered', {}, at));
          if (i < 10 && (i + j) % 2 === 0) {
            msgs.push(track(`r${i}`, 'Email Opened', {}, at + 3_600_000));
            opened++;
          }
        }
      }
      msgs.sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
      await ingest(h, msgs);
      const e = (await estimatesOf(h, 'r0')).estimates.find((x) => x.model === 'rate')!;
      const rungs = e.detail!.rungs as { rung: string; trials: number; earned: boolean }[];
      // Everyone but r0 (its own 10 trials count once, at its own rung: src/models/rates/rate-model.ts).
      expect(rungs[0]).toMatchObject({ rung: 'population', trials: 190 });
      expect(rungs.at(-1)).toMatchObject({ rung: 'personal', trials: 10, earned: true });
      expect(e).toMatchObject({ source: 'personal', evidence: 10 });
      // 0.27, not 0.25: that is the population's rate, and while the log is replayed membership churned
      // around it (the segment is a rung of the very estimate it reads). Ends: openers ≈ 0.31, others 0.199.
      expect(e.value!).toBeGreaterThan(0.27);
      expect((await estimatesOf(h, 'r15')).estimates.find((x) => x.model === 'rate')!.value!).toBeLessThan(0.27);

      const cal = await get(h.app, '/v1/models/rates/calibration');
      expect(cal.statusCode, cal.body).toBe(200);
      const report = cal.json().reports[0];
      expect(report).toMatchObject({ model: 'rates', key: 'email_open', n: 200, pending: 0, observedRate: opened / 200 });
      expect(report.coverage.subjects).toBe(20);
      expect(report.ece).toBeGreaterThanOrEqual(0);
      expect(report.bins.length).toBeGreaterThan(1);

      // A segment over estimates: half the subjects open every other e-mail.
      const seg = (await get(h.app, '/v1/segments')).json().segments[0];
      expect(seg).toMatchObject({ name: 'openers', members: 10 });
      expect(seg.entries - seg.exits).toBe(10);
      expect((await estimatesOf(h, 'r0')).segments).toEqual(['openers']);
    });
  });
}
