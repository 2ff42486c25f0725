import { afterEach, describe, expect, it } from 'vitest';
import { openTwoStores, type StoreKind } from '../../../test/harness.js';
import type { Store } from '../../store/store.js';
import type { ModelStore } from './model-store.js';
import { ModelRegistry, type CompareVersions } from './registry.js';

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

const trained = (n: number) => ({ state: { n }, metrics: {}, dataFrom: null, dataTo: n });

/** A comparison that favours every candidate, but only answers once `open()` is called; `started` once `calls` comparisons began. */
function gatedComparison(calls: number): { compare: CompareVersions; started: Promise<void>; open: () => void } {
  let open!: () => void;
  let began!: () => void;
  let count = 0;
  const gate = new Promise<void>((r) => (open = r));
  const started = new Promise<void>((r) => (began = r));
  return { compare: async () => (++count === calls && began(), await gate, { better: true, summary: 'favoured' }), started, open };
}

describe.each(['sqlite', 'postgres'] as const)('model registry shared by two processes (%s)', (kind) => {
  it('two processes storing versions of one model at once (their training leases lapsed) each get a number of their own', async () => {
    const [storeA, storeB] = await twoStores(kind);
    const version = (n: number) => ({ name: 'm', trainedAt: n, dataFrom: null, dataTo: n, metrics: { n }, state: { n }, trainedBy: n % 2 ? 'a' : 'b' });
    // Five at once from each process: every one of them reads the same highest number before any writes.
    const numbers = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => (n % 2 ? storeA : storeB).models.addVersion(version(n))));
    expect([...numbers].sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // Each number names the version that call stored.
    for (const [i, v] of numbers.entries()) expect((await storeB.models.getVersion('m', v))?.state).toEqual({ n: i + 1 });
    expect(await storeA.models.addVersion(version(11))).toBe(11);
  });

  it('of two promotions decided against the same live version at once, one goes live and the other is refused', async () => {
    const [storeA, storeB] = await twoStores(kind);
    const a = new ModelRegistry(storeA.models, { ttlMs: 0 });
    const b = new ModelRegistry(storeB.models, { ttlMs: 0 });
    for (const n of [1, 2, 3]) await a.register('m', trained(n), 'test');
    await a.promote('m', 1, { actor: 'a' });
    const gate = gatedComparison(2);
    a.setComparator('m', gate.compare);
    b.setComparator('m', gate.compare);
    const first = a.promote('m', 2, { actor: 'a' });
    const second = b.promote('m', 3, { actor: 'b' });
    await gate.started;
    gate.open();
    const answers = await Promise.all([first, second]);
    // Both were compared with version 1; once one is live the other's comparison no longer holds.
    expect(answers.filter((p) => p.promoted)).toHaveLength(1);
    const won = answers.find((p) => p.promoted)!;
    const lost = answers.find((p) => !p.promoted)!;
    expect((await storeA.models.live('m'))?.version).toBe(won.version);
    expect(lost.reason).toBe(`the live version changed from 1 to ${won.version} while this promotion was being decided (another process promoted or rolled back m); ask again to compare it with version ${won.version}`);
    const history = await storeB.models.events('m', 10);
    expect(history.filter((e) => e.action === 'promoted').map((e) => [e.version, e.previous])).toEqual([[won.version, 1], [1, null]]);
    expect(history[0]).toMatchObject({ action: 'refused', version: lost.version, previous: 1 });
    // The rollback goes back to the version live before the one that won.
    expect(await b.rollback('m', { actor: 'b' })).toEqual({ name: 'm', version: 1, from: won.version });
  });

  it('a promotion decided while another process rolled back is refused: its rollback target would no longer be live', async () => {
    const [storeA, storeB] = await twoStores(kind);
    const a = new ModelRegistry(storeA.models, { ttlMs: 0 });
    const b = new ModelRegistry(storeB.models, { ttlMs: 0 });
    for (const n of [1, 2, 3]) await a.register('m', trained(n), 'test');
    await a.promote('m', 1, { actor: 'a' });
    await a.promote('m', 2, { actor: 'a', force: true, reason: 'r' });
    const gate = gatedComparison(1);
    b.setComparator('m', gate.compare);
    const promotion = b.promote('m', 3, { actor: 'b' });
    await gate.started;
    expect(await a.rollback('m', { actor: 'a' })).toEqual({ name: 'm', version: 1, from: 2 });
    gate.open();
    expect(await promotion).toMatchObject({ promoted: false, previous: 2, reason: expect.stringContaining('the live version changed from 2 to 1') });
    expect((await storeB.models.live('m'))?.version).toBe(1);
  });

  it('a rollback is refused (409) when the live version changed after it read it', async () => {
    const [storeA, storeB] = await twoStores(kind);
    const a = new ModelRegistry(storeA.models, { ttlMs: 0 });
    // Process b reads the live version, then stalls before it writes (as a slow process would).
    let resume!: () => void;
    let stalled!: () => void;
    const held = new Promise<void>((r) => (resume = r));
    const reached = new Promise<void>((r) => (stalled = r));
    const slowB = Object.create(storeB.models) as ModelStore;
    slowB.setLive = async (...args) => (stalled(), await held, storeB.models.setLive(...args));
    const b = new ModelRegistry(slowB, { ttlMs: 0 });
    for (const n of [1, 2, 3]) await a.register('m', trained(n), 'test');
    for (const v of [1, 2, 3]) await a.promote('m', v, { actor: 'a', force: true, reason: 'r' });
    const late = b.rollback('m', { actor: 'b' }).catch((e: unknown) => e);
    await reached;
    // Meanwhile a rolls back from 3 to 2: b must not roll back from 3 to 2 again on top of it.
    expect(await a.rollback('m', { actor: 'a' })).toEqual({ name: 'm', version: 2, from: 3 });
    resume();
    expect(await late).toMatchObject({ statusCode: 409, message: expect.stringContaining('the live version changed from 3 to 2') });
    expect((await storeA.models.events('m', 10)).filter((e) => e.action === 'rolled-back')).toHaveLength(1);
    expect((await storeA.models.live('m'))?.version).toBe(2);
  });
  it('a rollback in one process reaches the other within its cache time; a second one, from a process started since, goes back once more', async () => {
    const [storeA, storeB] = await twoStores(kind);
    const a = new ModelRegistry(storeA.models, { ttlMs: 0 });
    const b = new ModelRegistry(storeB.models, { ttlMs: 300 });
    for (const n of [1, 2, 3]) await a.register('m', trained(n), 'test');
    for (const v of [1, 2, 3]) await a.promote('m', v, { actor: 'a', force: true, reason: 'r' });
    expect((await b.live('m'))?.version).toBe(3);
    expect(await a.rollback('m', { actor: 'a', reason: 'bad answers' })).toEqual({ name: 'm', version: 2, from: 3 });
    await new Promise((r) => setTimeout(r, 350));
    expect((await b.live<{ n: number }>('m'))?.state).toEqual({ n: 2 });
    // A process started after the first rollback (a restart) reads the history from the store.
    const restarted = new ModelRegistry(storeB.models, { ttlMs: 0 });
    expect(await restarted.rollback('m', { actor: 'b' })).toEqual({ name: 'm', version: 1, from: 2 });
    await expect(a.rollback('m', { actor: 'a' })).rejects.toMatchObject({ code: 'rollback_unavailable' });
    expect((await storeA.models.events('m', 10)).filter((e) => e.action === 'rolled-back').map((e) => [e.previous, e.version, e.reason])).toEqual([[2, 1, 'no reason given'], [3, 2, 'bad answers']]);
  });
});
