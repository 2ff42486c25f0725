import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { benchFeatures, messageJson, rng } from './events.js';
import { commitCounts, commitSummary } from './commit-histogram.js';
import { gcCounts, gcSummary } from './gc-pauses.js';
import { startServer } from './server-process.js';

const CLIENT = resolve(fileURLToPath(import.meta.url), '../load-client.js');

function runClients(port: number, clients: number, seconds: number, users: number, key: string, seed: number): Promise<{ acked: number; failed: number; elapsed: number; p50: number; p99: number; p99Ci: [number | null, number | null]; batches: number; cpuUs: number }> {
  return new Promise((res, rej) => {
    const p = spawn(process.execPath, [CLIENT, String(port), String(clients), String(seconds), String(users), key, String(seed)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => (out += String(d)));
    p.on('exit', (code) => (code === 0 ? res(JSON.parse(out.trim().split('\n').pop() as string)) : rej(new Error(`load client exited ${code}`))));
  });
}

/**
 * The ceiling: the same event rows appended straight into a fresh store of the same schema and
 * durability (WAL, fsync on every commit, WAL copied to the database file by the same background
 * checkpointer), 5,000 rows a transaction, by one process — no HTTP, no JSON parsing, no
 * validation, no identity resolution, no features, no profile states. Nothing Tact does per event
 * can go faster than this.
 */
async function rawCeiling(messages: number, users: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'tact-ceiling-'));
  const store = await openSqliteStore({ path: join(dir, 'tact.db'), owner: {} }); // as the server's: its copier copies the WAL
  const db = store.db;
  const ins = db.prepare('INSERT INTO events (seq, message_id, profile_id, type, event, ts, received_at, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const r = rng(7);
  const now = Date.now();
  const rows: [string, string, string][] = [];
  for (let i = 0; i < messages; i++) {
    const json = messageJson(r, i, users, 'ceiling', now);
    const u = /"userId":"user-(\d+)"/.exec(json)?.[1] as string;
    rows.push([`ceiling-${i}`, `profile-${u}`, json]);
  }
  let seq = 0;
  const tx = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) ins.run(++seq, rows[i][0], rows[i][1], 'track', 'Product Viewed', now, now, rows[i][2]);
  });
  const t = performance.now();
  for (let i = 0; i < rows.length; i += 5000) tx.immediate(i, Math.min(rows.length, i + 5000));
  const secs = (performance.now() - t) / 1000;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return messages / secs;
}

