import { rng } from './events.js';
import { intervalJson, quantileInterval } from './quantile-interval.js';
import { RawHttpPool, rawRequest } from './raw-http.js';

/**
 * Open-loop load at a fixed rate, run as its own process so it does not share the server's CPU:
 * request i is due at start + i/rate, and its latency is counted from that moment (so a stalled
 * server cannot hide its queueing). Prints one JSON line.
 *
 * Arguments: port rate seconds users key path seed
 */
const [port, rate, seconds, users, key, path, seed] = process.argv.slice(2).map((x, i) => (i === 4 || i === 5 ? x : Number(x))) as [number, number, number, number, string, string, number];
// 64 connections carry 1,000/s with room to spare; more would only add connection storms when the server hiccups.
// A minimal HTTP/1.1 client (raw-http.ts): node:http's costs as much CPU per request as the server's no-op route.
const pool = new RawHttpPool(port, 64);
const headers = { authorization: `Bearer ${key}` };
const r = rng(seed);
const latencies: number[] = [];
let failed = 0;
// TACT_BENCH_TRACE=1: the worst latency of each second, on stderr (to see whether stalls are periodic).
const trace = process.env.TACT_BENCH_TRACE === '1';
const worst = new Map<number, number>();
const over5 = new Map<number, number>();
// With the trace: how late each request left this process (its own scheduling), and the server's
// own histogram of the route's time in Fastify, to tell where a slow answer spent its time.
const sendDelays: number[] = [];
async function serverHistogram(): Promise<Map<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const out = new Map<string, number>();
  for (const m of text.matchAll(/^tact_http_request_duration_seconds_bucket\{le="([^"]+)",method="POST",route="([^"]+)"\} (\d+)$/gm)) if (m[2] === path) out.set(m[1], Number(m[3]));
  return out;
}
let start = 0;
let sent = 0;
let done = 0;
const total = Math.round(rate * seconds);
const pages = ['home', 'product', 'checkout', 'category'];

function one(due: number, onDone?: () => void): void {
  if (trace && !onDone) sendDelays.push(performance.now() - due);
  const body = JSON.stringify({ subject: `user-${Math.floor(r() * users)}`, placement: 'home', context: { page: pages[Math.floor(r() * pages.length)] } });
  pool.request(rawRequest('POST', path, headers, body), (err, res) => {
    if (onDone) return onDone();
    if (!err && res?.status === 200) {
      const ms = performance.now() - due;
      latencies.push(ms);
      if (trace) {
        const sec = Math.floor((due - start) / 1000);
        worst.set(sec, Math.max(worst.get(sec) ?? 0, ms));
        if (ms > 5) over5.set(sec, (over5.get(sec) ?? 0) + 1);
      }
    } else failed++;
    done++;
  });
}

// Open the connections (and warm both sides) before the clock starts: 64 requests at once, not timed.
await new Promise<void>((resolve) => {
  let left = 64;
  for (let i = 0; i < 64; i++) one(0, () => --left === 0 && resolve());
});

const histBefore = trace ? await serverHistogram() : undefined;
start = performance.now() + 20;
const cpu0 = process.cpuUsage();
await new Promise<void>((resolve) => {
  const tick = () => {
    const now = performance.now();
    while (sent < total && start + (sent * 1000) / rate <= now) one(start + (sent++ * 1000) / rate);
    if (sent < total) setTimeout(tick, 1);
    else resolve();
  };
  setTimeout(tick, 20);
});
while (done < total) await new Promise((res) => setTimeout(res, 5));
const elapsed = (performance.now() - start) / 1000;
latencies.sort((a, b) => a - b);
const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
const cpu = process.cpuUsage(cpu0);
// This process's own CPU per request (ms): what the load takes of the two cores the server runs on.
const cpuMsPerRequest = (cpu.user + cpu.system) / 1000 / Math.max(1, sent);
process.stdout.write(JSON.stringify({ sent, ok: latencies.length, failed, elapsed, rate: sent / elapsed, p50: q(0.5), p99: q(0.99), p99Ci: intervalJson(quantileInterval(latencies, 0.99), 3), max: latencies.at(-1) ?? 0, cpuMsPerRequest }) + '\n');
if (trace) {
  process.stderr.write(`worst per second: ${[...worst].sort((a, b) => a[0] - b[0]).map(([t, ms]) => `${t}:${ms.toFixed(0)}`).join(' ')}\n`);
  process.stderr.write(`answers over 5 ms per second: ${[...over5].sort((a, b) => a[0] - b[0]).map(([t, n]) => `${t}:${n}`).join(' ')}\n`);
  sendDelays.sort((a, b) => a - b);
  const sq = (p: number) => (sendDelays[Math.min(sendDelays.length - 1, Math.floor(p * sendDelays.length))] ?? 0).toFixed(2);
  process.stderr.write(`sent late by (this process's own delay): p50 ${sq(0.5)} p99 ${sq(0.99)} max ${sq(1)} ms; over 2 ms: ${sendDelays.filter((d) => d > 2).length}\n`);
  const histAfter = await serverHistogram();
  const within = (le: string) => (histAfter.get(le) ?? 0) - (histBefore?.get(le) ?? 0);
  const all = within('+Inf');
  process.stderr.write(`the server's own time in the route (Fastify, request read to answer written): ${all} answers; over 2.5 ms ${all - within('0.0025')}, over 5 ms ${all - within('0.005')}, over 10 ms ${all - within('0.01')}\n`);
  process.stderr.write(`p90 ${q(0.9).toFixed(2)} p95 ${q(0.95).toFixed(2)} p98 ${q(0.98).toFixed(2)} p99 ${q(0.99).toFixed(2)} p99.5 ${q(0.995).toFixed(2)} ms\n`);
}
pool.close();
