import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import * as zlib from 'node:zlib';
import type { Db } from './database.js';
import { type Durability, sqliteSynchronous } from '../durability.js';
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
   * each with a BLOB of the format byte and the text deflated against its dictionary.
   */
  compress?: number[];
}

/**
 * The embedded store's single writer. Every write goes through it as a list of statements that
 * commit together; writes queued while a commit is running are folded into the next transaction
 * (group commit, each in its own savepoint so one failing write does not fail the others), and
 * each promise resolves only after its transaction committed (with fsync under the default durability). A write with a `chain`
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
      for (const c of op.compress) if (typeof row[c] === 'string') row[c] = encode(row[c]);
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
    return { results, writeMs: t1 - t0, commitMs: t2 - t1 };
  }
  return { runGroup };
}
`;

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = ' + workerData.synchronous);
db.pragma('busy_timeout = 10000');
db.pragma('wal_autocheckpoint = 0');
db.pragma('cache_size = -131072');
${CORE}
const core = makeCore(db, require('node:zlib'), workerData.format, Buffer.from(workerData.dictionary));
let queue = [];
let scheduled = false;
function flush() {
  scheduled = false;
  const group = queue; queue = [];
  const r = core.runGroup(group);
  // One answer for the whole group: the ids in order, the errors (null for none) and the timing.
  parentPort.postMessage({ ids: group.map((w) => w.id), errors: r.results, writeMs: r.writeMs, commitMs: r.commitMs });
}
parentPort.on('message', (m) => {
  if (m === 'close') { if (queue.length) flush(); db.close(); parentPort.close(); return; }
  queue.push(m);
  if (!scheduled) { scheduled = true; setImmediate(flush); }
});
`;

type Waiter = { resolve: () => void; reject: (e: Error) => void };

/** The worker's answer for one transaction: the writes' ids in order, an error or null each, the timing. */
interface GroupAnswer {
  ids: number[];
  errors: (string | null)[];
  writeMs: number;
  commitMs: number;
}

/** Writes through a worker thread with its own connection (file databases). */
class ThreadWriter implements SqliteWriter {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, Waiter>();
  private readonly timings = new CommitListeners();
  private next = 1;

  constructor(file: string, durability: Durability) {
    const dictionary = bodyDictionary(BODY_FORMAT);
    this.worker = new Worker(WORKER, { eval: true, workerData: { file, driver: require.resolve('better-sqlite3'), format: BODY_FORMAT, dictionary, synchronous: sqliteSynchronous(durability) } });
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
      this.timings.emit({ writes: m.ids.length, writeMs: m.writeMs, commitMs: m.commitMs });
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
  private readonly core: { runGroup: (g: { ops?: WriteOp[]; chain?: string; reset?: string }[]) => { results: (string | null)[]; writeMs: number; commitMs: number } };
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
          const { results, writeMs, commitMs } = this.core.runGroup(group.map((g) => g.w));
          group.forEach((g, i) => (results[i] ? g.waiter.reject(new Error(results[i] as string)) : g.waiter.resolve()));
          this.timings.emit({ writes: group.length, writeMs, commitMs });
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

/** The writer for a database: a thread for a file, inline for ":memory:". */
export function startWriter(path: string, db: Db, durability: Durability = 'fsync'): SqliteWriter {
  return path === ':memory:' ? new InlineWriter(db) : new ThreadWriter(path, durability);
}
