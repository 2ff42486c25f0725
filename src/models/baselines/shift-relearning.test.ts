import { describe, expect, it } from 'vitest';
import { Rng } from '../../learn/math/prng.js';
import { normal } from '../../learn/math/samplers.js';
import { baselineDetail } from './baseline-reader.js';
import { baselineStep, newBaselineState } from './baseline-step.js';
import { metricsKind } from './metrics-kind.js';

const [metric] = metricsKind.compile([{ name: 'pm25', event: 'Reading', property: 'value' }]);
const HOUR = 3_600_000;
const DAY0 = 20_000;

/**
 * An hourly sensor about 100 ± 2 for 40 days, then about 160 ± 2 for three: each step's estimate
 * and flag from the hour the shift is taken, and `wild` read an hour after it instead of the usual.
 */
function walk(wild?: number) {
  const rng = new Rng(7);
  const s = newBaselineState(metric);
  for (let t = DAY0 * 24; t < (DAY0 + 40) * 24; t++) baselineStep(s, t, 100 + 2 * normal(rng), 0.98, null);
  const before = baselineStep(s, (DAY0 + 40) * 24, 100, 0.98, null).estimate.status;
  const steps: { t: number; status: string; reason?: string; source: string; flagged: boolean; relearning: boolean }[] = [];
  let adoptedAt: number | undefined;
  let shiftSince: string | undefined;
  let from: number | undefined;
  for (let t = (DAY0 + 40) * 24 + 1; t < (DAY0 + 43) * 24; t++) {
    const relearning = !!s.adoptedShift;
    const y = wild !== undefined && adoptedAt !== undefined && t === adoptedAt + 1 ? wild : 160 + 2 * normal(rng);
    const r = baselineStep(s, t, y, 0.98, null);
    if (s.adoptedShift && adoptedAt === undefined) {
      adoptedAt = t;
      from = s.adoptedShift.from;
      shiftSince = baselineDetail({ state: s } as never, 'UTC').shiftSince;
    }
    if (adoptedAt !== undefined) steps.push({ t, status: r.estimate.status, reason: r.estimate.reason, source: r.estimate.source, flagged: r.anomaly !== null, relearning });
  }
  return { s, before, steps, adoptedAt: adoptedAt!, shiftSince, from: from! };
}

/**
 * QA, 2026-12-06: once a run of flagged readings was taken as a shift of the level, the baseline
 * read "established" while it re-learnt — its level resting on the run's three readings. It now
 * reads "learning" with reason "shift" (its own interval, moved), says since when, raises no flag
 * until the shift has held a day, then reads "established" again.
 */
describe('a baseline re-learning its level after a shift', () => {
  it('is "learning" (reason "shift", since the run\'s first reading) until the shift holds a day, then "established"', () => {
    const { s, before, steps, adoptedAt, shiftSince, from } = walk();
    expect(before).toBe('established');
    expect(adoptedAt, 'the shift was taken within its first day').toBeLessThan((DAY0 + 41) * 24);
    expect(shiftSince).toBe(new Date(from * HOUR).toISOString());
    const during = steps.filter((x) => x.t < adoptedAt + 24);
    expect(during.length).toBe(24);
    expect(during.filter((x) => x.status !== 'learning' || x.reason !== 'shift' || x.source !== 'personal'), 'not learning while re-learning').toEqual([]);
    // The run's three readings are flagged (the third is the one the shift is taken at); none after.
    expect(steps[0].flagged).toBe(true);
    expect(steps.filter((x) => x.flagged && x.t > adoptedAt), 'flagged after the shift').toEqual([]);
    expect(s.adoptedShift ?? null).toBeNull();
    const after = baselineStep(s, (DAY0 + 43) * 24, 160, 0.98, null);
    expect([after.estimate.status, after.estimate.reason]).toEqual(['established', undefined]);
    expect(baselineDetail({ state: s } as never, 'UTC').shiftSince).toBeUndefined();
  });

  it('raises no flag on a reading far off while it re-learns: the level rests on the run\'s three readings', () => {
    const { steps, adoptedAt } = walk(400);
    const wild = steps.find((x) => x.t === adoptedAt + 1)!;
    expect(wild.relearning).toBe(true);
    expect(wild.flagged).toBe(false);
  });
});
