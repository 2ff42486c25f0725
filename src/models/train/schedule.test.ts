import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Settings } from '../../config/settings.js';
import { SegmentLookup } from '../../segments/segment-lookup.js';
import { SegmentMembership } from '../../segments/segment-membership.js';
import { openSqliteStore, type SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { documentKinds } from '../../server/tact.js';
import { SubjectEstimates } from '../estimates/subject-estimates.js';
import { ModelRegistry } from '../registry/registry.js';
import { TrainingSchedule } from './schedule.js';
import type { Trainer } from './trainer.js';

const H = 3_600_000;

describe('training schedule', () => {
  let store: SqliteStore;
  let settings: Settings;
  beforeEach(async () => {
    store = await openSqliteStore({ path: ':memory:' });
    settings = new Settings(store.documents, documentKinds);
    await settings.reload();
  });
  afterEach(async () => store.close());

  function scheduleWith(trainers: Trainer[]) {
    const registry = new ModelRegistry(store.models, { ttlMs: 0 });
    const lookup = new SegmentLookup(store.segments, settings, registry);
    const membership = new SegmentMembership(store, settings, new SubjectEstimates(store, settings, registry, lookup), lookup);
    return { registry, schedule: new TrainingSchedule({ store, settings, registry, log: () => undefined }, trainers, membership) };
  }

  it('trains each model once per interval, retries a skipped one within the hour, and keeps the version history', async () => {
    const calls: string[] = [];
    let ready = false;
    const trainers: Trainer[] = [
      // Each send-time training finds something new (an identical one stores no version: below).
      { name: 'send-time', description: '', train: async (ctx) => (calls.push('send-time'), { state: { runs: calls.length }, metrics: {}, dataFrom: null, dataTo: ctx.now }) },
      { name: 'rates', description: '', train: async () => (calls.push('rates'), ready ? { state: {}, metrics: {}, dataFrom: null, dataTo: 0 } : { skipped: 'no data yet' }) },
    ];
    const { registry, schedule } = scheduleWith(trainers);
    const t0 = Date.now();
    await schedule.tick(t0);
    expect(calls).toEqual(['send-time', 'rates']);
    await schedule.tick(t0 + 30 * 60_000);
    expect(calls).toHaveLength(2);
    ready = true;
    await schedule.tick(t0 + H + 1);
    expect(calls).toEqual(['send-time', 'rates', 'rates']);
    // 2 s before rates is due again (a run due within a second of a tick runs at it).
    await schedule.tick(t0 + 25 * H - 2_000);
    expect(calls).toEqual(['send-time', 'rates', 'rates', 'send-time']);
    expect((await registry.live('send-time'))?.version).toBe(1);
    expect((await store.models.versions('send-time', 5)).map((v) => v.trainedBy)).toEqual(['schedule', 'schedule']);
    expect((await store.documents.getJob('train:rates'))?.progress).toMatchObject({ lastAt: t0 + H + 1, lastResult: { version: 1, promoted: true } });
  });

  it('stores no version when a run makes the live version\'s model again (nothing new since), and says so; the next change is a version again', async () => {
    // QA, 2026-12-06: `every: 1m` with `autoPromote: [rates]` and nothing new made and promoted v4, v5, … each equal to v3, so a rollback landed on the same model.
    let kappa = 30;
    const logged: string[] = [];
    const rates: Trainer = { name: 'rates', description: '', train: async (ctx) => ({ state: { rates: { opened: { concentration: { personal: kappa } } } }, metrics: { trials: 666 }, dataFrom: null, dataTo: ctx.now }) };
    const registry = new ModelRegistry(store.models, { ttlMs: 0, autoPromote: () => new Set(['rates']) });
    const lookup = new SegmentLookup(store.segments, settings, registry);
    const membership = new SegmentMembership(store, settings, new SubjectEstimates(store, settings, registry, lookup), lookup);
    const schedule = new TrainingSchedule({ store, settings, registry, log: (msg, data) => logged.push(`${msg} ${JSON.stringify(data)}`) }, [rates], membership);
    await settings.put('training', { every: '1m', models: ['rates'], autoPromote: ['rates'] }, { author: 't', reason: 't' });
    const t0 = Date.now();
    await schedule.tick(t0);
    await schedule.tick(t0 + 60_000);
    await schedule.tick(t0 + 120_000);
    expect((await store.models.versions('rates', 10)).map((v) => v.version)).toEqual([1]);
    expect((await store.documents.getJob('train:rates'))?.progress).toMatchObject({ lastAt: t0 + 120_000, lastResult: { version: null, promoted: null, skipped: null, sameAs: 1 } });
    expect(logged.filter((l) => l.includes('no version was stored'))).toHaveLength(2);
    // Not retried within the hour as a skipped one is: due again after `every`.
    kappa = 31;
    await schedule.tick(t0 + 180_000);
    expect((await registry.live('rates'))?.version).toBe(2);
    expect((await store.documents.getJob('train:rates'))?.progress).toMatchObject({ lastResult: { version: 2, promoted: true, sameAs: null } });
  });

  it('runs every minute with `every: 1m` though a tick lands a millisecond before its slot (one run in a few waited a whole extra minute), and refuses an interval under a minute', async () => {
    const calls: string[] = [];
    const { schedule } = scheduleWith([{ name: 'send-time', description: '', train: async (ctx) => (calls.push('send-time'), { state: {}, metrics: {}, dataFrom: null, dataTo: ctx.now }) }]);
    await settings.put('training', { every: '1m', models: ['send-time'] }, { author: 't', reason: 't' });
    const t0 = Date.now();
    await schedule.tick(t0);
    await schedule.tick(t0 + 60_000 - 1);
    await schedule.tick(t0 + 120_000 - 3);
    expect(calls).toHaveLength(3);
    expect((await store.documents.getJob('train:send-time'))?.progress).toMatchObject({ lastAt: t0 + 120_000 - 3 });
    // Well inside the minute, nothing runs.
    await schedule.tick(t0 + 150_000);
    expect(calls).toHaveLength(3);
    for (const every of ['10s', '1ms', '59s']) {
      await expect(settings.put('training', { every }, { author: 't', reason: 't' })).rejects.toThrow(/shorter than a minute/);
    }
    await expect(settings.put('training', { segmentSweep: '30s' }, { author: 't', reason: 't' })).rejects.toThrow(/`segmentSweep` \(30s\) is shorter than a minute/);
  });

  it('trains only the models the training document lists, and nothing when it says "off"', async () => {
    const calls: string[] = [];
    const trainer = (name: 'send-time' | 'rates'): Trainer => ({ name, description: '', train: async () => (calls.push(name), { skipped: 'x' }) });
    const { schedule } = scheduleWith([trainer('send-time'), trainer('rates')]);
    await settings.put('training', { models: ['rates'] }, { author: 't', reason: 't' });
    await schedule.tick(Date.now());
    expect(calls).toEqual(['rates']);
    await settings.put('training', { every: 'off' }, { author: 't', reason: 't' });
    await schedule.tick(Date.now() + 48 * H);
    expect(calls).toEqual(['rates']);
  });

  it('a model whose training fails does not keep the next ones from training, and is logged', async () => {
    const calls: string[] = [];
    const logged: string[] = [];
    const trainers: Trainer[] = [
      { name: 'micro-segments', description: '', train: async () => (calls.push('micro-segments'), Promise.reject(new Error('matrix is singular'))) },
      { name: 'send-time', description: '', train: async (ctx) => (calls.push('send-time'), { state: {}, metrics: {}, dataFrom: null, dataTo: ctx.now }) },
    ];
    const registry = new ModelRegistry(store.models, { ttlMs: 0 });
    const lookup = new SegmentLookup(store.segments, settings, registry);
    const membership = new SegmentMembership(store, settings, new SubjectEstimates(store, settings, registry, lookup), lookup);
    const schedule = new TrainingSchedule({ store, settings, registry, log: (msg, data) => logged.push(`${msg} ${JSON.stringify(data)}`) }, trainers, membership);
    await schedule.tick(Date.now());
    expect(calls).toEqual(['micro-segments', 'send-time']);
    expect((await registry.live('send-time'))?.version).toBe(1);
    expect(logged.join('\n')).toMatch(/micro-segments.*matrix is singular/);
  });

  it('a model whose training failed is tried again after half an hour, not at every tick', async () => {
    const calls: number[] = [];
    const trainers: Trainer[] = [{ name: 'send-time', description: '', train: async (ctx) => (calls.push(ctx.now), Promise.reject(new Error('matrix is singular'))) }];
    const { schedule } = scheduleWith(trainers);
    const t0 = Date.now();
    await schedule.tick(t0);
    // Ticks come every minute (TrainingSchedule.start): none of the next 29 retries it.
    for (let m = 1; m < 30; m++) await schedule.tick(t0 + m * 60_000);
    expect(calls).toHaveLength(1);
    expect((await store.documents.getJob('train:send-time'))?.progress).toMatchObject({ failedAt: t0, error: 'matrix is singular' });
    await schedule.tick(t0 + 30 * 60_000);
    expect(calls).toHaveLength(2);
  });
});
