import { afterEach, describe, expect, it } from 'vitest';
import { get, openTwoStores, send, twoHarnesses, type Harness, type StoreKind } from '../../../test/harness.js';
import { Settings } from '../../config/settings.js';
import { documentKinds } from '../../server/tact.js';
import { FeatureBackfill } from './backfill.js';
import { featuresKind } from './features-kind.js';

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

const orders = { name: 'orders', kind: 'count', event: 'Order Completed' };
const revenue = { name: 'spent', kind: 'sum', event: 'Order Completed', property: 'revenue' };

/** 20 orders (revenue 1 … 20), alternately of u1 and u2, through `h`. */
async function twentyOrders(h: Harness, from = 0): Promise<void> {
  for (let i = from; i < from + 20; i++) {
    const r = await send(h.app, '/v1/track', { userId: i % 2 ? 'u2' : 'u1', event: 'Order Completed', properties: { revenue: i + 1 }, messageId: `o${i}` });
    expect(r.statusCode).toBe(200);
  }
}

async function features(h: Harness, name: string): Promise<unknown[]> {
  await h.tact.settings.refreshIfStale();
  const out: unknown[] = [];
  for (const u of ['u1', 'u2']) out.push((await get(h.app, `/v1/profiles/${u}`)).json().features[name]?.value);
  return out;
}

describe.each(['sqlite', 'postgres'] as StoreKind[])('feature backfills when processes are behind one another (%s)', (kind) => {
  it('a process that has not loaded the change that planned a job reloads before it takes the job for gone', async () => {
    const two = await openTwoStores(kind);
    cleanups.push(two.cleanup);
    const [storeA] = two.stores;
    const storeB = kind === 'sqlite' ? storeA : two.stores[1];
    // B read the configuration before the feature existed (another process adds it).
    const settingsB = new Settings(storeB.documents, documentKinds);
    await settingsB.reload();
    const settingsA = new Settings(storeA.documents, documentKinds);
    await settingsA.put('features', [orders], { author: 'test', reason: 'test' });
    const put = await storeA.documents.latest('features');
    expect(put?.version).toBe(1);
    const hash = settingsA.get(featuresKind)[0].hash;
    const now = Date.now();
    const id = `backfill:orders:${hash}`;
    await storeA.documents.saveJob({ id, kind: 'backfill', state: 'running', progress: { feature: 'orders', hash, uptoSeq: 1, afterSeq: 0, matched: 0 }, createdAt: now, updatedAt: now });
    // B leases it first. Before 2026-12-05 it found no such feature in its settings and cancelled
    // the job: the feature then held only the events after the cut, for good.
    await new FeatureBackfill(storeB, settingsB, { chunk: 5 }).runAll();
    expect(await storeA.documents.getJob(id)).toMatchObject({ state: 'done' });
    expect(settingsB.get(featuresKind).map((f) => f.def.name)).toEqual(['orders']);
  });
});

describe('feature changes made through two processes on one PostgreSQL database', () => {
  it('a process behind on another one\'s feature change does not plan that feature\'s backfill again', async () => {
    const { a, b, close } = await twoHarnesses('postgres');
    cleanups.push(close);
    await twentyOrders(a);
    // A adds `orders`: its backfill counts the 20 orders stored before.
    await a.tact.applyDocument('features', [orders], { author: 'test', reason: 'add orders' });
    await a.tact.backfill.runAll();
    expect(await features(a, 'orders')).toEqual([10, 10]);
    // B, which has not heard A's change, adds `spent` beside it. Before 2026-12-05 B took `orders`
    // for new as well (it compared with the features it had in force) and planned its backfill
    // again from the first event: every order counted twice.
    await b.tact.applyDocument('features', [orders, revenue], { author: 'test', reason: 'add spent' });
    await b.tact.backfill.runAll();
    await a.tact.backfill.runAll();
    expect(await features(b, 'orders')).toEqual([10, 10]);
    expect(await features(a, 'orders')).toEqual([10, 10]);
    // u1 has the odd revenues 1, 3 … 19 (100), u2 the even ones 2 … 20 (110).
    expect(await features(b, 'spent')).toEqual([100, 110]);
    // Live from here on, once in each process.
    await twentyOrders(b, 20);
    await twentyOrders(a, 40);
    expect(await features(a, 'orders')).toEqual([30, 30]);
    expect(await features(b, 'spent')).toEqual([100 + 300 + 500, 110 + 310 + 510]);
  });
});
