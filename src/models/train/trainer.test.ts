import { describe, expect, it } from 'vitest';
import type { Settings } from '../../config/settings.js';
import type { Store } from '../../store/store.js';
import { MemoryModelStore } from '../registry/memory-model-store.js';
import { ModelRegistry } from '../registry/registry.js';
import { upliftTrainer } from '../uplift/uplift-trainer.js';
import { type Trainer, trainModels } from './trainer.js';

describe('training runs', () => {
  it('never trains the same model twice at once in a process: training on demand waits for the scheduled run', async () => {
    let running = 0;
    let most = 0;
    let runs = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const trainer: Trainer = {
      name: 'send-time', description: '',
      train: async (ctx) => {
        most = Math.max(most, ++running);
        await gate;
        running--;
        // Each run a model of its own: one the same as the live version is not promoted (below).
        return { state: { run: ++runs }, metrics: {}, dataFrom: null, dataTo: ctx.now };
      },
    };
    const registry = new ModelRegistry(new MemoryModelStore(), { ttlMs: 0, autoPromote: () => new Set(['send-time']) });
    const ctx = { store: {} as Store, settings: {} as Settings, registry, now: 0, log: () => undefined };
    const scheduled = trainModels(ctx, [trainer], ['send-time'], 'schedule');
    const onDemand = trainModels(ctx, [trainer], ['send-time'], 'cli');
    await new Promise((r) => setTimeout(r, 20));
    release();
    const [a, b] = await Promise.all([scheduled, onDemand]);
    expect(most).toBe(1);
    expect([a[0].version, b[0].version]).toEqual([1, 2]);
    expect(b[0].promotion).toMatchObject({ promoted: true, previous: 1 });
  });

  it('a training queued behind another of the model in this process hears whom it waits for, then that it starts', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let began!: () => void;
    const started = new Promise<void>((r) => (began = r));
    const trainer: Trainer = { name: 'send-time', description: '', train: async (ctx) => (began(), await gate, { state: {}, metrics: {}, dataFrom: null, dataTo: ctx.now }) };
    const registry = new ModelRegistry(new MemoryModelStore(), { ttlMs: 0, autoPromote: () => new Set(['send-time']) });
    const ctx = { store: {} as Store, settings: {} as Settings, registry, now: 0, log: () => undefined };
    const scheduled = trainModels(ctx, [trainer], ['send-time'], 'schedule');
    await started;
    const heard: string[] = [];
    const onDemand = trainModels(ctx, [trainer], ['send-time'], 'admin', { onBusy: (s) => heard.push(`busy: ${s}`), onTaken: (n) => heard.push(`taken: ${n}`) });
    await new Promise((r) => setTimeout(r, 20));
    expect(heard).toEqual([expect.stringMatching(new RegExp(`^busy: send-time is being trained by process ${process.pid} on .+ \\(for schedule\\) since \\d{4}-`))]);
    release();
    await Promise.all([scheduled, onDemand]);
    expect(heard.slice(1)).toEqual(['taken: send-time']);
  });

  it('says when a training made the live version\'s model again: on demand it is stored and not promoted (unless forced), its comparison reported; the schedule stores none', async () => {
    const registry = new ModelRegistry(new MemoryModelStore(), { ttlMs: 0, autoPromote: () => new Set(['send-time']) });
    // A comparison that would let any candidate through: the sameness alone refuses it.
    registry.setComparator('send-time', async () => ({ better: true, summary: 'send-time: the same hours for every segment' }));
    const ctx = { store: {} as Store, settings: {} as Settings, registry, now: 0, log: () => undefined };
    // Stored as JSON: key order and -0 do not make another model.
    const trainer: Trainer = { name: 'send-time', description: '', train: async (ctx) => ({ state: { a: 1, b: -0 }, metrics: {}, dataFrom: null, dataTo: ctx.now }) };
    await trainModels(ctx, [{ ...trainer, train: async (c) => ({ state: { b: 0, a: 1 }, metrics: {}, dataFrom: null, dataTo: c.now }) }], ['send-time'], 'cli');
    const [onDemand] = await trainModels(ctx, [trainer], ['send-time'], 'cli');
    expect(onDemand).toMatchObject({ version: 2, sameAs: 1, unchanged: 'version 2 is the same model as version 1, live when it was trained (nothing new since), so it was not promoted (train with force to promote it as any other)' });
    expect(onDemand.promotion).toMatchObject({ promoted: false, previous: 1, comparison: { better: true, summary: 'send-time: the same hours for every segment' } });
    expect(onDemand.promotion?.reason).toBe('version 2 is the same model as live version 1 (nothing new since it was trained), so it does not replace it (train with force to promote it as any other); the comparison: send-time: the same hours for every segment');
    expect((await registry.store.live('send-time'))?.version).toBe(1);
    const [forced] = await trainModels(ctx, [trainer], ['send-time'], 'cli', { force: true });
    expect(forced).toMatchObject({ version: 3, sameAs: 1, unchanged: 'version 3 is the same model as version 1, live when it was trained (nothing new since)', promotion: { promoted: true, previous: 1 } });
    const [scheduled] = await trainModels(ctx, [trainer], ['send-time'], 'schedule', { ifUnchanged: 'skip' });
    expect(scheduled).toMatchObject({ sameAs: 3, unchanged: expect.stringMatching(/same model as live version 3 .*no version was stored/) });
    expect(scheduled.version).toBeUndefined();
    expect((await registry.store.versions('send-time', 10)).length).toBe(3);
    const [changed] = await trainModels(ctx, [{ ...trainer, train: async (c) => ({ state: { a: 2 }, metrics: {}, dataFrom: null, dataTo: c.now }) }], ['send-time'], 'schedule', { ifUnchanged: 'skip' });
    expect(changed).toMatchObject({ version: 4, promotion: { promoted: true } });
    expect(changed.sameAs).toBeUndefined();
  });

  it('an uplift fit equal to the live one is the same model though its split was read at another time', async () => {
    const registry = new ModelRegistry(new MemoryModelStore(), { ttlMs: 0 });
    const ctx = { store: {} as Store, settings: {} as Settings, registry, now: 0, log: () => undefined };
    const uplift = (asOf: number, w: number): Trainer => ({ ...upliftTrainer, train: async () => ({ state: { actions: { shoes: { w } }, heldOut: { salt: 's', share: 0.2, by: 'subject', asOf } }, metrics: {}, dataFrom: 0, dataTo: asOf }) });
    await trainModels(ctx, [uplift(1_000, 0.5)], ['uplift'], 'cli');
    expect((await trainModels(ctx, [uplift(2_000, 0.5)], ['uplift'], 'schedule', { ifUnchanged: 'skip' }))[0]).toMatchObject({ sameAs: 1 });
    expect((await trainModels(ctx, [uplift(3_000, 0.6)], ['uplift'], 'schedule', { ifUnchanged: 'skip' }))[0]).toMatchObject({ version: 2 });
  });

  it('reports each model as soon as it is trained (progress of a long run)', async () => {
    const seen: string[] = [];
    const trainer = (name: 'send-time' | 'rates'): Trainer => ({ name, description: '', train: async () => (seen.push(`train ${name}`), { skipped: 'nothing yet' }) });
    const registry = new ModelRegistry(new MemoryModelStore(), { ttlMs: 0 });
    const ctx = { store: {} as Store, settings: {} as Settings, registry, now: 0, log: () => undefined };
    await trainModels(ctx, [trainer('send-time'), trainer('rates')], ['send-time', 'rates'], 'cli', { onResult: (r) => seen.push(`done ${r.model}`) });
    expect(seen).toEqual(['train send-time', 'done send-time', 'train rates', 'done rates']);
  });

  it('stops on its signal (Ctrl-C of `tact train`): a wait for another process ends at once, leaving its lease alone', async () => {
    const store = new MemoryModelStore();
    const other = { name: 'send-time', token: 'other', holder: 'process 1 on web-2', actor: 'schedule', since: Date.now(), until: Date.now() + 3_600_000 };
    await store.takeTraining(other);
    const registry = new ModelRegistry(store, { ttlMs: 0 });
    const ctx = { store: {} as Store, settings: {} as Settings, registry, now: 0, log: () => undefined };
    const calls: string[] = [];
    const trainer = (name: 'micro-segments' | 'send-time' | 'rates'): Trainer => ({ name, description: '', train: async (c) => (calls.push(name), { state: {}, metrics: {}, dataFrom: null, dataTo: c.now }) });
    const stop = new AbortController();
    const started = Date.now();
    const results = await trainModels(ctx, [trainer('micro-segments'), trainer('send-time'), trainer('rates')], ['micro-segments', 'send-time', 'rates'], 'cli', { pollMs: 20, signal: stop.signal, onBusy: () => stop.abort('SIGINT') });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(calls).toEqual(['micro-segments']);
    expect(results.map((r) => r.model)).toEqual(['micro-segments']);
    expect(await store.takeTraining({ ...other, token: 'third' })).toMatchObject({ token: 'other' });
  });

  it('stops on its signal: a training in progress is finished and stored, its lease released, and no other model is started', async () => {
    const store = new MemoryModelStore();
    const registry = new ModelRegistry(store, { ttlMs: 0 });
    const ctx = { store: {} as Store, settings: {} as Settings, registry, now: 0, log: () => undefined };
    const calls: string[] = [];
    const stop = new AbortController();
    const first: Trainer = { name: 'micro-segments', description: '', train: async (c) => (calls.push('micro-segments'), stop.abort('SIGINT'), await new Promise((r) => setTimeout(r, 20)), { state: {}, metrics: {}, dataFrom: null, dataTo: c.now }) };
    const second: Trainer = { name: 'send-time', description: '', train: async (c) => (calls.push('send-time'), { state: {}, metrics: {}, dataFrom: null, dataTo: c.now }) };
    const results = await trainModels(ctx, [first, second], ['micro-segments', 'send-time'], 'cli', { signal: stop.signal });
    expect(calls).toEqual(['micro-segments']);
    expect(results).toEqual([expect.objectContaining({ model: 'micro-segments', version: 1 })]);
    const now = Date.now();
    expect(await store.takeTraining({ name: 'micro-segments', token: 'next', holder: 'h', actor: 'cli', since: now, until: now + 1000 })).toMatchObject({ token: 'next' });
  });
});
