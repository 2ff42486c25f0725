import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommitTiming } from '../store.js';
import { openDatabase } from './database.js';
import { startWriter, type SqliteWriter } from './writer.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function open(path: string): { writer: SqliteWriter; timings: CommitTiming[]; read: () => unknown[]; close: () => Promise<void> } {
  const db = openDatabase(path);
  db.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)');
  const writer = startWriter(path, db);
  const timings: CommitTiming[] = [];
  writer.onCommit((t) => timings.push(t));
  return {
    writer,
    timings,
    read: () => db.prepare('SELECT k, v FROM t ORDER BY k').all(),
    close: async () => {
      await writer.close();
      db.close();
    },
  };
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
