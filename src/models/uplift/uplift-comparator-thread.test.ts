import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { describe, expect, it, vi } from 'vitest';
import type { DecisionRecord } from '../../decide/decision.js';
import { logit } from '../../learn/math/special.js';
import type { ModelVersion } from '../registry/model-store.js';
import { SLICE_ITEMS, type OffThreadCall, type OffThreadPart } from '../train/off-thread-send.js';
import { HELD_OUT_SPLIT, splitAsOf, splitHeldOut, splitHeldOutSliced } from './held-out.js';
import { OFF_THREAD_ROWS, compareUpliftOnLog, compareUpliftVersions } from './uplift-comparator.js';
import type { LoggedDecision } from './uplift-log.js';
import { UpliftScorer, type UpliftState } from './uplift-model.js';
import { turnsDuring } from '../../../test/event-loop.js';

const arm = (p: number) => ({ coef: [logit(p)], covariance: [1e-4], rows: 10_000, positives: Math.round(10_000 * p) });
/** An intercept-only model: the goal rate of none and of each action. */
const model = (none: number, a: number, b: number): UpliftState => ({ features: [], none: { conversion: arm(none) }, actions: { a: { goal: 'conversion', model: arm(a) }, b: { goal: 'conversion', model: arm(b) } }, windowMs: 1 });
const version = (state: UpliftState, v: number): ModelVersion => ({ name: 'uplift', version: v, trainedAt: 0, dataFrom: null, dataTo: 1_700_000_000_000 + v, metrics: {}, trainedBy: 'test', state });

/**
 * `n` decisions per arm (none, a, b), logged uniformly at random, with what the log reader adds
 * beside what the comparison reads (delays, merges, the subject): a converted 30% of the time, b
 * 10%, none 5%; every ninth decision of a held for review with "none" standing in.
 */
function log(n: number): LoggedDecision[] {
  const rows: LoggedDecision[] = [];
  for (const [name, rate] of [['none', 0.05], ['a', 0.3], ['b', 0.1]] as const) {
    for (let i = 0; i < n; i++) {
      const held = i % 9 === 0;
      const record = { id: `${name}${i}`, at: i, profileKey: `p${i}`, facts: { i }, scored: [{ action: 'a', score: 1, value: 10, ...(held ? { review: 'review' } : {}) }, { action: 'b', score: 1, value: 10 }] } as unknown as DecisionRecord;
      const converted = (i * 37) % 100 < rate * 100;
      rows.push({
        record, arm: name, propensity: 1 / 3, followed: new Set(converted ? ['conversion'] : []), delays: new Map(converted ? [['conversion', 60_000]] : []), subject: `s${i}`,
        ...(held ? { standIn: 'none' } : {}), ...(i % 50 === 0 ? { moves: [{ at: 5, from: `p${i}`, into: `s${i}` }] } : {}),
      });
    }
  }
  return rows;
}
const o = { level: 0.9, maxWidth: 0.05, noneScore: 0 };

describe('the uplift comparison leaves the event loop free (QA 2026-12-06)', () => {
  // Until 2026-12-06 the comparison of a second training ran on the server's thread: 450–550 ms
  // held at 4,000 held-out decisions (three bootstraps of 500 resamples, the picks, the predictions).
  it('compares two versions in a worker thread, with the answer of the comparison on this one', async () => {
    const rows = log(400);
    expect(rows.length).toBeGreaterThanOrEqual(OFF_THREAD_ROWS);
    const [candidate, live] = [version(model(0.05, 0.3, 0.1), 2), version(model(0.05, 0.05, 0.4), 1)];
    const here = compareUpliftOnLog(rows, new UpliftScorer(candidate.state as UpliftState, 2, candidate.dataTo), new UpliftScorer(live.state as UpliftState, 1, live.dataTo), o);
    const { result, turns } = await turnsDuring(() => compareUpliftVersions(rows, candidate, live, o));
    expect(result).toEqual(here);
    expect(here.better).toBe(true);
    // The thread went on turning while the worker compared (one synchronous pass: none).
    expect(turns).toBeGreaterThan(0);

    // Against doing nothing, likewise.
    const none = compareUpliftOnLog(rows, new UpliftScorer(candidate.state as UpliftState, 2, candidate.dataTo), 'none', o);
    expect(await compareUpliftVersions(rows, candidate, 'none', o)).toEqual(none);
  }, 60_000);

  it('sends the held-out rows to the worker a slice at a time, not in one clone (98 ms held at 4,000 rows, QA 2026-12-06)', async () => {
    const rows = log(1400);
    const [candidate, live] = [version(model(0.05, 0.3, 0.1), 2), version(model(0.05, 0.05, 0.4), 1)];
    const posted: unknown[] = [];
    const post = Worker.prototype.postMessage;
    const spy = vi.spyOn(Worker.prototype, 'postMessage').mockImplementation(function (this: Worker, ...args: Parameters<Worker['postMessage']>) {
      posted.push(args[0]);
      return post.apply(this, args);
    });
    try {
      const result = await compareUpliftVersions(rows, candidate, live, o);
      expect(result).toEqual(compareUpliftOnLog(rows, new UpliftScorer(candidate.state as UpliftState, 2, candidate.dataTo), new UpliftScorer(live.state as UpliftState, 1, live.dataTo), o));
    } finally {
      spy.mockRestore();
    }
    const call = posted.find((m): m is OffThreadCall => (m as OffThreadCall).name === 'compareVersionsOnLog');
    // The rows went ahead in slices; the call carries none of them.
    expect(call?.args[0]).toBeNull();
    expect(call?.sliced).toEqual([0]);
    const parts = posted.filter((m): m is OffThreadPart => Array.isArray((m as OffThreadPart).items));
    expect(parts.map((p) => p.items.length)).toEqual([...Array(Math.floor(rows.length / SLICE_ITEMS)).fill(SLICE_ITEMS), rows.length % SLICE_ITEMS]);
  }, 60_000);

  it('splits the held-out subjects as the whole pass does, giving the event loop a turn once a time slice has run out', async () => {
    const rows = log(2000);
    const splits = [splitAsOf(10), { salt: HELD_OUT_SPLIT.salt, share: HELD_OUT_SPLIT.share }];
    let t = 0;
    // A clock that moves 20 ms a reading: every 15-ms slice has run out, so the sliced pass yields.
    const clock = vi.spyOn(performance, 'now').mockImplementation(() => (t += 20));
    try {
      const { result, turns } = await turnsDuring(() => splitHeldOutSliced(rows, splits));
      expect(turns).toBeGreaterThan(100);
      const whole = splitHeldOut(rows, splits);
      expect(result.heldOut.map((r) => r.record.id)).toEqual(whole.heldOut.map((r) => r.record.id));
      expect(result.training.map((r) => r.record.id)).toEqual(whole.training.map((r) => r.record.id));
      expect(whole.heldOut.length).toBeGreaterThan(0);
    } finally {
      clock.mockRestore();
    }
  });
});
