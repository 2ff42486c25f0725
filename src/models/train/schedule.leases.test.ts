import type pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { openTwoStores, type StoreKind } from '../../../test/harness.js';
import { Settings } from '../../config/settings.js';
import { SegmentLookup } from '../../segments/segment-lookup.js';
import { SegmentMembership } from '../../segments/segment-membership.js';
import { documentKinds } from '../../server/tact.js';
import type { PostgresStore } from '../../store/postgres/postgres-store.js';
import type { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import { SubjectEstimates } from '../estimates/subject-estimates.js';
import { ModelRegistry } from '../registry/registry.js';
import { TrainingSchedule } from './schedule.js';
import type { Trainer } from './trainer.js';

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function lapseLease(store: Store, id: string): Promise<void> {
  if (store.kind === 'sqlite') (store as SqliteStore).db.prepare('UPDATE jobs SET lease_until = 0 WHERE id = ?').run(id);
  else await ((store as PostgresStore).pool as pg.Pool).query('UPDATE jobs SET lease_until = 0 WHERE id = $1', [id]);
}

/** A gate a process stalls at the first time it gets there; `at` resolves once it does. */
function gate() {
  let reached!: () => void;
  let open!: () => void;
  const at = new Promise<void>((r) => (reached = r));
  const opened = new Promise<void>((r) => (open = r));
  let passed = false;
  return { at, open, stall: async () => {
    if (passed) return;
    passed = true;
    reached();
    await opened;
  } };
}

/** A process's schedule on `store`, training send-time with `train`. */
async function scheduleOn(store: Store, train: Trainer['train']): Promise<TrainingSchedule> {
  const settings = new Settings(store.documents, documentKinds);
  await settings.reload();
  const registry = new ModelRegistry(store.models, { ttlMs: 0 });
  const lookup = new SegmentLookup(store.segments, settings, registry);
  const membership = new SegmentMembership(store, settings, new SubjectEstimates(store, settings, registry, lookup), lookup);
  return new TrainingSchedule({ store, settings, registry, log: () => undefined }, [{ name: 'send-time', description: '', train }], membership);
}

const trained = (calls: string[], who: string): Trainer['train'] => async (ctx) => (calls.push(who), { state: {}, metrics: {}, dataFrom: null, dataTo: ctx.now });

describe.each(['sqlite', 'postgres'] as StoreKind[])('the training schedule shared by two processes (%s)', (kind) => {
  it('a process that found no job row does not write a new one over the run another process just recorded', async () => {
    const two = await openTwoStores(kind);
    cleanups.push(two.cleanup);
    const [storeA, storeB] = two.stores;
    const calls: string[] = [];
    const g = gate();
    // A read "no job yet", then stalls before writing it.
    const save = storeA.documents.saveJob.bind(storeA.documents);
    const create = storeA.documents.createJob.bind(storeA.documents);
    const docsA = Object.assign(Object.create(storeA.documents), {
      saveJob: async (job: Parameters<typeof save>[0]) => (await g.stall(), save(job)),
      createJob: async (job: Parameters<typeof create>[0]) => (await g.stall(), create(job)),
    });
    const a = await scheduleOn(Object.assign(Object.create(storeA), { documents: docsA }) as Store, trained(calls, 'a'));
    const b = await scheduleOn(storeB, trained(calls, 'b'));
    const t0 = Date.now();
    const tickA = a.tick(t0);
    await g.at;
    await b.tick(t0);
    g.open();
    await tickA;
    expect.soft(await storeB.documents.getJob('train:send-time')).toMatchObject({ state: 'done', progress: { lastAt: t0, lastResult: { version: 1 } } });
    // A minute later the model is not due again (the default interval is a day).
    await b.tick(t0 + 60_000);
    expect(calls).toEqual(['b']);
  });

  it('a process that lost the lease while training does not write its failure over the run of the one that took it', async () => {
    const two = await openTwoStores(kind);
    cleanups.push(two.cleanup);
    const [storeA, storeB] = two.stores;
    const calls: string[] = [];
    const g = gate();
    const a = await scheduleOn(storeA, async () => {
      calls.push('a');
      await g.stall();
      throw new Error('the disk filled up');
    });
    const b = await scheduleOn(storeB, trained(calls, 'b'));
    const t0 = Date.now();
    const tickA = a.tick(t0);
    await g.at;
    // A's lease lapses while it trains: B takes the job (and skips the model, which A is training).
    await lapseLease(storeA, 'train:send-time');
    await b.tick(t0 + 1000);
    const recorded = await storeB.documents.getJob('train:send-time');
    expect(recorded).toMatchObject({ state: 'done', progress: { lastAt: t0 + 1000 } });
    g.open();
    await tickA;
    expect(await storeB.documents.getJob('train:send-time')).toMatchObject({ state: 'done', progress: recorded!.progress });
  });
});
