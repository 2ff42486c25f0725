import { describe, expect, it } from 'vitest';
import { segmentsKind } from '../segments/segments-kind.js';
import { metricsKind } from './baselines/metrics-kind.js';
import { ratesKind } from './rates/rates-kind.js';
import { recommendationsKind } from './recommend/recommendations-kind.js';
import { sendTimeKind } from './send-time/send-time-kind.js';
import { trainingKind } from './train/training-kind.js';

const fields = (p: { field: string }[]) => p.map((x) => x.field);

describe('the models\' configuration kinds name every bad field', () => {
  it('metrics', () => {
    expect(metricsKind.check([{ name: 'session_length', event: 'Session Ended', property: 'duration' }])).toEqual([]);
    expect(fields(metricsKind.check([{ name: 'Bad', event: '', cadence: 'daily', anomalyLevel: 2 }, { name: 'Bad' }]))).toEqual(expect.arrayContaining(['metrics[0].name', 'metrics[0].event', 'metrics[0].property', 'metrics[0].cadence', 'metrics[0].anomalyLevel', 'metrics[1].name']));
    expect(metricsKind.compile([{ name: 'a', event: 'E', property: 'x.y' }])[0]).toMatchObject({ path: ['x', 'y'], anomalyLevel: 0.98, config: { pooledHorizons: true } });
    expect(metricsKind.compile([{ name: 'a', event: 'E', property: 'x', cadence: 'hourly' }])[0].config.pooledHorizons).toBe(false);
  });

  it('rates', () => {
    expect(fields(ratesKind.check([{ name: 'open', exposure: 'Email Delivered', success: 'Email Opened', within: 'soon' }]))).toEqual(['rates[0].within']);
    expect(ratesKind.compile([{ name: 'open', exposure: 'a', success: 'b', within: '3d' }])[0]).toMatchObject({ windowMs: 3 * 86_400_000, maxWidth: 0.1 });
    expect(fields(ratesKind.check([{ name: 'x', exposure: 'a', success: 'b', within: '1d' }, { name: 'x', exposure: 'a', success: 'b', within: '1d' }]))).toEqual(['rates[1].name']);
  });

  it('send time', () => {
    expect(fields(sendTimeKind.check({ engagement: [{}, { type: 'email' }], minEvents: 0 }))).toEqual(['engagement[0]', 'engagement[1].type', 'minEvents']);
    const c = sendTimeKind.compile({ engagement: [{ event: 'Email Opened' }, { type: 'page' }] });
    expect([c.matches({ type: 'track', event: 'Email Opened' } as never), c.matches({ type: 'page' } as never), c.matches({ type: 'track', event: 'X' } as never)]).toEqual([true, true, false]);
  });

  it('recommendations', () => {
    const p = recommendationsKind.check({ interactions: [{ event: 'Product Viewed' }], rule: 'item.price <', placements: { home: { rule: '1 >' } }, algorithm: 'magic', neighbours: 0 });
    expect(fields(p)).toEqual(expect.arrayContaining(['interactions[0].property', 'rule', 'placements.home.rule', 'algorithm', 'neighbours']));
    expect(recommendationsKind.compile({})).toMatchObject({ algorithm: 'auto', easeMaxItems: 1000, neighbours: 100, windowDays: 90 });
  });

  it('segments', () => {
    expect(fields(segmentsKind.check({ audiences: [{ name: 'ok', when: 'features.orders >' }], microSegments: { features: [], k: 1 } }))).toEqual(['audiences[0].when', 'microSegments.features', 'microSegments.k']);
    expect(segmentsKind.compile({ microSegments: { features: ['orders'] } }).microSegments).toEqual({ features: ['orders'], k: 8, minSubjects: 50 });
  });

  it('training', () => {
    expect(fields(trainingKind.check({ every: 'daily', models: ['bandit'], autoPromote: ['rates'] }))).toEqual(['every', 'models[0]']);
    expect(trainingKind.compile({ every: 'off', segmentSweep: '1h' })).toMatchObject({ everyMs: null, sweepMs: 3_600_000 });
    expect(trainingKind.compile({}).everyMs).toBe(86_400_000);
  });
});
