import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import * as zlib from 'node:zlib';
import type { Db } from './database.js';
import type { Durability } from '../durability.js';
import { BODY_FORMAT, bodyDictionary } from './decision-body.js';
import type { CommitTiming } from '../store.js';
import { CommitListeners } from '../commit-listeners.js';

const require = createRequire(import.meta.url);

/** One statement and the parameter rows to run it with, in order. */
export interface WriteOp {
  sql: string;
  rows: unknown[][];
  /**
   * Parameter positions holding text to store compressed (decision-body.ts): the writer replaces
   * each with a BLOB of the format byte and the text deflated against its dictionary. A position
   * may hold a JSON value instead of its text: the writer thread serialises it (JSON.stringify)
   * before it compresses, so the event loop neither builds the text nor copies it to the thread —
   * the value crosses as the structured clone postMessage makes of it, outside the JavaScript heap.
   */
  compress?: number[];
}

/**
 * The embedded store's single writer. Every write goes through it as a list of statements that
 * commit together; writes queued while a commit is running are folded into the next transaction
 * (group commit, each in its own savepoint so one failing write does not fail the others), and
 * each promise resolves only after its transaction committed — under the default durability, and
 * after a flush of the WAL to the disk that began after its COMMIT: the thread flushes the WAL
 * itself, asynchronously, so the next transaction's statements run while the disk works and one
 * flush covers every transaction before it. A write with a `chain`
 * whose earlier write failed is refused until the chain is reset — a batch is never stored on top
 * of a batch that was not.
 */
export interface SqliteWriter {
  run(ops: WriteOp[], chain?: string): Promise<void>;
  /** Calls `listener` after every transaction with how long its statements and its commit took. */
  onCommit(listener: (t: CommitTiming) => void): void;
  /** Accepts writes on a chain again (after the caller recovered from a failure). */
  reset(chain: string): Promise<void>;
  close(): Promise<void>;
}

