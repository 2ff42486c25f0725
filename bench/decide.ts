import { spawn } from 'node:child_process';
import inspector from 'node:inspector';
import Database from 'better-sqlite3';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { decisionView } from '../src/decide/view.js';
import { Tact } from '../src/server/tact.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { decideBenchConfig } from './decide-config.js';
import { profileMessages, sendAll } from './decide-data.js';
import { rng } from './events.js';
import { commitCounts, commitSummary } from './commit-histogram.js';
import { gcCounts, gcSummary } from './gc-pauses.js';
import { fsyncFloor, pacedFsyncFloor } from './disk-floor.js';
import { intervalJson, quantileInterval } from './quantile-interval.js';
import { RawHttpPool, rawRequest, type RawResponse } from './raw-http.js';
import { startServer } from './server-process.js';

const LOAD = resolve(fileURLToPath(import.meta.url), '../decide-load.js');
const USERS = 100_000;
/** What the load process measured; `p99Ci` the p99's 95% interval from the answers' order statistics (null: no sample bounds it). */
type Load = { sent: number; ok: number; failed: number; elapsed: number; rate: number; p50: number; p99: number; p99Ci: [number | null, number | null]; max: number; cpuMsPerRequest: number };

function load(port: number, rate: number, seconds: number, key: string, path: string, seed: number): Promise<Load> {
  return new Promise((res, rej) => {
    const p = spawn(process.execPath, [LOAD, String(port), String(rate), String(seconds), String(USERS), key, path, String(seed)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => (out += String(d)));
    p.on('exit', (code) => (code === 0 ? res(JSON.parse(out.trim().split('\n').pop() as string)) : rej(new Error(`decide load exited ${code}`))));
  });
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0;
};
const f2 = (x: number) => Number(x.toFixed(2));
/** "(95% CI [4.90, 6.12])" of a p99 from its order statistics; "unbounded" where the sample is too small to bound it. */
const ciText = (ci: [number | null, number | null]) => `(95% CI [${ci[0] === null ? 'unbounded' : ci[0].toFixed(2)}, ${ci[1] === null ? 'unbounded' : ci[1].toFixed(2)}])`;

/**
 * Waits for the steady state after the bulk load: the event-log consumers (outcome mapping) have
 * caught up, the checkpoint has written the 100,000 changed profile states to their rows, and the
 * states have gone cold (one checkpoint period later).
 */
async function settle(base: string): Promise<void> {
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline) {
    const text = await (await fetch(`${base}/metrics`)).text();
    const lags = [...text.matchAll(/^tact_consumer_lag_events\{[^}]*\} (\d+)/gm)].map((m) => Number(m[1]));
    const unwritten = Number(/^tact_profiles_unwritten (\d+)/m.exec(text)?.[1] ?? 0);
    // And until the states the load wrote have gone cold (held as text, parsed on every read), as
    // in a server whose profiles no event has changed for a while: the decisions' worst case.
    const warm = Number(/^tact_profiles_warm (\d+)/m.exec(text)?.[1] ?? 0);
    if (lags.every((l) => l === 0) && unwritten === 0 && warm === 0) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('the consumers and the checkpoint did not catch up within 5 minutes');
}

/**
 * Freshness, as issue 3 frames it: the subject is offered a product; they buy it; from the
 * moment the purchase is acknowledged, how long until a decision answers without that offer?
 * Measured conservatively: from the ack to the *answer* of the first decision that excludes it
 * (so it includes that decision's own durable log write). Also returned: from the ack to the
 * moment that decision was made (its `at`), i.e. how stale a decision can be.
 */
