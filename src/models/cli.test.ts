import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Settings } from '../config/settings.js';
import type { Store } from '../store/store.js';
import { trainNow } from './cli.js';
import { MemoryModelStore } from './registry/memory-model-store.js';
import { ModelRegistry } from './registry/registry.js';
import { type Trainer, trainModels } from './train/trainer.js';

/** Ctrl-C as `tact train` hears it, pressed by the test instead of a person. */
function ctrlC() {
  const controller = new AbortController();
  let by: NodeJS.Signals | undefined;
  const handle = { signal: controller.signal, get by() { return by; }, get exitCode() { return by ? 130 : 0; }, done: () => {} };
  return { stopOnSignal: () => handle, press: () => ((by = 'SIGINT'), controller.abort('SIGINT')) };
}

const trained = (name: Trainer['name'], during?: () => void): Trainer => ({ name, description: '', train: async (c) => (during?.(), await new Promise((r) => setTimeout(r, 10)), { state: {}, metrics: {}, dataFrom: null, dataTo: c.now }) });

describe('tact train: its exit code after Ctrl-C', () => {
  let stderr = '';
  afterEach(() => {
    vi.restoreAllMocks();
    stderr = '';
  });
  const quiet = () => {
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  };
  const context = (store = new MemoryModelStore()) => ({ store: {} as Store, settings: {} as Settings, registry: new ModelRegistry(store, { ttlMs: 0 }), now: 0, log: () => undefined });

  it('is 0 when Ctrl-C came while the last model trained: it finished, nothing was left out', async () => {
    quiet();
    const key = ctrlC();
    const ctx = context();
    const code = await trainNow(['send-time'], (o) => trainModels(ctx, [trained('send-time', key.press)], ['send-time'], 'cli', o), { stopOnSignal: key.stopOnSignal });
    expect(code).toBe(0);
    expect((await ctx.registry.store.versions('send-time', 5)).map((v) => v.version)).toEqual([1]);
    expect(stderr).not.toContain('not trained');
  });

  it('is 130 when Ctrl-C left a model untrained (the next one is not started)', async () => {
    quiet();
    const key = ctrlC();
    const names = ['send-time', 'rates'];
    const code = await trainNow(names, (o) => trainModels(context(), [trained('send-time', key.press), trained('rates')], names, 'cli', o), { stopOnSignal: key.stopOnSignal });
    expect(code).toBe(130);
    expect(stderr).toContain('Stopped by SIGINT: rates not trained.');
  });

  it('is 130 when Ctrl-C ended the wait for another process training the model', async () => {
    quiet();
    const key = ctrlC();
    const store = new MemoryModelStore();
    await store.takeTraining({ name: 'send-time', token: 'other', holder: 'process 1 on web-2', actor: 'schedule', since: Date.now(), until: Date.now() + 3_600_000 });
    const code = await trainNow(['send-time'], (o) => trainModels(context(store), [trained('send-time')], ['send-time'], 'cli', { ...o, onBusy: (s) => (o.onBusy?.(s), key.press()) }), { stopOnSignal: key.stopOnSignal });
    expect(code).toBe(130);
    expect(stderr).toContain('Stopped by SIGINT: send-time not trained.');
  });

  it('names in --json the models Ctrl-C left untrained: a script reading the last line alone can tell', async () => {
    let stdout = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const key = ctrlC();
    const store = new MemoryModelStore();
    await store.takeTraining({ name: 'rates', token: 'other', holder: 'process 1 on web-2', actor: 'schedule', since: Date.now(), until: Date.now() + 3_600_000 });
    const code = await trainNow(['rates'], (o) => trainModels(context(store), [trained('rates')], ['rates'], 'cli', { ...o, onBusy: (s) => (o.onBusy?.(s), key.press()) }), { json: true, stopOnSignal: key.stopOnSignal });
    expect(code).toBe(130);
    expect(JSON.parse(stdout.trim().split('\n').pop()!)).toEqual({ results: [], notTrained: ['rates'], stoppedBy: 'SIGINT' });
  });

  it('is 0 without Ctrl-C', async () => {
    quiet();
    const key = ctrlC();
    expect(await trainNow(['rates'], (o) => trainModels(context(), [trained('rates')], ['rates'], 'cli', o), { stopOnSignal: key.stopOnSignal })).toBe(0);
  });
});

describe('tact train: a model whose training fails', () => {
  afterEach(() => vi.restoreAllMocks());

  it('is said on its line and in --json, the models after it still train, and the exit code is 2 (done in part)', async () => {
    let stdout = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const failing: Trainer = { name: 'micro-segments', description: '', train: async () => Promise.reject(new Error('matrix is singular')) };
    const ctx = { store: {} as Store, settings: {} as Settings, registry: new ModelRegistry(new MemoryModelStore(), { ttlMs: 0 }), now: 0, log: () => undefined };
    const names = ['micro-segments', 'send-time'];
    const code = await trainNow(names, (o) => trainModels(ctx, [failing, trained('send-time')], names, 'cli', o), { json: true, stopOnSignal: ctrlC().stopOnSignal });
    expect(code).toBe(2);
    expect(stdout).toMatch(/^micro-segments {3}failed: matrix is singular {2}\[/m);
    expect((await ctx.registry.store.versions('send-time', 5)).map((v) => v.version)).toEqual([1]);
    const last = JSON.parse(stdout.trimEnd().split('\n').at(-1)!);
    expect(last.results).toEqual([expect.objectContaining({ model: 'micro-segments', error: 'matrix is singular' }), expect.objectContaining({ model: 'send-time', version: 1 })]);
  });
});