export async function ingestBench(args: string[]): Promise<Record<string, unknown>> {
  const quick = args.includes('--quick');
  const seconds = quick ? 12 : 60;
  // `--clients N`: how many keep-alive connections send batches at once (8 unless given).
  const clientsArg = args.indexOf('--clients');
  const clients = clientsArg >= 0 ? Number(args[clientsArg + 1]) : 8;
  if (!(Number.isInteger(clients) && clients > 0)) throw new Error('--clients must be a positive whole number');
  const users = 100_000;
  const server = await startServer({ config: { features: benchFeatures } });
  try {
    process.stdout.write(`ingest: ${clients} clients × 100-message batches for ${seconds}s against tact serve (SQLite, fsync on commit, ${benchFeatures.length} features)…\n`);
    await runClients(server.port, clients, 2, users, server.keys.write, 99); // warm-up
    const cpu0 = server.cpuMs();
    const base = `http://127.0.0.1:${server.port}`;
    const commits0 = await commitCounts(base);
    const gc0 = await gcCounts(base);
    const r = await runClients(server.port, clients, seconds, users, server.keys.write, 1);
    const cpu1 = server.cpuMs();
    const commits = commitSummary(commits0, await commitCounts(base));
    const gc = gcSummary(gc0, await gcCounts(base));
    // Server CPU per acknowledged event, µs: the main thread (HTTP, JSON, identity, features) and every thread.
    const cpuMainUs = ((cpu1.main - cpu0.main) * 1000) / r.acked;
    const cpuAllUs = ((cpu1.all - cpu0.all) * 1000) / r.acked;
    const rss = server.rssMb();
    await server.stop();
    const db = new Database(join(server.dataDir, 'tact.db'), { readonly: true });
    const stored = db.prepare('SELECT count(*) FROM events').pluck().get() as number;
    const stateBytes = Math.round(db.prepare('SELECT avg(length(state)) FROM profiles WHERE state IS NOT NULL').pluck().get() as number);
    db.close();
    const eventsPerS = r.acked / r.elapsed;
    process.stdout.write(`  acknowledged ${r.acked.toLocaleString()} events in ${r.elapsed.toFixed(1)}s (${r.failed} failed batches); ${stored.toLocaleString()} rows stored incl. warm-up\n`);
    process.stdout.write(`  ack latency p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms (95% CI [${r.p99Ci.map((x) => (x === null ? 'unbounded' : x.toFixed(1))).join(', ')}], ${r.batches.toLocaleString()} batches); server RSS ${rss.toFixed(0)} MB; mean profile state ${stateBytes} bytes\n`);
    process.stdout.write(`  the store's commits during the run (writer thread, /metrics; bucket bounds): ${commits.commits.toLocaleString()}, ${Math.round(r.acked / Math.max(1, commits.commits))} events each; the durable commit p50 ≤ ${commits.commitP50LeMs} ms, p99 ≤ ${commits.commitP99LeMs} ms, slowest ≤ ${commits.commitMaxLeMs} ms; its statements p99 ≤ ${commits.writeP99LeMs} ms\n`);
    process.stdout.write(`  server CPU per event: ${cpuMainUs.toFixed(1)} µs on the main thread, ${cpuAllUs.toFixed(1)} µs in all threads\n`);
    // The main thread's garbage-collection pauses (V8's helper threads' share of a young collection is not in them).
    const gcUs = (gc.totalMs * 1000) / r.acked;
    process.stdout.write(`  main thread stopped for garbage collection ${gcUs.toFixed(1)} µs per event: ${gc.minorCount} young collections, ${gc.minorCount ? (gc.minorMs / gc.minorCount).toFixed(1) : '0'} ms each on average (${((gc.totalMs / 1000 / r.elapsed) * 100).toFixed(1)}% of the run in all pauses)\n`);
    // The machine's budget: what the server and the load generator took of its cores, and the rate
    // both together would reach if every core were theirs and nothing else changed.
    const clientUs = r.cpuUs / r.acked;
    const cores = availableParallelism();
    const used = ((cpuAllUs + clientUs) * eventsPerS) / 1e6;
    const cpuBound = (cores * 1e6) / (cpuAllUs + clientUs);
    process.stdout.write(`  machine: the load generator ${clientUs.toFixed(1)} µs per event; server and load together ${used.toFixed(2)} of ${cores} cores; all ${cores} at this CPU per event: ${Math.round(cpuBound).toLocaleString()} events/s\n`);
    const ceilingN = Math.min(400_000, Math.max(100_000, r.acked));
    process.stdout.write(`  raw ceiling: ${ceilingN.toLocaleString()} of the same event rows appended straight into a fresh store…\n`);
    const ceiling = await rawCeiling(ceilingN, users);
    process.stdout.write(`  ceiling ${Math.round(ceiling).toLocaleString()} events/s; Tact ${Math.round(eventsPerS).toLocaleString()} events/s = ${(eventsPerS / ceiling).toFixed(3)} of it\n`);
    return { bench: 'ingest', events_per_s: Math.round(eventsPerS), raw_ceiling_per_s: Math.round(ceiling), ratio: Number((eventsPerS / ceiling).toFixed(3)), p99_ack_ms: Number(r.p99.toFixed(2)), p99_ack_ci_ms: r.p99Ci.map((x) => (x === null ? null : Number(x.toFixed(2)))), p50_ack_ms: Number(r.p50.toFixed(2)), rss_mb: Math.round(rss), commit_p99_le_ms: commits.commitP99LeMs, commit_max_le_ms: commits.commitMaxLeMs, main_thread_cpu_us_per_event: Number(cpuMainUs.toFixed(1)), cpu_us_per_event: Number(cpuAllUs.toFixed(1)), load_cpu_us_per_event: Number(clientUs.toFixed(1)), main_gc_us_per_event: Number(gcUs.toFixed(1)), young_gc_ms: Number((gc.minorCount ? gc.minorMs / gc.minorCount : 0).toFixed(1)), cpu_bound_events_per_s: Math.round(cpuBound), clients, seconds, failed_batches: r.failed, durability: process.env.TACT_DURABILITY || 'fsync' };
  } finally {
    await server.remove();
  }
}
