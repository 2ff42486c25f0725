import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommitTiming } from '../store.js';
import { openDatabase } from './database.js';
import type { Durability } from '../durability.js';
import { startWriter, type SqliteWriter, type WriterOptions } from './writer.js';

const dirs: string[] = [];
/** Writers a test opened and did not close (it failed first): closed after it, so no thread outlives its test. */
const unclosed = new Set<() => Promise<void>>();
afterEach(async () => {
  for (const close of [...unclosed]) await close().catch(() => undefined);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function open(path: string, durability: Durability = 'fsync', options: WriterOptions = {}): { writer: SqliteWriter; timings: CommitTiming[]; read: () => unknown[]; close: () => Promise<void> } {
  const db = openDatabase(path);
  db.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)');
  const writer = startWriter(path, db, durability, options);
  const timings: CommitTiming[] = [];
  writer.onCommit((t) => timings.push(t));
  const close = async () => {
    unclosed.delete(close);
    await writer.close();
    db.close();
  };
  unclosed.add(close);
  return { writer, timings, read: () => db.prepare('SELECT k, v FROM t ORDER BY k').all(), close };
}

const insert = (k: string, v: number | null) => [{ sql: 'INSERT INTO t (k, v) VALUES (?, ?)', rows: [[k, v]] }];

describe.each([
  ['the writer thread (a file)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tact-writer-'));
    dirs.push(dir);
    return join(dir, 'w.db');
  }],
  ['the inline writer (in memory)', () => ':memory:'],
])('%s', (_name, path) => {
  it('answers each write of a group on its own — a failing write fails alone — and reports the group once, timed', async () => {
    const w = open(path());
    // Sent together: they travel in one transaction, each in its savepoint.
    const results = await Promise.allSettled([w.writer.run(insert('a', 1)), w.writer.run(insert('b', null)), w.writer.run(insert('c', 3))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/NOT NULL constraint failed: t\.v/);
    await w.writer.run(insert('d', 4));
    expect(w.read()).toEqual([{ k: 'a', v: 1 }, { k: 'c', v: 3 }, { k: 'd', v: 4 }]);
    // Every write is counted in exactly one reported transaction; each timing is a real duration.
    expect(w.timings.reduce((n, t) => n + t.writes, 0)).toBe(4);
    expect(w.timings.length).toBeGreaterThanOrEqual(2);
    for (const t of w.timings) {
      expect(t.writeMs).toBeGreaterThanOrEqual(0);
      expect(t.commitMs).toBeGreaterThan(0);
      expect(t.writeMs + t.commitMs).toBeLessThan(10_000);
    }
    await w.close();
  });

  it('still answers the writes when a commit listener throws', async () => {
    const w = open(path());
    w.writer.onCommit(() => {
      throw new Error('a broken listener');
    });
    await expect(w.writer.run(insert('a', 1))).resolves.toBeUndefined();
    expect(w.read()).toEqual([{ k: 'a', v: 1 }]);
    expect(w.timings).toHaveLength(1);
    await w.close();
  });
});

describe('the writer thread under fsync durability', () => {
  const file = () => {
    const dir = mkdtempSync(join(tmpdir(), 'tact-writer-'));
    dirs.push(dir);
    return join(dir, 'w.db');
  };

  it('answers a write only after a flush of the WAL that began after its commit; a large write commits while the disk flushes, small ones when it is done', async () => {
    const FLUSH = 1_000; // each flush of the WAL is held this long
    const w = open(file(), 'fsync', { flushDelayMs: FLUSH });
    await w.writer.run(insert('0', 0)); // the thread is up
    const answered: Record<string, number> = {};
    const keys = () => (w.read() as { k: string }[]).map((r) => r.k).filter((k) => k !== '0');
    const until = async (what: () => boolean) => {
      for (let i = 0; i < 400 && !what(); i++) await new Promise((r) => setTimeout(r, 5));
      expect(what()).toBe(true);
    };
    const t0 = performance.now();
    const a = w.writer.run(insert('a', 1)).then(() => (answered.a = performance.now() - t0));
    // While a's flush is held: a is committed (another connection reads it) but not answered.
    await until(() => keys().includes('a'));
    expect(answered.a).toBeUndefined();
    // A small write waits for the flush to end before it commits (it would wait for the next flush anyway).
    const b = w.writer.run(insert('b', 2)).then(() => (answered.b = performance.now() - t0));
    await new Promise((r) => setTimeout(r, 50));
    expect(keys()).toEqual(['a']);
    // A large one commits at once, with what waited: its statements run while the disk flushes.
    const rows = Array.from({ length: 300 }, (_, i) => [`c${String(i).padStart(3, '0')}`, i]);
    const c = w.writer.run([{ sql: 'INSERT INTO t (k, v) VALUES (?, ?)', rows }]).then(() => (answered.c = performance.now() - t0));
    await until(() => keys().length === 302);
    expect(answered.a).toBeUndefined();
    await Promise.all([a, b, c]);
    // a after one flush; b and c after the next, which covered both.
    expect(answered.a).toBeGreaterThanOrEqual(FLUSH - 5);
    expect(answered.b).toBeGreaterThanOrEqual(2 * FLUSH - 5);
    expect(answered.c).toBeGreaterThanOrEqual(2 * FLUSH - 5);
    expect(Math.abs(answered.c - answered.b)).toBeLessThan(FLUSH / 2);
    // The reported commit phase lasts until the flush: it is the durable commit.
    expect(Math.min(...w.timings.map((t) => t.commitMs))).toBeGreaterThanOrEqual(FLUSH - 5);
    await w.close();
  });

  it('closes only after the flush in progress answered its writes', async () => {
    const w = open(file(), 'fsync', { flushDelayMs: 150 });
    const a = w.writer.run(insert('a', 1));
    await new Promise((r) => setTimeout(r, 20));
    await w.close();
    await expect(a).resolves.toBeUndefined();
  });

  it('does not wait for a flush under os durability', async () => {
    const w = open(file(), 'os', { flushDelayMs: 5_000 });
    const t0 = performance.now();
    await w.writer.run(insert('a', 1));
    expect(performance.now() - t0).toBeLessThan(2_500);
    await w.close();
  });
});
