import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { harness, type Harness } from '../../../test/harness.js';
import type { Store } from '../../store/store.js';
import type { CalibrationPoint } from '../estimates/estimate-store.js';
import type { ModelVersion } from '../registry/model-store.js';
import { EMAIL_OPEN_RATE, opensEmail } from './email-fixture.js';
import type { RatesModelState } from './rate-model.js';
import { compareOnPoints, compareOnPointsSliced, compareRate, ratesComparator, ratesVerdict } from './rates-comparator.js';
import { ratesKind } from './rates-kind.js';
import { turnsDuring } from '../../../test/event-loop.js';

const NOW = 1_800_000_000_000;
/** Point k of subject u: its counts so far (the population's and its own) and its outcome ({@link opensEmail}), its window closed. */
const point = (u: number, k: number): CalibrationPoint => ({
  model: 'rates', key: 'email_open', subjectId: `u-${u}`, seq: k, at: NOW - 1000 + k, alpha: 1, beta: 1, deadline: NOW - 10, outcome: opensEmail(u, k) ? 1 : 0, modelVersion: 'rates@1', recordedAt: NOW - 500,
  inputs: { population: { successes: 40 * k, trials: 100 * k + 1 }, personal: { successes: Array.from({ length: k }, (_, j) => opensEmail(u, j)).filter(Boolean).length, trials: k } },
});
const version = (v: number, personal: number): ModelVersion<RatesModelState> => ({
  name: 'rates', version: v, trainedAt: NOW - 2000, dataFrom: null, dataTo: NOW - 2000, metrics: {}, trainedBy: 'test',
  state: { rates: { email_open: { populationPrior: { alpha: 1, beta: 1 }, concentration: { segment: 100, 'micro-segment': 100, personal } } } },
});

describe('the rates comparison leaves the event loop free (QA 2026-12-06)', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  // Until 2026-12-06 the pass over a rate's held-out points (two ladder climbs each) ran whole on
  // the server's thread: ≈ 40,000 points in the QA's second training.
  it('replays the held-out points a slice at a time, with the verdict of the whole pass', async () => {
    const t = (h = await harness('sqlite', { config: { rates: [EMAIL_OPEN_RATE] } }));
    const points = Array.from({ length: 60 }, (_, u) => Array.from({ length: 20 }, (_, k) => point(u, k))).flat();
    const store = { estimates: { heldOutPoints: async () => points } } as unknown as Store;
    const [candidate, live] = [version(2, 10), version(1, 1e6)];
    const rate = t.tact.settings.get(ratesKind)[0];
    const whole = ratesVerdict([compareRate(rate, points, candidate, live, NOW)].filter((r) => 'worse' in r), [], { candidate: 2, live: 1 });
    expect(whole.summary).toContain('on 1200 trials of 60 subjects');

    let clock = 0;
    // A clock that moves 20 ms a reading: every 15-ms time slice has run out, so a sliced pass yields.
    const spy = vi.spyOn(performance, 'now').mockImplementation(() => (clock += 20));
    try {
      const { result, turns } = await turnsDuring(() => ratesComparator({ store, settings: t.tact.settings, now: () => NOW })(candidate, live));
      expect(result).toEqual(whole);
      expect(turns).toBeGreaterThan(100);
      const score = () => ({ candidate: -0.5, live: -0.7 });
      const sliced = await turnsDuring(() => compareOnPointsSliced('email_open', points, score, NOW));
      expect(sliced.result).toEqual(compareOnPoints('email_open', points, score, NOW));
      expect(sliced.turns).toBeGreaterThan(100);
    } finally {
      spy.mockRestore();
    }
  }, 60_000);
});
