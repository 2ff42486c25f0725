import { afterEach, describe, expect, it } from 'vitest';
import { bearer, harness, type Harness, KEYS, openTestStore, type StoreKind } from '../../test/harness.js';
import { Settings } from '../config/settings.js';
import { documentKinds } from '../server/tact.js';
import type { Store } from '../store/store.js';
import { Learning } from './learning.js';
import { offThreadWorkers, runOffThread } from './train/off-thread.js';
import type { Trainer } from './train/trainer.js';

/** How long the fake fits last: longer than any bound below, so that a stop that waits for them fails its test. */
const FIT_MS = 3_000;
/** The grace the tests give (the server's is TRAINING_STOP_GRACE_MS), and what a stop may take beyond it. */
const GRACE_MS = 200;
const SLACK_MS = 1_000;

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

/** A trainer whose fit runs FIT_MS in a worker thread (as the real fits do); `started` resolves once it began. */
function slowTrainer(name: Trainer['name'], calls: string[]) {
  let began!: () => void;
  const started = new Promise<void>((r) => (began = r));
  const trainer: Trainer = {
    name, description: 'slow',
    train: async (ctx) => {
      calls.push(name);
      began();
      await runOffThread<(ms: number) => Promise<void>>('node:timers/promises', 'setTimeout', [FIT_MS]);
      return { state: {}, metrics: {}, dataFrom: null, dataTo: ctx.now };
    },
  };
  return { trainer, started };
}

const quickTrainer = (name: Trainer['name'], calls: string[]): Trainer => ({
  name, description: 'quick', train: async (ctx) => (calls.push(name), { state: {}, metrics: {}, dataFrom: null, dataTo: ctx.now }),
});

/** Whether the training lease of `name` is free: another holder takes it at once (and gives it back). */
async function leaseFree(store: Store, name: string): Promise<boolean> {
  const token = `probe-${Math.random()}`;
  const now = Date.now();
  const held = await store.models.takeTraining({ name, token, holder: 'probe', actor: 'test', since: now, until: now + 60_000 });
  if (held.token !== token) return false;
  await store.models.releaseTraining(name, token);
  return true;
}

async function storeOf(kind: StoreKind): Promise<Store> {
  const opened = await openTestStore(kind);
  cleanups.push(opened.cleanup);
  return opened.store;
}

/** A server's Tact on `store` whose `rates` trainer is `trainer`. */
async function serverOn(store: Store, trainer: Trainer): Promise<Harness> {
  const h = await harness('sqlite', { store });
  (h.tact.learning as unknown as { trainers: Trainer[] }).trainers = [trainer];
  return h;
}

describe('stopping after a training', () => {
  it('ends the training threads kept for the next fit (off-thread-pool.ts) instead of leaving them idle for 30 s', async () => {
    const store = await storeOf('sqlite');
    const settings = new Settings(store.documents, documentKinds);
    await settings.reload();
    const quickFit: Trainer = {
      name: 'rates', description: 'a fit in a thread',
      train: async (ctx) => (await runOffThread<(ms: number) => Promise<void>>('node:timers/promises', 'setTimeout', [1]), { state: {}, metrics: {}, dataFrom: null, dataTo: ctx.now }),
    };
    const learning = Learning.create({ store, settings, log: () => undefined, trainers: [quickFit] });
    await learning.train(['rates'], 'cli');
    expect(offThreadWorkers().idle).toBeGreaterThan(0);
    await learning.stop(GRACE_MS);
    expect(offThreadWorkers()).toMatchObject({ idle: 0, busy: 0 });
  });
});

describe.each<StoreKind>(['sqlite', 'postgres'])('stopping while models train (%s)', (kind) => {
  it('a scheduled run with several due models stops within the grace, trains nothing more, and leaves the models free', async () => {
    const store = await storeOf(kind);
    const settings = new Settings(store.documents, documentKinds);
    await settings.reload();
    const calls: string[] = [];
    const slow = slowTrainer('micro-segments', calls);
    const learning = Learning.create({ store, settings, log: () => undefined, trainers: [slow.trainer, quickTrainer('send-time', calls), quickTrainer('rates', calls)] });
    const run = learning.schedule.tick();
    await slow.started;
    const t0 = Date.now();
    await learning.stop(GRACE_MS);
    expect(Date.now() - t0).toBeLessThan(GRACE_MS + SLACK_MS);
    await run;
    expect(calls).toEqual(['micro-segments']);
    for (const name of ['micro-segments', 'send-time', 'rates']) expect(await learning.registry.store.versions(name, 1)).toEqual([]);
    // Not recorded failed (it would wait up to 30 minutes to be tried again): due at the next start, its leases given back.
    const job = await store.documents.getJob('train:micro-segments');
    expect(job?.progress.failedAt).toBeUndefined();
    expect(await leaseFree(store, 'micro-segments')).toBe(true);
    expect(await store.documents.leaseJob('train:micro-segments', 'the-next-process', 60_000)).toBe(true);
  });

  it('a sync=true training stopped mid-fit is answered 503 and gives its lease back: a new Tact on the store trains at once', async () => {
    const store = await storeOf(kind);
    const slow = slowTrainer('rates', []);
    const h = await serverOn(store, slow.trainer);
    const answer = h.app.inject({ method: 'POST', url: '/v1/models/rates/train?sync=true', headers: { authorization: bearer(KEYS.admin) } });
    await slow.started;
    const t0 = Date.now();
    void h.tact.learning.stop(GRACE_MS); // the grace the app's close then awaits
    await h.close();
    expect(Date.now() - t0).toBeLessThan(GRACE_MS + SLACK_MS);
    const r = await answer;
    expect(r.statusCode).toBe(503);
    expect(r.json()).toMatchObject({ error: 'overloaded' });
    expect(await h.tact.learning.registry.store.versions('rates', 1)).toEqual([]);

    const next = await serverOn(store, quickTrainer('rates', []));
    cleanups.push(() => next.close());
    const [res] = await next.tact.learning.train(['rates'], 'cli', { waitMs: 0 });
    expect(res).toMatchObject({ model: 'rates', version: 1 });
    expect(res?.busy).toBeUndefined();
  });

  it('a training on demand stopped mid-fit is recorded failed, stopped by the shutdown, and gives its lease back', async () => {
    const store = await storeOf(kind);
    const slow = slowTrainer('rates', []);
    const h = await serverOn(store, slow.trainer);
    const r = await h.app.inject({ method: 'POST', url: '/v1/models/rates/train', headers: { authorization: bearer(KEYS.admin) } });
    expect(r.statusCode).toBe(202);
    await slow.started;
    const t0 = Date.now();
    void h.tact.learning.stop(GRACE_MS);
    await h.close();
    expect(Date.now() - t0).toBeLessThan(GRACE_MS + SLACK_MS);
    expect(await leaseFree(store, 'rates')).toBe(true);

    const next = await serverOn(store, quickTrainer('rates', []));
    cleanups.push(() => next.close());
    const job = await next.tact.learning.trainings.get('rates', r.json().id);
    expect(job).toMatchObject({ state: 'failed' });
    expect(job?.error).toContain("stopped by the server's shutdown");
    const [res] = await next.tact.learning.train(['rates'], 'cli', { waitMs: 0 });
    expect(res).toMatchObject({ model: 'rates', version: 1 });
  });
});
