import { afterEach, describe, expect, it } from 'vitest';
import { openTwoStores, type StoreKind } from '../../../test/harness.js';
import { EstimateBatch } from '../../models/estimates/estimate-batch.js';
import type { EstimateKey } from '../../models/estimates/estimate-store.js';

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

const key: EstimateKey = { subjectId: 'population', model: 'rate', key: 'email_open' };
const other: EstimateKey = { subjectId: 'p1', model: 'rate', key: 'email_open' };
/** A row's state: the events folded into it, so a lost event shows. */
type Folded = { events: number[] };
const init = () => ({ state: { events: [] } as Folded, modelVersion: 'rates@default' });

/** Folds events `from`..`to` into the row of `k` in `batch`, as a consumer does (each event once). */
function fold(batch: EstimateBatch, k: EstimateKey, from: number, to: number): void {
  const row = batch.row(k, init);
  for (let seq = from; seq <= to; seq++) {
    if (!batch.fresh(row, seq)) continue;
    row.state = { events: [...(row.state as Folded).events, seq] };
    batch.touch(row, seq);
  }
}

/** The estimate rows' contract (estimate-store.ts `seq`), on two stores sharing one database. */
describe.each(['sqlite', 'postgres'] as StoreKind[])('estimate rows written by two processes (%s)', (kind) => {
  it('a write never moves a row back to an older seq: a consumer that stalled between reading and writing loses nothing of the newer row', async () => {
    const two = await openTwoStores(kind);
    cleanups.push(two.cleanup);
    const [a, b] = two.stores.map((s) => s.estimates);
    const first = new EstimateBatch(a, 1);
    await first.load([key]);
    fold(first, key, 1, 5);
    await first.flush();

    // A reads the rows for its chunk 6–10, folds it, and stalls before writing (past its lease).
    const stale = new EstimateBatch(a, 2);
    await stale.load([key, other]);
    fold(stale, key, 6, 10);
    fold(stale, other, 6, 10);
    // B took the lease and folds 6–20 (its `other` row only up to 10: no later event was p1's).
    const fresh = new EstimateBatch(b, 3);
    await fresh.load([key, other]);
    fold(fresh, key, 6, 20);
    fold(fresh, other, 6, 10);
    await fresh.flush();
    // A wakes and writes what it folded.
    await stale.flush();

    const [row] = await b.getMany([key]);
    expect(row.seq).toBe(20);
    expect((row.state as Folded).events).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(row.updatedAt).toBe(3);
    // At the same seq a write still applies (a chunk replayed after a crash writes the same row again).
    const [same] = await b.getMany([other]);
    expect(same).toMatchObject({ seq: 10, updatedAt: 2, state: { events: [6, 7, 8, 9, 10] } });
    // A row moves forward as before.
    const next = new EstimateBatch(a, 4);
    await next.load([key]);
    fold(next, key, 21, 21);
    await next.flush();
    expect((await b.getMany([key]))[0]).toMatchObject({ seq: 21, updatedAt: 4 });
  });

  it('replace writes a row only if the stored one is still at the seq it was read at (none: only if there is none)', async () => {
    const two = await openTwoStores(kind);
    cleanups.push(two.cleanup);
    const [a, b] = two.stores.map((s) => s.estimates);
    const row = (seq: number, by: string) => ({ ...key, estimate: null, state: { by }, modelVersion: `bandit@${seq}`, seq, updatedAt: seq });
    expect(await a.replace(row(3, 'A'), null)).toBe(true);
    expect(await b.replace(row(4, 'B'), null)).toBe(false);
    expect(await b.replace(row(5, 'B'), 3)).toBe(true);
    // A read it at 3 too, and writes after B: refused, whether its seq is lower, equal or higher.
    expect(await a.replace(row(4, 'A'), 3)).toBe(false);
    expect(await a.replace(row(5, 'A'), 3)).toBe(false);
    expect(await a.replace(row(9, 'A'), 3)).toBe(false);
    expect((await a.getMany([key]))[0]).toMatchObject({ seq: 5, state: { by: 'B' }, modelVersion: 'bandit@5' });
    expect(await a.replace(row(9, 'A'), 5)).toBe(true);
    expect((await b.getMany([key]))[0]).toMatchObject({ seq: 9, state: { by: 'A' }, updatedAt: 9 });
    // No row where one was read: nothing written.
    expect(await a.replace({ ...row(2, 'A'), ...other }, 1)).toBe(false);
    expect(await b.getMany([other])).toEqual([]);
  });
});
