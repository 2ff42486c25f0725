import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { benchFeatures, messageJson, rng } from './events.js';
import { startServer } from './server-process.js';

const CLIENT = resolve(fileURLToPath(import.meta.url), '../load-client.js');

function runClients(port: number, clients: number, seconds: number, users: number, key: string, seed: number): Promise<{ acked: number; failed: number; elapsed: number; p50: number; p99: number; batches: number }> {
  return new Promise((res, rej) => {
    const p = spawn(process.execPath, [CLIENT, String(port), String(clients), String(seconds), String(users), key, String(seed)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => (out += String(d)));
    p.on('exit', (code) => (code === 0 ? res(JSON.parse(out.trim().split('\n').pop() as string)) : rej(new Error(`load client exited ${code}`))));
  });
}

/**
 * The ceiling: the same event rows, and one profile row per distinct user per transaction (as
 * the pipeline writes them), inserted straight into a fresh store of the same schema and
 * durability (WAL, fsync on commit) by one process, 5,000 rows a transaction. No HTTP, no JSON
 * parsing, no validation, no identity resolution, no features.
 */
async function rawCeiling(messages: number, users: number, stateBytes: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'tact-ceiling-'));
  const store = await openSqliteStore({ path: join(dir, 'tact.db') });
  await store.close();
  const db = new Database(join(dir, 'tact.db'));
  {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('cache_size = -131072');
    const ins = db.prepare('INSERT INTO events (message_id, profile_id, type, event, ts, received_at, body) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const up = db.prepare(`INSERT INTO profiles (id, version, created_at, updated_at, merged_into, state) VALUES (?, 1, ?, ?, NULL, ?)
      ON CONFLICT (id) DO UPDATE SET version = version + 1, updated_at = excluded.updated_at, state = excluded.state`);
    const r = rng(7);
    const now = Date.now();
    const rows: [string, string, string][] = [];
    for (let i = 0; i < messages; i++) {
      const json = messageJson(r, i, users, 'ceiling', now);
      const u = /"userId":"user-(\d+)"/.exec(json)?.[1] as string;
      rows.push([`ceiling-${i}`, `profile-${u}`, json]);
    }
    const state = 'x'.repeat(stateBytes);
    const tx = db.transaction((chunk: [string, string, string][]) => {
      const profiles = new Set<string>();
      for (const [id, profile, json] of chunk) {
        ins.run(id, profile, 'track', 'Product Viewed', now, now, json);
        profiles.add(profile);
      }
      for (const p of profiles) up.run(p, now, now, state);
    });
    const t = performance.now();
    for (let i = 0; i < rows.length; i += 5000) tx.immediate(rows.slice(i, i + 5000));
    const secs = (performance.now() - t) / 1000;
    db.close();
    return messages / secs;
  }
}

export async function ingestBench(args: string[]): Promise<Record<string, unknown>> {
  const quick = args.includes('--quick');
  const seconds = quick ? 12 : 60;
  const clients = 8;
  const users = 100_000;
  const server = await startServer({ config: { features: benchFeatures } });
  try {
    process.stdout.write(`ingest: ${clients} clients × 100-message batches for ${seconds}s against tact serve (SQLite, fsync on commit, ${benchFeatures.length} features)…\n`);
    await runClients(server.port, clients, 2, users, server.keys.write, 99); // warm-up
    const r = await runClients(server.port, clients, seconds, users, server.keys.write, 1);
    const rss = server.rssMb();
    await server.stop();
    const db = new Database(join(server.dataDir, 'tact.db'), { readonly: true });
    const stored = db.prepare('SELECT count(*) FROM events').pluck().get() as number;
    const stateBytes = Math.round(db.prepare('SELECT avg(length(state)) FROM profiles WHERE state IS NOT NULL').pluck().get() as number);
    db.close();
    const eventsPerS = r.acked / r.elapsed;
    process.stdout.write(`  acknowledged ${r.acked.toLocaleString()} events in ${r.elapsed.toFixed(1)}s (${r.failed} failed batches); ${stored.toLocaleString()} rows stored incl. warm-up\n`);
    process.stdout.write(`  ack latency p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms; server RSS ${rss.toFixed(0)} MB; mean profile state ${stateBytes} bytes\n`);
    const ceilingN = Math.min(400_000, Math.max(100_000, r.acked));
    process.stdout.write(`  raw ceiling: ${ceilingN.toLocaleString()} of the same rows straight into a fresh store…\n`);
    const ceiling = await rawCeiling(ceilingN, users, stateBytes);
    process.stdout.write(`  ceiling ${Math.round(ceiling).toLocaleString()} events/s; Tact ${Math.round(eventsPerS).toLocaleString()} events/s = ${(eventsPerS / ceiling).toFixed(3)} of it\n`);
    return { bench: 'ingest', events_per_s: Math.round(eventsPerS), raw_ceiling_per_s: Math.round(ceiling), ratio: Number((eventsPerS / ceiling).toFixed(3)), p99_ack_ms: Number(r.p99.toFixed(2)), p50_ack_ms: Number(r.p50.toFixed(2)), rss_mb: Math.round(rss), clients, seconds, failed_batches: r.failed };
  } finally {
    await server.stop();
  }
}
