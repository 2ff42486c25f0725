import { performance } from 'node:perf_hooks';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openTestStore } from '../../../test/harness.js';
import type { DecisionRecord } from '../../decide/decision.js';
import type { CalibrationPoint } from '../../models/estimates/estimate-store.js';
import type { Store } from '../store.js';
import { turnsDuring } from '../../../test/event-loop.js';

/** `run` under a clock that moves 20 ms a reading: every 15-ms time slice (time-slice.ts) has run out, so a sliced read yields between any two pages. */
async function slicesAlwaysOver<T>(run: () => Promise<T>): Promise<T> {
  let t = 0;
  const clock = vi.spyOn(performance, 'now').mockImplementation(() => (t += 20));
  try {
    return await run();
  } finally {
    clock.mockRestore();
  }
}

const T0 = 1_800_000_000_000;
const OPEN = T0 * 2;
/**
 * 2,600 points of one rate and 300 of another, every seq distinct (so the order is total): times
 * shared by 300 points and record times by 450, so groups of one time straddle the store's pages
 * of 1,000; one in seven still open; one in eleven without inputs.
 */
function points(): CalibrationPoint[] {
  const out: CalibrationPoint[] = [];
  for (let i = 0; i < 2900; i++) {
    const key = i < 2600 ? 'email_open' : 'email_click';
    const at = T0 + Math.floor(i / 300) * 1000;
    out.push({
      model: 'rates', key, subjectId: `p${i % 50}`, seq: i, at, alpha: 1 + (i % 5), beta: 3, deadline: i % 7 === 0 ? OPEN : at + 10, outcome: i % 3 ? 0 : 1, modelVersion: 'rates@1',
      recordedAt: T0 + Math.floor(i / 450) * 10, inputs: i % 11 ? { population: { successes: i % 5, trials: 10 } } : null,
    });
  }
  return out;
}

/** The points one SQL read with ORDER BY and LIMIT gives (the order being total, exactly one answer). */
const newest = (all: CalibrationPoint[], key: string | undefined, closedBy: number, limit: number) =>
  all.filter((p) => (key === undefined || p.key === key) && p.deadline <= closedBy).sort((a, b) => b.at - a.at || b.seq - a.seq).slice(0, limit);
const heldOut = (all: CalibrationPoint[], key: string, after: number, limit: number) =>
  all.filter((p) => p.key === key && p.recordedAt! > after && p.inputs).sort((a, b) => a.recordedAt! - b.recordedAt! || a.seq - b.seq).slice(0, limit);

describe('the SQLite store reads its long lists a page at a time, giving the event loop a turn between pages (QA 2026-12-06)', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ store, cleanup } = await openTestStore('sqlite'));
  });
  afterEach(async () => cleanup());

  it('calibration points: the same points in the same order as one read, times shared across pages read once', async () => {
    const all = points();
    await store.estimates.write({ points: all });
    const ids = (ps: CalibrationPoint[]) => ps.map((p) => `${p.key}:${p.seq}`);
    const closedBy = T0 + 5_000;
    for (const limit of [1, 999, 1000, 1234, 2000, 50_000]) {
      expect(ids(await store.estimates.points('rates', 'email_open', limit, { closedBy })), `newest ${limit}`).toEqual(ids(newest(all, 'email_open', closedBy, limit)));
      expect(ids(await store.estimates.points('rates', undefined, limit)), `newest ${limit} of every rate`).toEqual(ids(newest(all, undefined, OPEN, limit)));
      expect(ids(await store.estimates.heldOutPoints('rates', 'email_open', T0 + 10, limit)), `held out ${limit}`).toEqual(ids(heldOut(all, 'email_open', T0 + 10, limit)));
    }
    // Each point as it was written (the rowid a page is read by is not one of its fields).
    const [first] = await store.estimates.heldOutPoints('rates', 'email_open', -1, 1);
    expect(first).toEqual({ ...all[1], outcome: 0 });
    const [any] = await store.estimates.points('rates', undefined, 1);
    expect(any).toEqual(newest(all, undefined, OPEN, 1)[0]);

    // Until 2026-12-06 each was one synchronous read: no turn of the event loop until it ended.
    await slicesAlwaysOver(async () => {
      expect((await turnsDuring(() => store.estimates.points('rates', 'email_open', 50_000))).turns).toBeGreaterThanOrEqual(2);
      expect((await turnsDuring(() => store.estimates.points('rates', undefined, 50_000))).turns).toBeGreaterThanOrEqual(2);
      expect((await turnsDuring(() => store.estimates.heldOutPoints('rates', 'email_open', -1, 50_000))).turns).toBeGreaterThanOrEqual(2);
    });
  }, 60_000);

  it('decisions: the same decisions in the same order as one read, a millisecond shared across pages read once', async () => {
    const record = (i: number): DecisionRecord => ({
      id: `d-${String((i * 7919) % 1300).padStart(4, '0')}`, at: T0 + Math.floor(i / 7), profileKey: `p${i % 40}`, subject: `p${i % 40}`, placement: 'home', channel: 'web', context: {},
      policyVersion: 1, catalogVersion: 1, modelVersion: 'm', arm: 'treatment', scored: [], excluded: [], facts: { i }, absentFacts: [], operator: '', customer: '', excludedByStage: {},
      choices: [{ rank: 1, kind: 'action', action: i % 3 ? 'shoes' : 'socks', score: 0.1, propensity: 1, why: '' }],
    });
    const all = Array.from({ length: 1300 }, (_, i) => record(i));
    await Promise.all(all.map((d) => store.decisions.appendDecision(d)));
    const order = (ds: DecisionRecord[]) => [...ds].sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)).map((d) => d.id);
    const ids = (ds: DecisionRecord[]) => ds.map((d) => d.id);
    for (const limit of [499, 500, 501, 1200, 5000]) {
      expect(ids(await store.decisions.queryDecisions({ limit })), `${limit}`).toEqual(order(all).slice(0, limit));
      expect(ids(await store.decisions.queryDecisions({ action: 'shoes', limit })), `${limit} of an action`).toEqual(order(all.filter((d) => d.choices[0].action === 'shoes')).slice(0, limit));
    }
    const last = all[600];
    const after = { at: last.at, id: last.id };
    const past = all.filter((d) => d.at < after.at || (d.at === after.at && d.id < after.id));
    expect(ids(await store.decisions.queryDecisions({ after, from: T0 + 10, limit: 5000 }))).toEqual(order(past.filter((d) => d.at >= T0 + 10)));
    expect(await store.decisions.queryDecisions({ limit: 1 })).toEqual([all.find((d) => d.id === order(all)[0])]);

    // Until 2026-12-06 one synchronous read, every body decoded before the event loop had a turn.
    await slicesAlwaysOver(async () => {
      expect((await turnsDuring(() => store.decisions.queryDecisions({ limit: 2000 }))).turns).toBeGreaterThanOrEqual(2);
    });
  }, 60_000);
});
