import { describe, expect, it } from 'vitest';
import type { Message } from '../../collect/message.js';
import type { BaselineState } from '../../learn/baselines/metric-baseline.js';
import { Rng } from '../../learn/math/prng.js';
import { normal } from '../../learn/math/samplers.js';
import { poolFromSubjects } from '../../learn/baselines/population.js';
import { baselineNow, ownReadings } from './baseline-reader.js';
import { type StoredBaseline, baselineStep, foldReading, newBaselineState, readingOf } from './baseline-step.js';
import { metricsKind } from './metrics-kind.js';

const [metric] = metricsKind.compile([{ name: 'spend', event: 'Order Completed', property: 'order.total' }]);
const msg = (properties: Record<string, unknown>, event = 'Order Completed') => ({ type: 'track', event, properties } as unknown as Message);

describe('baseline step', () => {
  it('reads the first finite number at the property path (numeric strings too)', () => {
    expect(readingOf(msg({ order: { total: '42.5' } }), metric)).toBe(42.5);
    expect(readingOf(msg({ order: { total: 'n/a' } }), metric)).toBeUndefined();
    // A JSON number's text only, as features read it (docs/configuration.md): not hex, binary or
    // octal, nor padded or with leading zeros.
    for (const text of ['0x10', '0b11', '0o7', 'Infinity', ' 1e2 ', '0012', '1.', '+4']) expect(readingOf(msg({ order: { total: text } }), metric), text).toBeUndefined();
    expect(readingOf(msg({ order: { total: '1e2' } }), metric)).toBe(100);
    expect(readingOf(msg({ order: { total: 3 } }, 'Other'), metric)).toBeUndefined();
  });

  it('issues the day-ahead forecast at the first reading of a new day, and never flags while learning', () => {
    const s = newBaselineState(metric);
    expect(s.population.cap).toBe(500);
    expect(baselineStep(s, 24 * 100 + 9, 40, 0.98, 'now').anomaly).toBeNull();
    expect(s.issued).toBeNull();
    const r = baselineStep(s, 24 * 101 + 9, 10_000, 0.98, 'now');
    expect(s.issued?.day).toBe(101);
    expect(r.anomaly).toBeNull();
    expect(r.estimate.status).toBe('learning');
    expect(s.readings).toBe(2);
  });

  it('while learning, shows the population\'s range with a value inside it', () => {
    // Everyone else's sessions: 280, 281, …, 320 s (twice); this subject's first five: about 600 s.
    const others = Array.from({ length: 82 }, (_, i) => 280 + (i % 41));
    const trainedAt = Date.parse('2026-02-01T03:00:00Z');
    const pool = { pool: poolFromSubjects([others]), modelVersion: 'baselines@1', dataTo: trainedAt };
    const s = newBaselineState(metric);
    for (let d = 0; d < 5; d++) baselineStep(s, 24 * (200 + d) + 20, 598 + d, 0.98, 'now');
    const row = { subjectId: 'p', model: 'baseline', key: 'spend', estimate: null, state: s, modelVersion: 'baseline@1', seq: 5, updatedAt: Date.parse('2026-02-02T20:00:00Z') };
    const e = baselineNow(row, metric, 'UTC', (24 * 205 + 9) * 3_600_000, pool);
    // The interval is the pool's: its evidence is the pool's 82 readings (not the subject's 5, which
    // the estimates' `detail.readings` gives), and it last changed when the pool was trained.
    expect(e).toMatchObject({ source: 'population', status: 'learning', evidence: 82, updatedAt: '2026-02-01T03:00:00.000Z' });
    expect(Number.isFinite(e.low) && Number.isFinite(e.high)).toBe(true);
    expect(e.low).toBeLessThanOrEqual(e.value);
    expect(e.value).toBeLessThanOrEqual(e.high);
  });
});

describe('before any training', () => {
  it('shows the range of the subject\'s own readings, labelled personal, not population (until 2026-12-06 it said population)', () => {
    // 200 session lengths of about 600 s over four days (two an hour): too few days to establish; no pool trained yet.
    const rng = new Rng(11);
    const s = newBaselineState(metric);
    const readings: number[] = [];
    for (let i = 0; i < 200; i++) {
      const x = 600 + 50 * normal(rng);
      readings.push(x);
      baselineStep(s, 24 * 300 + Math.floor(i / 2), x, 0.98, 'now');
    }
    const row = { subjectId: 'p', model: 'baseline', key: 'spend', estimate: null, state: s, modelVersion: 'baseline@1', seq: 200, updatedAt: Date.parse('2026-02-02T20:00:00Z') };
    const e = baselineNow(row, metric, 'UTC', (24 * 300 + 101) * 3_600_000, undefined);
    expect(e).toMatchObject({ source: 'personal', status: 'learning', evidence: 200 });
    // The split-conformal 90% range of the 200 readings alone (Lei et al. 2018, §2: the
    // ⌈(n + 1)(1 − α/2)⌉-th order statistic and its mirror; α = 0.1, n = 200: k = 10 and 191).
    const sorted = [...readings].sort((a, b) => a - b);
    expect([e.low, e.high]).toEqual([sorted[9], sorted[190]]);
  });
});

