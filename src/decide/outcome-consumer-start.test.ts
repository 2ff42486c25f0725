import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { LogConsumers } from '../collect/log-consumers.js';
import { Settings } from '../config/settings.js';
import { documentKinds } from '../server/tact.js';
import type { Store } from '../store/store.js';
import { openTwoStores, type StoreKind } from '../../test/harness.js';
import { DecideService, OUTCOME_CONSUMER } from './service.js';

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

const id = `consumer:${OUTCOME_CONSUMER}`;

describe.each(['sqlite', 'postgres'] as StoreKind[])('the outcome consumer started by two processes at once (%s)', (kind) => {
  it('is created once: a process that found no job does not move the position of the one another just created and advanced', async () => {
    const two = await openTwoStores(kind);
    cleanups.push(two.cleanup);
    const [storeA, storeB] = two.stores;
    await storeA.documents.put('policy', { outcomes: { events: { 'Order Completed': { type: 'conversion', value: 'revenue' } } } }, { author: 'test', reason: 'map an event to outcomes' });
    // A finds no job; before it writes one, B creates it after event 100 and maps events 101–150.
    // Events go on arriving: A then sees 200 in the log.
    let first = true;
    const getJob = storeA.documents.getJob.bind(storeA.documents);
    const documents = Object.assign(Object.create(storeA.documents) as Store['documents'], {
      getJob: async (jobId: string) => {
        if (jobId !== id || !first) return getJob(jobId);
        first = false;
        const at = Date.now();
        await storeB.documents.createJob({ id, kind: 'consumer', state: 'running', progress: { afterSeq: 100 }, createdAt: at, updatedAt: at });
        await storeB.documents.saveJob({ id, kind: 'consumer', state: 'running', progress: { afterSeq: 150 }, createdAt: at, updatedAt: at + 1 });
        return undefined;
      },
    });
    const profiles = Object.assign(Object.create(storeA.profiles) as Store['profiles'], { maxEventSeq: async () => 200 });
    const store = Object.assign(Object.create(storeA) as Store, { documents, profiles });
    const settings = new Settings(storeA.documents, documentKinds);
    await settings.reload();
    const decide = await DecideService.start({ store, settings, consumers: new LogConsumers(store, { log: () => {} }), log: pino({ level: 'silent' }), background: false });
    cleanups.push(async () => decide.close());
    expect(first).toBe(false);
    // Events 151–200 are still to be mapped to outcomes.
    expect((await storeB.documents.getJob(id))?.progress.afterSeq).toBe(150);
  });

  it('starts after the events already stored when it is first registered', async () => {
    const two = await openTwoStores(kind);
    cleanups.push(two.cleanup);
    const [storeA] = two.stores;
    await storeA.documents.put('policy', { outcomes: { events: { 'Order Completed': { type: 'conversion', value: 'revenue' } } } }, { author: 'test', reason: 'map an event to outcomes' });
    const profiles = Object.assign(Object.create(storeA.profiles) as Store['profiles'], { maxEventSeq: async () => 70 });
    const store = Object.assign(Object.create(storeA) as Store, { profiles });
    const settings = new Settings(storeA.documents, documentKinds);
    await settings.reload();
    const decide = await DecideService.start({ store, settings, consumers: new LogConsumers(store, { log: () => {} }), log: pino({ level: 'silent' }), background: false });
    cleanups.push(async () => decide.close());
    expect((await storeA.documents.getJob(id))?.progress.afterSeq).toBe(70);
  });
});
