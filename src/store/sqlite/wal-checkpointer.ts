import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const require = createRequire(import.meta.url);

// Plain JavaScript, so the worker runs the same from the sources (tests) and from dist/.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 10000');
// NORMAL (not OFF): the copy flushes the WAL before it and the database file after it, so the WAL
// may be rewound only over frames that are on the disk in the database.
db.pragma('synchronous = NORMAL');
let timer;
const tick = () => {
  try {
    const t0 = Date.now();
    let [r] = db.pragma('wal_checkpoint(PASSIVE)');
    const t1 = Date.now();
    // Under steady writes a passive copy never catches up with the last frame at the moment a
    // writer starts, so the WAL is never rewound and grows without end (every commit then extends
    // the file). Past restartFrames, a RESTART copy waits for a gap between commits, copies the
    // few frames left and lets the next commit rewind the WAL to its start.
    const log0 = r.log;
    if (r.log >= workerData.restartFrames) [r] = db.pragma('wal_checkpoint(RESTART)');
    if (workerData.trace && Date.now() - t0 > 50) require('node:fs').appendFileSync(workerData.trace, 'checkpoint ' + new Date().toISOString() + ' passive ' + (t1 - t0) + ' ms, restart ' + (Date.now() - t1) + ' ms, log ' + log0 + ' frames\\n');
    parentPort.postMessage({ log: r.log, checkpointed: r.checkpointed });
  } catch (e) {
    parentPort.postMessage({ error: String(e && e.message || e) });
  }
  timer = setTimeout(tick, workerData.intervalMs);
};
timer = setTimeout(tick, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m === 'close') {
    clearTimeout(timer);
    try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
    db.close();
    parentPort.close();
  }
});
`;

/**
 * Copies committed WAL frames into the database file from a worker thread with its own
 * connection, so the writer's commits only append to the WAL and fsync it. (SQLite's automatic
 * checkpoint would run that copy, and its fsync, inside the writer's COMMIT.) Once the WAL holds
 * `restartFrames` frames (16,384 × 4 KB = 64 MB), a RESTART checkpoint lets it rewind.
 */
export class WalCheckpointer {
  private readonly worker: Worker;
  /** WAL frames waiting at the last checkpoint (for /health and logs). */
  lastBacklog = 0;

  constructor(file: string, intervalMs = 100, restartFrames = 16_384) {
    this.worker = new Worker(WORKER, { eval: true, workerData: { file, intervalMs, restartFrames, driver: require.resolve('better-sqlite3'), trace: process.env.TACT_TRACE_CHECKPOINT } });
    this.worker.unref();
    this.worker.on('message', (m: { log?: number; checkpointed?: number }) => {
      if (m.log !== undefined) this.lastBacklog = m.log - (m.checkpointed ?? 0);
    });
    // A copier that died (it should not) is reported, and close() does not wait for it.
    this.worker.on('error', (e) => process.emitWarning(`The WAL copier stopped: ${e.message}; the WAL will grow until the next start.`));
    this.worker.on('exit', () => (this.exited = true));
  }

  private exited = false;

  async close(): Promise<void> {
    if (this.exited) return;
    const done = new Promise<void>((r) => this.worker.once('exit', () => r()));
    this.worker.ref();
    this.worker.postMessage('close');
    await done;
  }
}
