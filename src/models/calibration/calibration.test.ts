import { afterEach, describe, expect, it } from 'vitest';
import { KEYS, get, harness, type Harness } from '../../../test/harness.js';
import { type HeldOutPoint, heldOutReport } from '../../learn/calibration/held-out.js';
import { renderCalibration } from '../cli.js';
import type { CalibrationPoint, EstimateStore } from '../estimates/estimate-store.js';
import { calibrationReport } from './calibration.js';
import { FEW_ROWS } from './calibrated-models.js';
import { markFewRows } from './reports.js';

const HOUR = 3_600_000;

const config = { rates: [{ name: 'email_open', exposure: 'Email Delivered', success: 'Email Opened', within: '72h' }, { name: 'email_click', exposure: 'Email Delivered', success: 'Email Link Clicked', within: '72h' }] };

describe('GET /v1/models/{name}/calibration', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('with no resolved prediction yet reports no ECE (null), not a perfect 0', async () => {
    h = await harness('sqlite', { config });
    const r = await get(h.app, '/v1/models/rates/calibration?key=email_open', KEYS.admin);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().reports).toEqual([expect.objectContaining({ key: 'email_open', n: 0, ece: null, mce: null, brier: null })]);
    const [report] = r.json().reports;
    expect(report.eceDebiased).toBeNull();
    expect(report.intervals).toEqual({ level: 0.95, resamples: 0, groups: 0, ece: { low: null, high: null }, eceDebiased: { low: null, high: null }, mce: { low: null, high: null }, brier: { low: null, high: null } });
    expect(report.calibratedReference).toEqual({ simulations: 0, ece: { mean: null, low: null, high: null, p95: null }, mce: { mean: null, low: null, high: null, p95: null } });
    expect(report.coverage.interval).toEqual({ level: 0.95, low: null, high: null });
  });

  it('refuses a `key` that is no configured rate (a typo read as "nothing yet"), and a `key` for the decisions, naming the field', async () => {
    h = await harness('sqlite', { config });
    const r = await get(h.app, '/v1/models/rates/calibration?key=email_opn', KEYS.admin);
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().problems).toEqual([{ field: 'querystring.key', message: 'The `key` `email_opn` is not a configured rate and has no recorded predictions. Did you mean `email_open`? The rates are email_open, email_click.' }]);
    const d = await get(h.app, '/v1/models/decisions/calibration?key=email_open', KEYS.admin);
    expect(d.statusCode, d.body).toBe(400);
    expect(d.json().problems).toEqual([{ field: 'querystring.key', message: 'The `key` chooses one rate of `rates` or one action of `uplift`; `decisions` has one report and no keys.' }]);
  });
});

describe('tact calibration (printing)', () => {
  it('prints each figure\'s 95% interval, the resamples, what a calibrated model would read, and coverage\'s Wilson interval', () => {
    // 20 subjects, 2 predictions each of 0.2, 9 of them with a success: ECE ≈ 0.025.
    const points: HeldOutPoint[] = [];
    for (let i = 0; i < 20; i++) for (const seq of [1, 2]) points.push({ subjectId: `s${i}`, seq, alpha: 2, beta: 8, outcome: seq === 2 && i < 9 ? 1 : 0 });
    const report = heldOutReport(points);
    const text = renderCalibration({ model: 'rates', key: 'email_open', pending: 0, ...report });
    const f = (x: number) => x.toFixed(4);
    expect(text).toContain(`  ECE ${f(report.ece)} · MCE ${f(report.mce)} · Brier ${f(report.brier)}`);
    expect(text).toContain(`  95% intervals (1,000 resamples of the 20 subjects): ECE ${f(report.intervals.ece.low)}–${f(report.intervals.ece.high)} · MCE ${f(report.intervals.mce.low)}–${f(report.intervals.mce.high)} · Brier ${f(report.intervals.brier.low)}–${f(report.intervals.brier.high)}`);
    const ref = report.calibratedReference.ece;
    expect(text).toContain(`  a perfectly calibrated model with these predictions would read ECE ${f(ref.mean)} (95% ${f(ref.low)}–${f(ref.high)}, 1,000 simulations), not 0; ECE's interval holds it: no sign of miscalibration beyond chance`);
    expect(report.intervals.ece.low).toBeLessThanOrEqual(ref.mean);
    expect(report.intervals.ece.high).toBeGreaterThanOrEqual(ref.mean);
    // The debiased ECE (Kumar, Liang & Ma 2019): one bin, gap d = 9/40 − 0.2 = 0.025, σ = √(0.225·0.775/40)
    // = 0.0660: 2·0.025 − E|N(0.025, σ²)| = 0.05 − 0.0564 < 0, floored at 0; its interval holds 0.
    expect(report.ece).toBeCloseTo(0.025, 10);
    expect(report.eceDebiased).toBe(0);
    expect(report.intervals.eceDebiased.low).toBe(0);
    expect(text).toContain(`  debiased ECE 0.0000 (95% 0.0000–${f(report.intervals.eceDebiased.high)}): the binned ECE less the bias its bins' noise adds`);
    // 20 of 20 subjects inside: Wilson's 95% interval is [20/(20 + z²), 1] = [0.8389, 1].
    expect(report.coverage.inside).toBe(20);
    expect(text).toContain('  90% intervals: 100.0% held the outcome (20 of 20 subjects; 95% 83.9–100.0%)');
  });
});

