import { afterEach, describe, expect, it } from 'vitest';
import { afterTraining, get, harness, send, type Harness } from '../../../test/harness.js';
import { SLOTS } from '../../learn/send-time/send-time.js';
import { sendTimePrior } from './send-time-model.js';

const config = { sendTime: { engagement: [{ event: 'Email Opened' }] } };
/** Monday 2026-11-02 00:00 UTC, a slot-0 instant; `slot` hours later is that slot (UTC subjects). */
const MONDAY = Date.parse('2026-11-02T00:00:00Z');
const open = (h: Harness, userId: string, slot: number) => send(h.app, '/v1/track', { userId, event: 'Email Opened', timestamp: new Date(MONDAY + slot * 3_600_000).toISOString() });

describe('the send-time strength when the data do not identify it (QA, 2026-12-05)', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('records the events as the strength, not the search\'s bound, says so, and gives a newcomer the population\'s interval on its 164 events', async () => {
    const t = (h = await harness('sqlite', { config }));
    // 164 opens of 41 subjects, 4 each: 30 around Tuesday 10:00 (slots 32–36: 3, 6, 12, 6, 3) and one
    // in each of 134 other slots (0–29, 39–142), dealt in slot order round the subjects — none opens
    // twice in a slot, so they differ no more than draws from the population would.
    const slots: number[] = [];
    [3, 6, 12, 6, 3].forEach((k, i) => slots.push(...new Array<number>(k).fill(32 + i)));
    for (let s = 0; s < SLOTS && slots.length < 164; s++) if (s < 30 || s > 38) slots.push(s);
    slots.sort((a, b) => a - b);
    for (const [k, s] of slots.entries()) await open(t, `u-${k % 41}`, s);
    await t.tact.consumers.runAll();
    await t.tact.learning.train(['send-time']);
    await afterTraining();

    const model = (await get(t.app, '/v1/models/send-time')).json();
    // Until 2026-12-05: strength 99998.31, the upper end of the search (10⁵), as if fitted.
    expect(model.versions[0].metrics).toMatchObject({ subjects: 41, events: 164, strength: 164, strengthIdentified: false, strengthLikelihoodRatio: 0, populationBestSlot: 34 });

    await open(t, 'newcomer', 100);
    await t.tact.consumers.runAll();
    const e = (await get(t.app, '/v1/profiles/newcomer/estimates')).json().estimates.find((x: { model: string }) => x.model === 'send-time');
    expect(e).toMatchObject({ source: 'population', status: 'learning', evidence: 164, detail: { slot: 34, events: 1 } });
    // scipy 1.17: the smoothed pooled share of slot 34 is 0.04776334776334776 (src/learn/send-time/
    // send-time.test.ts), and scipy.stats.beta.ppf([0.05, 0.95], 0.0477633·165, 0.9522367·165) =
    // [0.023982328087371694, 0.07775801213389459]. Until 2026-12-05: [0.0467, 0.0489].
    expect(e.value).toBeCloseTo(0.04776334776334776, 12);
    expect(e.low).toBeCloseTo(0.023982328087371694, 8);
    expect(e.high).toBeCloseTo(0.07775801213389459, 8);
  });

  it('reads a version trained before the cap with no more pseudo-events than the events it was fitted on', () => {
    const share = new Array<number>(SLOTS).fill(1 / SLOTS);
    const live = { name: 'send-time', version: 3, trainedAt: 0, dataFrom: null, dataTo: 0, metrics: { events: 164, strength: 99998.31 }, trainedBy: 'cli', state: { share, strength: 99998.31 } };
    expect(sendTimePrior(live).prior.strength).toBe(164);
    expect(sendTimePrior({ ...live, metrics: { events: 5000 }, state: { share, strength: 30 } }).prior.strength).toBe(30);
  });
});
