import { messageJson, rng } from './events.js';
import { intervalJson, quantileInterval } from './quantile-interval.js';
import { RawHttpPool, rawRequest } from './raw-http.js';

/**
 * The load generator, run as its own process so it does not share the server's CPU time:
 * `clients` concurrent keep-alive connections each POST 100-message batches for `seconds`,
 * and every acknowledged batch's latency is recorded. Prints one JSON line with the results.
 */
const [port, clients, seconds, users, writeKey, seed] = process.argv.slice(2).map((x, i) => (i === 4 ? x : Number(x))) as [number, number, number, number, string, number];
// A minimal HTTP/1.1 client (raw-http.ts): node:http's takes twice the CPU on the cores the server runs on.
const pool = new RawHttpPool(port, clients);
const headers = { authorization: 'Basic ' + Buffer.from(`${writeKey}:`).toString('base64') };
const r = rng(seed);
let next = 0;
const latencies: number[] = [];
let acked = 0;
let failed = 0;
const prefix = `b${seed}-${Date.now()}`;

// Templates are made before the clock starts, so this process spends its CPU on sending, not on
// building JSON: each send only fills in fresh message ids.
const templates: string[] = [];
for (let t = 0; t < 400; t++) {
  const now = Date.now();
  const parts: string[] = [];
  for (let k = 0; k < 100; k++) parts.push(messageJson(r, 0, users, '@@', now).replace('"messageId":"@@-0"', '"messageId":"@@"'));
  templates.push(`{"batch":[${parts.join(',')}]}`);
}
let tpl = 0;
function batch(): string {
  const body = templates[tpl++ % templates.length];
  return body.replace(/@@/g, () => `${prefix}-${next++}`);
}

function post(body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    pool.request(rawRequest('POST', '/v1/batch', headers, body), (err, res) => (err ? reject(err) : resolve(res?.status ?? 0)));
  });
}

async function client(until: number): Promise<void> {
  while (performance.now() < until) {
    const body = batch();
    const t = performance.now();
    const status = await post(body).catch(() => 0);
    if (status === 200) {
      latencies.push(performance.now() - t);
      acked += 100;
    } else failed += 1;
  }
}

const start = performance.now();
const cpu0 = process.cpuUsage();
const until = start + seconds * 1000;
await Promise.all(Array.from({ length: clients }, () => client(until)));
const elapsed = (performance.now() - start) / 1000;
const used = process.cpuUsage(cpu0);
// This process's own CPU (µs), so the bench can say how much of the two cores the load itself took.
const cpuUs = used.user + used.system;
latencies.sort((a, b) => a - b);
const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
process.stdout.write(JSON.stringify({ acked, failed, elapsed, p50: q(0.5), p99: q(0.99), p99Ci: intervalJson(quantileInterval(latencies, 0.99), 3), batches: latencies.length, cpuUs }) + '\n');
pool.close();