describe('calibration bins with few predictions', () => {
  it('are said as such in the report (`few`, `binsWithFewRows`) and in the printed chart', () => {
    // 20 subjects with one distinct prediction each: 10 equal-mass bins of 2 predictions.
    const points: HeldOutPoint[] = Array.from({ length: 20 }, (_, i) => ({ subjectId: `s${i}`, seq: 1, alpha: 1 + i, beta: 30, outcome: i % 3 === 0 ? 1 : 0 }));
    const report = markFewRows({ model: 'rates', key: 'email_open', pending: 0, ...heldOutReport(points) });
    expect(report.bins).toHaveLength(10);
    expect(report.bins.every((b) => b.count === 2 && b.few)).toBe(true);
    expect(report.binsWithFewRows).toBe(10);
    const text = renderCalibration(report);
    expect(text).toContain(`  10 of the 10 bins hold fewer than ${FEW_ROWS} predictions: their observed rates are noisy`);
    expect(text.split('\n').filter((l) => l.endsWith('few rows'))).toHaveLength(10);
  });

  it('are not flagged once a bin holds enough predictions', () => {
    const points: HeldOutPoint[] = [];
    for (let i = 0; i < 40; i++) points.push({ subjectId: `s${i}`, seq: 1, alpha: 2, beta: 8, outcome: i < 8 ? 1 : 0 });
    const report = markFewRows({ model: 'rates', key: 'email_open', pending: 0, ...heldOutReport(points) });
    expect(report.bins).toEqual([expect.objectContaining({ count: 40, few: false })]);
    expect(report.binsWithFewRows).toBe(0);
    expect(renderCalibration(report)).not.toContain('few');
  });
});

describe('which predictions the report judges', () => {
  const point = (seq: number, deadline: number, outcome: number | null): CalibrationPoint => ({
    model: 'rates', key: 'email_open', subjectId: `s${seq}`, seq, at: deadline - 72 * HOUR, alpha: 2, beta: 8, deadline, outcome, modelVersion: 'rates@1',
  });
  // The store's reads, as both stores answer them (src/store/conformance/learn-store.case.ts).
  const store = (points: CalibrationPoint[]) => ({
    points: async (_m: string, _k: string, limit: number, o: { closedBy?: number } = {}) => points.filter((p) => p.deadline <= (o.closedBy ?? Infinity)).sort((a, b) => b.at - a.at).slice(0, limit),
    openPoints: async (_m: string, _k: string, now: number) => points.filter((p) => p.deadline > now).length,
  }) as unknown as EstimateStore;

  it('judges a prediction only once its window is over: an early success is pending like an early silence, or the observed rate reads high', async () => {
    const now = 1_000 * HOUR;
    const points = [point(1, now - HOUR, 1), point(2, now - HOUR, null), point(3, now + HOUR, 1), point(4, now + HOUR, null)];
    const report = await calibrationReport(store(points), 'rates', 'email_open', now);
    // Counting the open success (and not the open silence) gave n 3 and an observed rate of 2/3
    // where the closed predictions read 1/2.
    expect(report).toMatchObject({ n: 2, pending: 2, observedRate: 0.5 });
  });
});