describe('a stale baseline', () => {
  const [sensor] = metricsKind.compile([{ name: 'temp', event: 'Sensor Reading', property: 'celsius', cadence: 'hourly' }]);
  const hour = (iso: string) => Date.parse(iso) / 3_600_000;
  /** 30 days of hourly readings (2026-01-05T00:00Z … 2026-02-03T23:00Z, around 20 ± 1): established. */
  const established = () => {
    const s = newBaselineState(sensor);
    const rng = new Rng(4);
    for (let t = hour('2026-01-05T00:00:00Z'); t <= hour('2026-02-03T23:00:00Z'); t++) baselineStep(s, t, 20 + normal(rng), 0.98, 'now');
    return s;
  };
  const row = (s: BaselineState) => ({ subjectId: 'p', model: 'baseline', key: 'temp', estimate: null, state: s, modelVersion: 'baseline@1', seq: 1, updatedAt: 0 });

  it('accepts `staleAfter` as a duration (default 30 days) and names the field when it is not one', () => {
    expect(sensor.config.staleAfterDays).toBe(30);
    expect(metricsKind.compile([{ name: 'x', event: 'E', property: 'v', staleAfter: '36h' }])[0].config.staleAfterDays).toBe(1.5);
    expect(metricsKind.check([{ name: 'x', event: 'E', property: 'v', staleAfter: 'soon' }])).toEqual([{ field: 'metrics[0].staleAfter', message: expect.stringContaining('duration') }]);
  });

  it('flags a wild reading 29 days after the last one, but not 31 days after: the baseline is stale', () => {
    const s = established();
    const copy = () => JSON.parse(JSON.stringify(s)) as BaselineState;
    expect(baselineStep(copy(), hour('2026-03-04T23:00:00Z'), 80, 0.98, 'now').anomaly).toMatchObject({ anomaly: true, reason: 'outside-range' });
    const late = baselineStep(copy(), hour('2026-03-06T23:00:00Z'), 80, 0.98, 'now');
    expect(late.anomaly).toBeNull();
    expect(late.estimate).toMatchObject({ status: 'learning', reason: 'stale' });
  });

  it('reads as "learning" with reason "stale" 30 days after the last reading, under the metric\'s current `staleAfter`', () => {
    const s = established();
    expect(baselineNow(row(s), sensor, 'UTC', Date.parse('2026-03-05T22:00:00Z'), undefined).status).toBe('established');
    // No trained pool: the range shown is the subject's own readings', so personal (still learning).
    expect(baselineNow(row(s), sensor, 'UTC', Date.parse('2026-03-05T23:00:00Z'), undefined)).toMatchObject({ status: 'learning', reason: 'stale', source: 'personal' });
    // A state stored before the setting existed has none in its config: the metric's one applies.
    delete (s.config as { staleAfterDays?: number }).staleAfterDays;
    const [twoDays] = metricsKind.compile([{ name: 'temp', event: 'Sensor Reading', property: 'celsius', cadence: 'hourly', staleAfter: '2d' }]);
    expect(baselineNow(row(s), twoDays, 'UTC', Date.parse('2026-02-05T23:00:00Z'), undefined)).toMatchObject({ status: 'learning', reason: 'stale' });
    expect(baselineNow(row(s), twoDays, 'UTC', Date.parse('2026-02-05T22:00:00Z'), undefined).status).toBe('established');
  });
});

describe('a reading too large to learn (beyond ±1e100)', () => {
  const row = (s: StoredBaseline) => ({ subjectId: 'p', model: 'baseline', key: 'spend', estimate: null, state: s, modelVersion: 'baseline@1', seq: 1, updatedAt: 0 });
  it('is counted neither in `detail.readings` nor in the evidence, zone or no zone', () => {
    // Until 2026-12-05 a subject's first reading of 1e200 with no zone was held: `detail.readings` 1,
    // evidence 0 (the held readings are learned when read, and the huge one is not).
    for (const zone of [null, 'Europe/Paris']) {
      const s: StoredBaseline = newBaselineState(metric);
      const at = Date.parse('2026-03-01T10:00:00Z');
      foldReading(s, at, 1e200, zone, 0.98, 'now');
      expect(ownReadings(row(s)), `zone ${zone}`).toBe(0);
      expect(baselineNow(row(s), metric, zone, at + 60_000, undefined).evidence).toBe(0);
      foldReading(s, at + 3_600_000, 42, zone, 0.98, 'now');
      expect(ownReadings(row(s)), `zone ${zone}`).toBe(1);
      expect(baselineNow(row(s), metric, zone, at + 7_200_000, undefined)).toMatchObject({ evidence: 1, value: 42 });
    }
  });
});
