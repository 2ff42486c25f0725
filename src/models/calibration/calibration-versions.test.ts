import { describe, expect, it } from 'vitest';
import { renderCalibration } from '../cli.js';
import type { CalibrationPoint, EstimateStore } from '../estimates/estimate-store.js';
import { calibrationReport, versionCounts } from './calibration.js';

// QA, 2026-12-06: the rates report mixed the predictions of rates@default and rates@1 without
// saying so, while GET /v1/models/rates showed the live version's own held-out figures: two
// "rates calibration" figures that disagreed, with nothing to tell them apart.
const point = (i: number, modelVersion: string): CalibrationPoint => ({
  model: 'rates', key: 'email_open', subjectId: `s${i % 40}`, seq: i + 1, at: i, alpha: 2, beta: 8, deadline: i, outcome: i % 5 === 0 ? 1 : 0, modelVersion,
});
const points = [...Array.from({ length: 300 }, (_, i) => point(i, 'rates@default')), ...Array.from({ length: 900 }, (_, i) => point(300 + i, 'rates@1'))];
const store = { points: async () => points, openPoints: async () => 7 } as unknown as EstimateStore;

describe('the rates calibration report says which versions made its predictions', () => {
  it('counts the resolved predictions per version, most first', async () => {
    const r = await calibrationReport(store, 'rates', 'email_open', 10_000);
    expect(r.n).toBe(1200);
    expect(r.versions).toEqual([{ modelVersion: 'rates@1', n: 900 }, { modelVersion: 'rates@default', n: 300 }]);
    expect(versionCounts([])).toEqual([]);
  });

  it('tact calibration prints them, and says when several versions are mixed', async () => {
    const r = await calibrationReport(store, 'rates', 'email_open', 10_000);
    expect(renderCalibration(r)).toContain('\n  made by rates@1 (900), rates@default (300): several versions mixed; a version\'s own held-out figures are in `tact models rates` (GET /v1/models/rates)\n');
    const one = await calibrationReport({ ...store, points: async () => points.slice(300) } as unknown as EstimateStore, 'rates', 'email_open', 10_000);
    expect(renderCalibration(one)).toContain('\n  made by rates@1 (900)\n');
  });
});
