import type pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { openTwoStores, type StoreKind } from '../../test/harness.js';
import type { PostgresStore } from '../store/postgres/postgres-store.js';
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { LogConsumers } from './log-consumers.js';

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

/** The lease of job `id` lapses now, as if its holder had stalled past `lease_until` (a GC pause, a slow disk). */
export async function lapseLease(store: Store, id: string): Promise<void> {
  if (store.kind === 'sqlite') (store as SqliteStore).db.prepare('UPDATE jobs SET lease_until = 0 WHERE id = ?').run(id);
  else await ((store as PostgresStore).pool as pg.Pool).query('UPDATE jobs SET lease_until = 0 WHERE id = $1', [id]);
}

/** A log of `n` events, seen through `store`'s job rows: the consumers read only the log and the jobs. */
function withLog(store: Store, n: number, documents = store.documents): Store {
  const log = Array.from({ length: n }, (_, i) => ({ seq: i + 1, profileId: 'p1', type: 'track', event: `E${i + 1}`, json: JSON.stringify({ type: 'track', event: `E${i + 1}`, messageId: `m${i + 1}` }) }));
  const profiles = {
    maxEventSeq: async () => n,
    scanEvents: async (after: number, upto: number, limit: number) => log.filter((r) => r.seq > after && r.seq <= upto).slice(0, limit),
  };
  return { kind: store.kind, documents, profiles } as unknown as Store;
}

describe.each(['sqlite', 'postgres'] as StoreKind[])('a log consumer whose process lost its lease (%s)', (kind) => {
  it('does not write its older position over the newer one of the process that took the lease, and stops', async () => {
    const two = await openTwoStores(kind);
    cleanups.push(two.cleanup);
    const [storeA, storeB] = two.stores;
    const id = 'consumer:count';
    /** How often each event was handed to a consumer, in either process. */
    const handed = new Map<number, number>();
    const count = (seqs: number[]) => seqs.forEach((s) => handed.set(s, (handed.get(s) ?? 0) + 1));

    // Process A: its clock moves a second per chunk (so it writes its position after each), and it stalls in its second chunk.
    let nowA = 5_000_000;
    let stalled!: () => void;
    const stalledAt = new Promise<void>((r) => (stalled = r));
    let wake!: () => void;
    const woken = new Promise<void>((r) => (wake = r));
    /** The stored position before and after each of A's writes. */
    const written: [number, number][] = [];
    const stored = async () => Number((await storeA.documents.getJob(id))?.progress.afterSeq ?? 0);
    const saveA = storeA.documents.saveJob.bind(storeA.documents);
    const docsA = Object.assign(Object.create(storeA.documents) as typeof storeA.documents, {
      saveJob: async (job: Parameters<typeof saveA>[0]) => {
        const before = await stored();
        const r = await saveA(job);
        if (job.id === id) written.push([before, await stored()]);
        return r;
      },
    });
    const a = new LogConsumers(withLog(storeA, 20, docsA), { chunk: 5, now: () => nowA });
    a.register({
      name: 'count',
      handle: async (events) => {
        nowA += 1000;
        if (events[0].seq === 6) {
          stalled();
          await woken;
        }
        count(events.map((e) => e.seq));
      },
    });
    const runA = a.runAll();
    await stalledAt;
    // A stalls past its lease: B takes it and folds everything after the position A wrote.
    nowA += 35_000;
    await lapseLease(storeA, id);
    const b = new LogConsumers(withLog(storeB, 20), { chunk: 5, now: () => 9_000_000 });
    b.register({ name: 'count', handle: async (events) => count(events.map((e) => e.seq)) });
    await b.runAll();
    await b.flush();
    expect((await storeB.documents.getJob(id))?.progress.afterSeq).toBe(20);
    // A wakes, its chunk 6–10 handled (in flight when it stalled: consumers are idempotent for that).
    wake();
    await runA;
    await a.flush();
    // The stored position never goes back, and A folded nothing after it learnt it lost the lease.
    expect((await storeB.documents.getJob(id))?.progress.afterSeq).toBe(20);
    expect(written.filter(([before, after]) => after < before)).toEqual([]);
    expect([...handed].filter(([s, n]) => s > 10 && n !== 1)).toEqual([]);
    // A process starting now re-reads nothing.
    const c = new LogConsumers(withLog(storeB, 20), { chunk: 5, now: () => 9_100_000 });
    const again: number[] = [];
    c.register({ name: 'count', handle: async (events) => void again.push(...events.map((e) => e.seq)) });
    await c.runAll();
    expect(again).toEqual([]);
  });
});
