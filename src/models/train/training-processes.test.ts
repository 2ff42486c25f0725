import { afterEach, describe, expect, it } from 'vitest';
import { openTwoStores, type StoreKind } from '../../../test/harness.js';
import { Settings } from '../../config/settings.js';
import { SegmentLookup } from '../../segments/segment-lookup.js';
import { SegmentMembership } from '../../segments/segment-membership.js';
import { documentKinds } from '../../server/tact.js';
import type { Store } from '../../store/store.js';
import { SubjectEstimates } from '../estimates/subject-estimates.js';
import { ModelRegistry } from '../registry/registry.js';
import { TrainingSchedule } from './schedule.js';
import { type TrainContext, type Trainer, trainModels } from './trainer.js';

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function twoStores(kind: StoreKind): Promise<[Store, Store]> {
  const two = await openTwoStores(kind);
  cleanups.push(two.cleanup);
  return two.stores;
}

async function processOn(store: Store): Promise<TrainContext & { settings: Settings }> {
  const settings = new Settings(store.documents, documentKinds);
  await settings.reload();
  const registry = new ModelRegistry(store.models, { ttlMs: 0, autoPromote: () => new Set(['send-time']) });
  return { store, settings, registry, now: Date.now(), log: () => undefined };
}

/** A send-time trainer that counts the trainings running at once (in every "process") and holds each until `release()`. */
function gatedTrainer() {
  const t = { running: 0, most: 0, calls: [] as string[], release: () => {}, started: Promise.resolve() };
  let began!: () => void;
  t.started = new Promise<void>((r) => (began = r));
  const gate = new Promise<void>((r) => (t.release = r));
  const trainer = (who: string): Trainer => ({
    name: 'send-time', description: '',
    train: async (ctx) => {
      t.calls.push(who);
      t.most = Math.max(t.most, ++t.running);
      began();
      await gate;
      t.running--;
      // A model of its own for each trainer: one the same as the live version is not promoted on demand.
      return { state: { by: who }, metrics: {}, dataFrom: null, dataTo: ctx.now };
    },
  });
  return { t, trainer };
}

describe.each(['sqlite', 'postgres'] as const)('training shared by two processes (%s)', (kind) => {
  it('trains a model in one process at a time: training on demand elsewhere waits for it, and says whom it waits for', async () => {
    const [storeA, storeB] = await twoStores(kind);
    const [a, b] = [await processOn(storeA), await processOn(storeB)];
    const { t, trainer } = gatedTrainer();
    const first = trainModels(a, [trainer('a')], ['send-time'], 'schedule');
    await t.started;
    const waitedFor: string[] = [];
    const second = trainModels(b, [trainer('b')], ['send-time'], 'cli', { pollMs: 20, onBusy: (sentence) => waitedFor.push(sentence) });
    // Until the second process has said whom it waits for (bounded: a loaded machine can take more than a moment).
    for (let waited = 0; waitedFor.length === 0 && waited < 10_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100));
    expect(t.calls).toEqual(['a']);
    t.release();
    const [ra, rb] = await Promise.all([first, second]);
    expect(t.most).toBe(1);
    expect([ra[0].version, rb[0].version]).toEqual([1, 2]);
    expect(rb[0].promotion).toMatchObject({ promoted: true, previous: 1 });
    expect(waitedFor).toEqual([expect.stringMatching(new RegExp(`^send-time is being trained by process ${process.pid} on .+ \\(for schedule\\) since \\d{4}-\\d\\d-\\d\\dT`))]);
  });

  it('the schedule of another process skips a model being trained, and trains the next', async () => {
    const [storeA, storeB] = await twoStores(kind);
    const [a, b] = [await processOn(storeA), await processOn(storeB)];
    const { t, trainer } = gatedTrainer();
    const onDemand = trainModels(a, [trainer('a')], ['send-time'], 'cli');
    await t.started;
    const ratesB: Trainer = { name: 'rates', description: '', train: async () => (t.calls.push('b rates'), { skipped: 'no data yet' }) };
    const lookup = new SegmentLookup(storeB.segments, b.settings, b.registry);
    const membership = new SegmentMembership(storeB, b.settings, new SubjectEstimates(storeB, b.settings, b.registry, lookup), lookup);
    await new TrainingSchedule(b, [trainer('b'), ratesB], membership).tick(Date.now());
    expect(t.calls).toEqual(['a', 'b rates']);
    expect((await storeB.documents.getJob('train:send-time'))?.progress.lastResult).toMatchObject({ version: null, skipped: expect.stringContaining('send-time is being trained by process') });
    t.release();
    expect((await onDemand)[0].version).toBe(1);
  });

  it('a training whose process died stops holding the model once its lease lapses', async () => {
    const [storeA, storeB] = await twoStores(kind);
    const b = await processOn(storeB);
    // The process that took this lease never renews nor releases it.
    const until = Date.now() + 1500;
    expect(await storeA.models.takeTraining({ name: 'send-time', token: 'dead', holder: 'process 1 on gone', actor: 'cli', since: Date.now(), until })).toMatchObject({ token: 'dead' });
    let startedAt = 0;
    const trainer: Trainer = { name: 'send-time', description: '', train: async (ctx) => ((startedAt = Date.now()), { state: {}, metrics: {}, dataFrom: null, dataTo: ctx.now }) };
    const waitedFor: string[] = [];
    const [r] = await trainModels(b, [trainer], ['send-time'], 'cli', { pollMs: 20, onBusy: (sentence) => waitedFor.push(sentence) });
    expect(r.version).toBe(1);
    expect(startedAt).toBeGreaterThan(until);
    expect(waitedFor).toEqual([expect.stringMatching(/^send-time is being trained by process 1 on gone \(for cli\) since /)]);
  });
});
