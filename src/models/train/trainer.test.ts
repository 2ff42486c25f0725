import { describe, expect, it } from 'vitest';
import type { Settings } from '../../config/settings.js';
import type { Store } from '../../store/store.js';
import { MemoryModelStore } from '../registry/memory-model-store.js';
import { ModelRegistry } from '../registry/registry.js';
import { type Trainer, trainModels } from './trainer.js';

describe('training runs', () => {
  it('never trains the same model twice at once in a process: training on demand waits for the scheduled run', async () => {
    let running = 0;
    let most = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const trainer: Trainer = {
      name: 'send-time', description: '',
      train: async (ctx) => {
        most = Math.max(most, ++running);
        await gate;
        running--;
        return { state: {}, metrics: {}, dataFrom: null, dataTo: ctx.now };
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

  it('reports each model as soon as it is trained (progress of a long run)', async () => {
    const seen: string[] = [];
    const trainer = (name: 'send-time' | 'rates'): Trainer => ({ name, description: '', train: async () => (seen.push(`train ${name}`), { skipped: 'nothing yet' }) });
    const registry = new ModelRegistry(new MemoryModelStore(), { ttlMs: 0 });
    const ctx = { store: {} as Store, settings: {} as Settings, registry, now: 0, log: () => undefined };
    await trainModels(ctx, [trainer('send-time'), trainer('rates')], ['send-time', 'rates'], 'cli', { onResult: (r) => seen.push(`done ${r.model}`) });
    expect(seen).toEqual(['train send-time', 'done send-time', 'train rates', 'done rates']);
  });
});