/** The logic shared by the thread and the inline writer (plain JavaScript: it also runs in the worker). */
const CORE = `
function makeCore(db, zlib, format, dictionary) {
  const cache = new Map();
  const encode = (text) => {
    const z = zlib.deflateRawSync(Buffer.from(text, 'utf8'), { level: 1, dictionary });
    const out = Buffer.allocUnsafe(z.length + 1);
    out[0] = format;
    z.copy(out, 1);
    return out;
  };
  const run = (op) => {
    const s = stmt(op.sql);
    if (!op.compress) { for (const r of op.rows) s.run(...r); return; }
    for (const r of op.rows) {
      const row = r.slice();
      for (const c of op.compress) {
        if (typeof row[c] === 'string') row[c] = encode(row[c]);
        else if (row[c] !== null && typeof row[c] === 'object') row[c] = encode(JSON.stringify(row[c]));
      }
      s.run(...row);
    }
  };
  const failed = new Set();
  const stmt = (sql) => {
    let s = cache.get(sql);
    if (!s) { s = db.prepare(sql); cache.set(sql, s); }
    return s;
  };
  // Runs a group of writes in one transaction.
  // Returns an error message (or null) per write, and the time of the statements and of the COMMIT.
  function runGroup(group) {
    const results = new Array(group.length).fill(null);
    const t0 = performance.now();
    let t1 = t0;
    try {
      db.exec('BEGIN IMMEDIATE');
      group.forEach((w, i) => {
        if (w.reset) { failed.delete(w.reset); return; }
        if (w.chain && failed.has(w.chain)) { results[i] = 'an earlier write of this chain failed'; return; }
        db.exec('SAVEPOINT w');
        try {
          for (const op of w.ops) run(op);
          db.exec('RELEASE w');
        } catch (e) {
          // SQLite rolled the whole transaction back (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM): every
          // write of the group failed with it, told by its own message (until 2026-12-05 the
          // ROLLBACK TO below failed, and each write was told "no such savepoint: w").
          if (!db.inTransaction) throw e;
          db.exec('ROLLBACK TO w'); db.exec('RELEASE w');
          results[i] = String((e && e.message) || e);
          if (w.chain) failed.add(w.chain);
        }
      });
      t1 = performance.now();
      db.exec('COMMIT');
    } catch (e) {
      try { db.exec('ROLLBACK'); } catch {}
      const msg = String((e && e.message) || e);
      group.forEach((w, i) => { if (!results[i]) results[i] = msg; if (w.chain) failed.add(w.chain); });
    }
    const t2 = performance.now();
    // The writes that ran statements: an empty one (the /health probe, a chain's reset) is no commit to time.
    const written = group.filter((w) => w.ops && w.ops.length > 0).length;
    return { results, written, writeMs: t1 - t0, commitMs: t2 - t1, commitStart: t1 };
  }
  return { runGroup };
}
`;

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL'); // in WAL mode: no flush in COMMIT (the thread flushes under fsync durability, below)
db.pragma('busy_timeout = 10000');
db.pragma(workerData.autoCheckpoint ? 'wal_autocheckpoint = 1000' : 'wal_autocheckpoint = 0');
// A small page cache (16 MB), on purpose. When a B-tree page splits, SQLite orders the new
// siblings by page number, swapping two through the locking page's number (page 262,145 at 4 KB
// pages) as a spare; the page cache then remembers that number as its largest, and the end of
// the transaction, which drops cached pages beyond the end of the database, scans its whole hash
// table while the database is smaller than 1 GiB. With a 128-MB cache (≈ 32,000 pages) that scan
// took ≈ 1 ms, in ≈ 8% of the decision log's commits; with 16 MB, 0.07 ms (docs/benchmarks.md,
// 2026-12-05: the writer's page cache).
db.pragma('cache_size = -16384');
${CORE}
const core = makeCore(db, require('node:zlib'), workerData.format, Buffer.from(workerData.dictionary));
let queue = [];
let scheduled = false;
// Under fsync durability the connection commits with synchronous=NORMAL (the WAL written, not
// flushed) and the thread flushes the WAL itself, off the thread (fs.fdatasync in libuv's pool),
// answering each transaction only after a flush that began after its COMMIT returned. The next
// transaction runs while the disk flushes, and one flush covers every transaction before it.
const fs = require('node:fs');
const walPath = workerData.file + '-wal';
let wal = null; // { fd, ino }
let flushing = false;
let unflushed = []; // answers committed since the flush in progress began
let closing = false;
// After a failed flush the disk may have dropped what it was given (Linux marks the pages clean),
// so nothing more is written: every later write fails with this, until the process restarts and
// SQLite recovers from what the disk holds.
let broken = null;
function walFd() {
  const ino = fs.statSync(walPath).ino;
  if (wal && wal.ino !== ino) { fs.closeSync(wal.fd); wal = null; }
  if (!wal) wal = { fd: fs.openSync(walPath, 'r+'), ino };
  return wal.fd;
}
function startFlush(here) {
  flushing = true;
  const answers = unflushed; unflushed = [];
  let fd;
  // No WAL file: nothing was written to flush (a transaction that changed nothing; WAL mode keeps
  // the file while any connection is open).
  try { fd = walFd(); } catch (e) { flushed(e && e.code === 'ENOENT' ? null : e); return; }
  if (here) {
    let err = null;
    try { fs.fdatasyncSync(fd); } catch (e) { err = e; }
    flushed(err);
  } else if (workerData.flushDelayMs) setTimeout(() => fs.fdatasync(fd, flushed), workerData.flushDelayMs);
  else fs.fdatasync(fd, flushed);
  function flushed(err) {
    if (err && !broken) broken = 'the store stopped writing: a flush of its log to the disk failed (' + err.message + '); restart the server';
    for (const a of answers) {
      if (err) a.errors = a.errors.map(() => 'the write was committed but the disk did not confirm it (' + err.message + '), so it is not acknowledged');
      // The commit phase lasts until the transaction is durable: from its COMMIT to the flush's end.
      a.commitMs = performance.now() - a.commitStart;
      a.commitStart = undefined;
      parentPort.postMessage(a);
    }
    flushing = false;
    if (here) return; // the writes sent meanwhile are read after this, with no flush in progress
    commitQueued(); // what waited for this flush to end (it starts the next flush)
    if (!flushing && unflushed.length) startFlush(false);
    if (!flushing && closing) finishClose();
  }
}
// Writes that arrive during a flush wait for the next one whenever they commit, and every commit
// adds its pages to the WAL again: so they are committed together when the flush ends, unless
// they hold enough rows that running their statements meanwhile saves more than it costs. For the
// same reason a small transaction is flushed on this thread, at once (a hand-off to libuv's pool
// and back costs more than it could overlap), a large one in the pool.
const OVERLAP_ROWS = 256;
let queuedRows = 0;
function commitQueued() {
  scheduled = false;
  if (queue.length === 0) return;
  const group = queue; const rows = queuedRows; queue = []; queuedRows = 0;
  if (broken) { parentPort.postMessage({ ids: group.map((w) => w.id), errors: group.map(() => broken), writes: 0, writeMs: 0, commitMs: 0 }); return; }
  const r = core.runGroup(group);
  // One answer for the whole group: the ids in order, the errors (null for none) and the timing.
  const answer = { ids: group.map((w) => w.id), errors: r.results, writes: r.written, writeMs: r.writeMs, commitMs: r.commitMs, commitStart: r.commitStart };
  if (!workerData.flushWal) { parentPort.postMessage(answer); return; }
  unflushed.push(answer);
  if (!flushing) startFlush(rows < OVERLAP_ROWS && !workerData.flushDelayMs);
}
function finishClose() { db.close(); if (wal) fs.closeSync(wal.fd); parentPort.close(); }
parentPort.on('message', (m) => {
  if (m === 'close') { commitQueued(); closing = true; if (!flushing) finishClose(); return; }
  queue.push(m);
  if (m.ops) for (const op of m.ops) queuedRows += op.rows.length;
  if (!scheduled && (!flushing || queuedRows >= OVERLAP_ROWS)) { scheduled = true; setImmediate(commitQueued); }
});
`;

type Waiter = { resolve: () => void; reject: (e: Error) => void };

/** The worker's answer for one transaction: the writes' ids in order, an error or null each, those that ran statements, the timing. */
interface GroupAnswer {
  ids: number[];
  errors: (string | null)[];
  writes: number;
  writeMs: number;
  commitMs: number;
}

/** Writes through a worker thread with its own connection (file databases). */
class ThreadWriter implements SqliteWriter {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, Waiter>();
  private readonly timings = new CommitListeners();
  private next = 1;

  constructor(file: string, durability: Durability, options: WriterOptions) {
    const dictionary = bodyDictionary(BODY_FORMAT);
    this.worker = new Worker(WORKER, { eval: true, workerData: { file, driver: require.resolve('better-sqlite3'), format: BODY_FORMAT, dictionary, flushWal: durability === 'fsync', flushDelayMs: options.flushDelayMs ?? 0, autoCheckpoint: options.autoCheckpoint ?? false } });
    this.worker.unref();
    this.worker.on('message', (m: GroupAnswer) => {
      for (let i = 0; i < m.ids.length; i++) {
        const w = this.waiting.get(m.ids[i] as number);
        if (!w) continue;
        this.waiting.delete(m.ids[i] as number);
        const error = m.errors[i];
        if (error) w.reject(new Error(error));
        else w.resolve();
      }
      if (this.waiting.size === 0) this.worker.unref();
      this.timings.emit({ writes: m.writes, writeMs: m.writeMs, commitMs: m.commitMs });
    });
    this.worker.on('error', (err) => {
      for (const w of this.waiting.values()) w.reject(err);
      this.waiting.clear();
    });
  }

  private send(msg: object): Promise<void> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ id, ...msg });
    });
  }

  run(ops: WriteOp[], chain?: string): Promise<void> {
    return this.send({ ops, chain });
  }

  onCommit(listener: (t: CommitTiming) => void): void {
    this.timings.add(listener);
  }

  reset(chain: string): Promise<void> {
    return this.send({ ops: [], reset: chain });
  }

  async close(): Promise<void> {
    const done = new Promise<void>((r) => this.worker.once('exit', () => r()));
    this.worker.ref();
    this.worker.postMessage('close');
    await done;
  }
}

/** Writes on the caller's own connection (in-memory databases in tests): same semantics, same thread. */
class InlineWriter implements SqliteWriter {
  private readonly core: { runGroup: (g: { ops?: WriteOp[]; chain?: string; reset?: string }[]) => { results: (string | null)[]; written: number; writeMs: number; commitMs: number } };
  private readonly timings = new CommitListeners();
  private queue: { w: { ops?: WriteOp[]; chain?: string; reset?: string }; waiter: Waiter }[] = [];
  private scheduled = false;

  constructor(db: Db) {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    this.core = new Function('db', 'zlib', 'format', 'dictionary', `${CORE}; return makeCore(db, zlib, format, dictionary);`)(db, zlib, BODY_FORMAT, bodyDictionary(BODY_FORMAT));
  }

  private push(w: { ops?: WriteOp[]; chain?: string; reset?: string }): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ w, waiter: { resolve, reject } });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          const group = this.queue;
          this.queue = [];
          const { results, written, writeMs, commitMs } = this.core.runGroup(group.map((g) => g.w));
          group.forEach((g, i) => (results[i] ? g.waiter.reject(new Error(results[i] as string)) : g.waiter.resolve()));
          this.timings.emit({ writes: written, writeMs, commitMs });
        });
      }
    });
  }

  run(ops: WriteOp[], chain?: string): Promise<void> {
    return this.push({ ops, chain });
  }

  onCommit(listener: (t: CommitTiming) => void): void {
    this.timings.add(listener);
  }

  reset(chain: string): Promise<void> {
    return this.push({ ops: [], reset: chain });
  }

  async close(): Promise<void> {}
}

/** How a writer thread runs. */
export interface WriterOptions {
  /** Waits this long before each WAL flush (tests: to see what happens while one is in progress). */
  flushDelayMs?: number;
  /**
   * Let SQLite copy the WAL into the database file itself, passively, every 1,000 pages (its
   * default): for a store that runs no copier of its own (one opened beside the server, or alone
   * for a long `tact train`), so its WAL cannot grow without bound. A passive copy never waits for
   * other connections. Off by default: the serving store's copier thread does it.
   */
  autoCheckpoint?: boolean;
}

/** The writer for a database: a thread for a file, inline for ":memory:". */
export function startWriter(path: string, db: Db, durability: Durability = 'fsync', options: WriterOptions = {}): SqliteWriter {
  return path === ':memory:' ? new InlineWriter(db) : new ThreadWriter(path, durability, options);
}