async function freshness(port: number, keys: { write: string; server: string }, samples: number): Promise<{ answered: number[]; decided: number[] }> {
  const r = rng(5);
  const answered: number[] = [];
  const decided: number[] = [];
  const write = `Basic ${Buffer.from(`${keys.write}:`).toString('base64')}`;
  // One keep-alive connection of the load generators' client: undici's fetch spends a millisecond
  // or more of this process's CPU per request, on the cores the server runs on, and it would be
  // timed with each answer.
  const pool = new RawHttpPool(port, 1, true);
  const send = (path: string, authorization: string, body: object) =>
    new Promise<RawResponse>((res, rej) => pool.request(rawRequest('POST', path, { authorization }, JSON.stringify(body)), (err, out) => (err || !out ? rej(err ?? new Error('no answer')) : res(out))));
  const decide = async (user: string) => {
    const res = await send('/v1/decide', `Bearer ${keys.server}`, { subject: user, placement: 'home' });
    if (res.status !== 200) throw new Error(`freshness: a decision failed (HTTP ${res.status}): ${res.body?.toString()}`);
    return JSON.parse(res.body?.toString() ?? '{}') as { at: string; choices: { action?: string }[] };
  };
  try {
    while (answered.length < samples) {
      const user = `user-${Math.floor(r() * USERS)}`;
      const offer = (await decide(user)).choices[0]?.action;
      if (!offer) continue;
      const sku = `sku-${Number(offer.slice('offer-'.length)) * 20}`;
      const ack = await send('/v1/track', write, { userId: user, event: 'Order Completed', properties: { revenue: 20, products: [{ product_id: sku }] } });
      if (ack.status !== 200) throw new Error(`freshness: the event was not acknowledged (HTTP ${ack.status})`);
      const t0 = performance.now();
      const wall0 = Date.now();
      for (let tries = 0; ; tries++) {
        const d = await decide(user);
        if (!d.choices.some((c) => c.action === offer)) {
          answered.push(performance.now() - t0);
          decided.push(Math.max(0, Date.parse(d.at) - wall0));
          break;
        }
        if (tries > 1000) throw new Error('freshness: the purchase never showed in a decision');
      }
    }
  } finally {
    pool.close();
  }
  return { answered, decided };
}

/** The decision log's size: records and mean stored body bytes (read-only, after the server stopped). */
function logSize(dataDir: string): { decisions: number; bodyBytes: number } {
  const db = new Database(join(dataDir, 'tact.db'), { readonly: true });
  try {
    const r = db.prepare('SELECT count(*) AS n, avg(length(body)) AS b FROM decisions').get() as { n: number; b: number | null };
    return { decisions: r.n, bodyBytes: r.b ?? 0 };
  } finally {
    db.close();
  }
}

/** The decision pipeline called in the process that owns the store: no HTTP, explanation and record built. */
async function inProcess(dataDir: string, n: number): Promise<{ prepare: number[]; durable: number[]; allocKb: number }> {
  const store = await openSqliteStore({ path: join(dataDir, 'tact.db'), owner: {} }); // the server has stopped: this process serves the store
  const tact = await Tact.create({ store, logger: pino({ level: 'silent' }), background: false });
  const r = rng(9);
  const req = () => ({ subject: `user-${Math.floor(r() * USERS)}`, placement: 'home', context: { page: 'home' } });
  // Warm-up: profile states read back from their rows into memory (the server had them there), then the JIT.
  for (let u = 0; u < USERS; u++) await store.profiles.getProfile((await store.profiles.findProfileId('userId', `user-${u}`)) ?? '');
  for (let i = 0; i < Math.min(n, 5000); i++) await tact.decide.decider.prepare(req());
  const prepare: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await tact.decide.decider.prepare(req());
    prepare.push(performance.now() - t);
  }
  const durable: number[] = [];
  for (let i = 0; i < Math.min(n / 2, 3000); i++) {
    const t = performance.now();
    await tact.decide.decider.decide(req());
    durable.push(performance.now() - t);
  }
  const one = async () => JSON.stringify(decisionView(await tact.decide.decider.decide(req()), { full: false, public: false, level: tact.decide.playbook().policy.estimates.level }));
  const allocKb = await allocatedPerDecision(one, Math.min(n / 5, 2000));
  // TACT_BENCH_SURVIVE_TOP=N: the N functions whose allocations are still alive after a full
  // collection that follows the decisions (what the young collections copy and promote), on stderr.
  const survive = Number(process.env.TACT_BENCH_SURVIVE_TOP ?? 0);
  if (survive > 0) await survivingPerDecision(one, Math.min(n / 5, 2000), survive);
  await tact.close();
  await store.close();
  return { prepare, durable, allocKb };
}

/**
 * KB allocated on the JavaScript heap per call, the objects already freed included (V8's sampling
 * heap profiler, one sample per 4 KB on average): how often the young generation fills, and so how
 * often every request in flight pauses for a collection.
 */
async function allocatedPerDecision(one: () => Promise<unknown>, n: number): Promise<number> {
  const profile = await sampled(one, n, true);
  // TACT_BENCH_ALLOC_TOP=N: the N functions that allocate most per decision (their own allocations), on stderr.
  const top = Number(process.env.TACT_BENCH_ALLOC_TOP ?? 0);
  if (top > 0) process.stderr.write(`allocation per decision by function (KB, own allocations):\n${topFunctions(profile, n, top)}\n`);
  return total(profile) / n / 1024;
}

/** KB per call still alive after a full collection that follows `n` calls, printed by function (`top` of them). */
async function survivingPerDecision(one: () => Promise<unknown>, n: number, top: number): Promise<void> {
  const profile = await sampled(one, n, false);
  process.stderr.write(`alive after a full collection, per decision: ${(total(profile) / n / 1024).toFixed(2)} KB; by function (KB, own allocations):\n${topFunctions(profile, n, top)}\n`);
}

/**
 * V8's sampling heap profile of `n` calls (one sample per 4 KB on average): with `freed`, every
 * allocation, those the collector already freed included; without, only what is alive after a full
 * collection made at the end.
 */
async function sampled(one: () => Promise<unknown>, n: number, freed: boolean): Promise<SampledNode> {
  const session = new inspector.Session();
  session.connect();
  const post = <T>(method: string, params?: object) => new Promise<T>((res, rej) => session.post(method, params, (e, r) => (e ? rej(e) : res(r as T))));
  await post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMinorGC: freed, includeObjectsCollectedByMajorGC: freed });
  for (let i = 0; i < n; i++) await one();
  if (!freed) await post('HeapProfiler.collectGarbage');
  const { profile } = await post<{ profile: { head: SampledNode } }>('HeapProfiler.stopSampling');
  session.disconnect();
  return profile.head;
}

const total = (x: SampledNode): number => x.selfSize + x.children.reduce((a, c) => a + total(c), 0);

/** The `top` functions by their own sampled bytes, per call (KB), one line each. */
function topFunctions(head: SampledNode, n: number, top: number): string {
  const by = new Map<string, number>();
  const name = (f: SampledNode['callFrame']) => (f ? `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(dist|node_modules)\//, '$1/')}:${f.lineNumber + 1}` : '(root)');
  // A built-in (Map's set, Array's splice: no script of its own) is named with its caller.
  const walk = (x: SampledNode, caller: string): void => {
    const own = name(x.callFrame);
    const key = x.callFrame && !x.callFrame.url ? `${own} ← ${caller}` : own;
    by.set(key, (by.get(key) ?? 0) + x.selfSize);
    for (const c of x.children) walk(c, own);
  };
  walk(head, '(root)');
  return [...by].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, v]) => `  ${(v / n / 1024).toFixed(2).padStart(6)}  ${k}`).join('\n');
}

interface SampledNode {
  selfSize: number;
  callFrame?: { functionName: string; url: string; lineNumber: number };
  children: SampledNode[];
}

/**
 * The decide benchmark: 100,000 profiles with real features, 100 candidate actions at one
 * placement, explanations and the durable log on. HTTP p50/p99 at a fixed 1,000 decisions/s and
 * the floor (a no-op route, same key check, same rate); event-ack-to-visible-in-decision p99;
 * in-process p99 of the pipeline.
 *
 * @example
 * const figures = await decideBench(['--quick']); // { bench: 'decide', http_p99_ms: …, … }
 */
export async function decideBench(args: string[]): Promise<Record<string, unknown>> {
  const quick = args.includes('--quick');
  // `--seconds N` runs each timed phase longer than the default 60 s (to take in the full garbage
  // collections, which come every minute or so at this rate).
  const secondsArg = args.indexOf('--seconds');
  const seconds = secondsArg >= 0 ? Number(args[secondsArg + 1]) : quick ? 6 : 60;
  if (!(seconds > 0)) throw new Error('--seconds must be a positive number');
  // The issue's rate is 1,000/s; `--rate N` measures another (to find where a slower machine saturates).
  const rateArg = args.indexOf('--rate');
  const rate = rateArg >= 0 ? Number(args[rateArg + 1]) : 1000;
  if (!(rate > 0)) throw new Error('--rate must be a positive number of decisions per second');
  const durability = process.env.TACT_DURABILITY || 'fsync';
  const server = await startServer({ config: decideBenchConfig(), env: { TACT_BENCH_NOOP: '1' } });
  const base = `http://127.0.0.1:${server.port}`;
  try {
    let t = performance.now();
    const sent = await sendAll(base, server.keys.write, profileMessages(USERS));
    process.stdout.write(`decide: TACT_DURABILITY=${durability}\n`);
    process.stdout.write(`decide: loaded ${USERS.toLocaleString()} profiles (${sent.toLocaleString()} events) in ${((performance.now() - t) / 1000).toFixed(1)} s; 100 actions compete at one placement\n`);
    t = performance.now();
    await settle(base);
    process.stdout.write(`  outcome mapping and the profile checkpoint caught up, the states cold, ${((performance.now() - t) / 1000).toFixed(1)} s later\n`);
    await load(server.port, 500, quick ? 2 : 3, server.keys.server, '/v1/decide', 99); // warm-up
    // The floor first, so it does not pay for the decision run's log being copied into the database file.
    const cpu0 = server.cpuMs();
    const noop = await load(server.port, rate, Math.min(seconds, 60), server.keys.server, '/v1/decide/noop', 2);
    const noopCpu = server.cpuMs();
    // Then decisions at the rate, untimed, right before the timed ones: straight after the floor's
    // phase the decision path's optimised code meets object shapes it has not seen and is made again
    // (V8's "wrong map" deoptimisations of every stage, --trace-deopt), and the first two seconds
    // had 700–860 answers over 5 ms (2026-12-06); a server deciding at this rate is past that.
    const warm = await load(server.port, rate, quick ? 2 : 5, server.keys.server, '/v1/decide', 7);
    const written0 = server.writtenBytes();
    const cpu1 = server.cpuMs();
    const commits0 = await commitCounts(base);
    const gc0 = await gcCounts(base);
    const http = await load(server.port, rate, seconds, server.keys.server, '/v1/decide', 1);
    const cpu2 = server.cpuMs();
    const commits = commitSummary(commits0, await commitCounts(base));
    const gc = gcSummary(gc0, await gcCounts(base));
    const writtenPerDecision = (server.writtenBytes() - written0) / http.ok;
    const cpu = {
      main: (cpu2.main - cpu1.main) / http.ok, all: (cpu2.all - cpu1.all) / http.ok,
      noopMain: (noopCpu.main - cpu0.main) / noop.ok, noopAll: (noopCpu.all - cpu0.all) / noop.ok,
    };
    process.stdout.write(`  HTTP /v1/decide at ${http.rate.toFixed(0)}/s for ${seconds} s: p50 ${http.p50.toFixed(2)} ms, p99 ${http.p99.toFixed(2)} ms ${ciText(http.p99Ci)}, max ${http.max.toFixed(1)} ms (${http.failed} failed)\n`);
    // The disk's part of the answers: the durable commits the decisions waited for, timed in the writer thread.
    process.stdout.write(`  the store's commits during the run (writer thread, /metrics; bucket bounds): ${commits.commits.toLocaleString()} for ${http.ok.toLocaleString()} decisions; the durable commit p50 ≤ ${commits.commitP50LeMs} ms, p99 ≤ ${commits.commitP99LeMs} ms, slowest ≤ ${commits.commitMaxLeMs} ms, ${commits.commitsOver25ms} over 25 ms; its statements p99 ≤ ${commits.writeP99LeMs} ms\n`);
    process.stdout.write(`  floor, no-op route at ${noop.rate.toFixed(0)}/s: p50 ${noop.p50.toFixed(2)} ms, p99 ${noop.p99.toFixed(2)} ms ${ciText(noop.p99Ci)}\n`);
    process.stdout.write(`  warm-up before the timed decisions (not counted), ${quick ? 2 : 5} s at ${warm.rate.toFixed(0)}/s after the floor's phase: p50 ${warm.p50.toFixed(2)} ms, p99 ${warm.p99.toFixed(2)} ms\n`);
    process.stdout.write(`  server CPU per request: decision ${cpu.main.toFixed(3)} ms on the main thread, ${cpu.all.toFixed(3)} ms in all threads; no-op ${cpu.noopMain.toFixed(3)} / ${cpu.noopAll.toFixed(3)} ms; the load generator ${http.cpuMsPerRequest.toFixed(3)} ms per request\n`);
    // The main thread's share of wall time during the decisions: near 1 the answers queue behind each
    // other and the latencies measure the backlog (a host too slow for the rate), not a decision.
    const mainBusy = (cpu.main * http.ok) / 1000 / http.elapsed;
    // Every answer in flight waits out a pause of the main thread: how often they came and how long they were.
    const youngMs = gc.minorCount ? gc.minorMs / gc.minorCount : 0;
    process.stdout.write(`  main thread stopped for garbage collection ${((gc.totalMs / 1000 / http.elapsed) * 100).toFixed(1)}% of the run: ${(gc.minorCount / http.elapsed).toFixed(1)} young collections a second, ${youngMs.toFixed(1)} ms each on average\n`);
    process.stdout.write(`  main thread busy ${(mainBusy * 100).toFixed(0)}% of the run${mainBusy >= 0.8 ? ` — at or near saturation on this host: the latencies above are mostly queueing (compare \`--rate ${Math.round((rate * 0.6) / mainBusy)}\`)` : ''}\n`);
    const { answered: fresh, decided } = await freshness(server.port, server.keys, quick ? 100 : 500);
    const freshCi = intervalJson(quantileInterval([...fresh].sort((a, b) => a - b), 0.99));
    process.stdout.write(`  freshness, purchase acknowledged → answer of the first decision without that offer (${fresh.length} purchases): p50 ${pct(fresh, 0.5).toFixed(2)} ms, p99 ${pct(fresh, 0.99).toFixed(2)} ms ${ciText(freshCi)}; → that decision made (its \`at\`, ms clock): p99 ${pct(decided, 0.99).toFixed(0)} ms\n`);
    const rss = server.rssMb();
    const held = await (await fetch(`${base}/metrics`)).text();
    const gauge = (name: string) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(held)?.[1] ?? 0);
    const state = { subjects: gauge('tact_decide_subjects_held'), contacts: gauge('tact_decide_contacts_held') };
    await server.stop();
    const stored = logSize(server.dataDir);
    process.stdout.write(`  decision log: ${(writtenPerDecision / 1024).toFixed(1)} KB written to storage per decision during the run (WAL and its copy into the database); ${stored.decisions.toLocaleString()} records, ${(stored.bodyBytes / 1024).toFixed(2)} KB stored per record\n`);
    const { prepare, durable, allocKb } = await inProcess(server.dataDir, quick ? 3_000 : 50_000); // --quick: 3,000 timed, 1,500 durable, 600 for the allocation (under 60 s in all)
    process.stdout.write(`  in-process pipeline (profile read → record with explanation): p50 ${pct(prepare, 0.5).toFixed(3)} ms, p99 ${pct(prepare, 0.99).toFixed(3)} ms; with the durable log write, one at a time: p50 ${pct(durable, 0.5).toFixed(2)} ms, p99 ${pct(durable, 0.99).toFixed(2)} ms\n`);
    process.stdout.write(`  allocated per decision in process (decision, answer and its JSON; freed objects included): ${allocKb.toFixed(1)} KB\n`);
    const disk = fsyncFloor(server.dataDir, quick ? 300 : 1000);
    const paced = await pacedFsyncFloor(server.dataDir, quick ? 300 : 1000, 1000 / rate);
    process.stdout.write(`  disk floor for a durable answer, 4 KB append + fdatasync one at a time (${disk.length}): p50 ${pct(disk, 0.5).toFixed(2)} ms, p99 ${pct(disk, 0.99).toFixed(2)} ms; at the run's rate, ${(1000 / rate).toFixed(1)} ms apart: p50 ${pct(paced, 0.5).toFixed(2)} ms, p99 ${pct(paced, 0.99).toFixed(2)} ms\n`);
    process.stdout.write(`  server RSS ${rss.toFixed(0)} MB; the decision state held ${state.contacts.toLocaleString()} contacts of ${state.subjects.toLocaleString()} subjects (those a cap counts, and the last minutes')\n`);
    if (http.failed || noop.failed) throw new Error(`${http.failed + noop.failed} requests failed`);
    return {
      bench: 'decide',
      http_p50_ms: f2(http.p50),
      http_p99_ms: f2(http.p99),
      http_max_ms: f2(http.max),
      noop_p99_ms: f2(noop.p99),
      warmup_p99_ms: f2(warm.p99),
      inproc_p99_ms: Number(pct(prepare, 0.99).toFixed(3)),
      freshness_p99_ms: f2(pct(fresh, 0.99)),
      http_p99_ci_ms: http.p99Ci.map((x) => (x === null ? null : f2(x))),
      noop_p99_ci_ms: noop.p99Ci.map((x) => (x === null ? null : f2(x))),
      freshness_p99_ci_ms: freshCi,
      commit_p99_le_ms: commits.commitP99LeMs,
      commit_max_le_ms: commits.commitMaxLeMs,
      commits_over_25ms: commits.commitsOver25ms,
      fsync_p50_ms: f2(pct(disk, 0.5)),
      fsync_p99_ms: f2(pct(disk, 0.99)),
      fsync_paced_p50_ms: f2(pct(paced, 0.5)),
      fsync_paced_p99_ms: f2(pct(paced, 0.99)),
      main_thread_cpu_ms_per_decision: Number(cpu.main.toFixed(3)),
      main_thread_busy: Number(mainBusy.toFixed(3)),
      young_gc_per_s: Number((gc.minorCount / http.elapsed).toFixed(2)),
      young_gc_ms: Number(youngMs.toFixed(1)),
      main_gc_share: Number((gc.totalMs / 1000 / http.elapsed).toFixed(4)),
      load_cpu_ms_per_request: Number(http.cpuMsPerRequest.toFixed(3)),
      cpu_ms_per_decision: Number(cpu.all.toFixed(3)),
      candidates: 100,
      profiles: USERS,
      rate,
      seconds,
      durability,
      gc: process.env.TACT_GC === 'default' ? 'v8-defaults' : 'tact',
      written_kb_per_decision: Number((writtenPerDecision / 1024).toFixed(1)),
      stored_kb_per_record: Number((stored.bodyBytes / 1024).toFixed(2)),
      inproc_alloc_kb_per_decision: Number(allocKb.toFixed(1)),
      contacts_held: state.contacts,
    };
  } finally {
    await server.remove();
  }
}
