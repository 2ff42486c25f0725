import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KEYS } from './harness.js';
import { startTact } from './server-process.js';

const auth = `Basic ${Buffer.from(`${KEYS.write}:`).toString('base64')}`;

function batchOf(b: number): { batch: object[] } {
  const batch = [];
  for (let k = 0; k < 50; k++) {
    const u = (b * 50 + k) % 97;
    batch.push(k % 10 === 0
      ? { type: 'identify', messageId: `dur-${b}-${k}`, userId: `dur-user-${u}`, anonymousId: `dur-anon-${u}-${b % 3}` }
      : { type: 'track', messageId: `dur-${b}-${k}`, anonymousId: `dur-anon-${u}-${b % 3}`, event: 'Order Completed', properties: { revenue: 1 } });
  }
  return { batch };
}

async function post(url: string, body: object): Promise<boolean> {
  try {
    const r = await fetch(`${url}/v1/batch`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return r.status === 200;
  } catch {
    return false;
  }
}

describe('durability', () => {
  // `fsync` (the default) and `os` both promise that Tact's own death loses nothing acknowledged.
  it.each(['fsync', 'os'])('keeps every acknowledged event through kill -9 under load, and a client retry duplicates nothing (TACT_DURABILITY=%s)', async (durability) => {
    const config = { features: [{ name: 'orders', kind: 'count', event: 'Order Completed' }] };
    const env = { TACT_DURABILITY: durability };
    const first = await startTact({ config, env });
    const health = await (await fetch(`${first.url}/health`)).json();
    expect(health.durability).toBe(durability);
    const acked = new Set<number>();
    const sent = new Set<number>();
    let next = 0;
    let stop = false;
    const client = async () => {
      while (!stop) {
        const b = next++;
        sent.add(b);
        if (await post(first.url, batchOf(b))) acked.add(b);
      }
    };
    const clients = Array.from({ length: 6 }, client);
    const waitUntil = Date.now() + 30_000;
    while (acked.size < 150 && Date.now() < waitUntil) await new Promise((r) => setTimeout(r, 20));
    expect(acked.size, first.output()).toBeGreaterThanOrEqual(150);
    const exited = new Promise((r) => first.proc.once('exit', r));
    first.proc.kill('SIGKILL');
    stop = true;
    await Promise.all(clients);
    await exited;
    expect(first.proc.signalCode).toBe('SIGKILL');

    const second = await startTact({ dataDir: first.dataDir, port: first.port, config, env });
    try {
      const db = new Database(join(first.dataDir, 'tact.db'), { readonly: true });
      const stored = new Set(db.prepare('SELECT message_id FROM events').pluck().all() as string[]);
      for (const b of acked) for (let k = 0; k < 50; k++) expect(stored.has(`dur-${b}-${k}`)).toBe(true);
      db.close();

      // the client retries everything it ever sent, acknowledged or not
      for (const b of sent) expect(await post(second.url, batchOf(b))).toBe(true);
      const db2 = new Database(join(first.dataDir, 'tact.db'), { readonly: true });
      const dupes = db2.prepare('SELECT count(*) FROM (SELECT message_id FROM events GROUP BY message_id HAVING count(*) > 1)').pluck().get();
      const total = db2.prepare('SELECT count(*) FROM events').pluck().get();
      db2.close();
      expect(dupes).toBe(0);
      expect(total).toBe(sent.size * 50);

      // and the rebuilt profiles agree with the log
      const r = await fetch(`${second.url}/v1/profiles/dur-user-5`, { headers: { authorization: `Bearer ${KEYS.server}` } });
      const p = await r.json();
      expect(p.features.orders.value).toBe(p.events['Order Completed'].count);
      expect(p.features.orders.value).toBeGreaterThan(0);
    } finally {
      await second.kill();
    }
  }, 120_000);

  it.each(['fsync', 'os'])('keeps every answered decision through kill -9 under load (TACT_DURABILITY=%s)', async (durability) => {
    const config = {
      catalog: {
        actions: [{ id: 'spring-sale', name: 'Spring sale', channels: ['web'], value: 10 }, { id: 'new-arrivals', name: 'New arrivals', channels: ['web'], value: 6 }],
        placements: [{ id: 'home', channel: 'web', slots: 2 }],
      },
      policy: { exploration: { budget: 0.1 } },
    };
    const env = { TACT_DURABILITY: durability };
    const first = await startTact({ config, env });
    const answered = new Map<string, string>();
    let n = 0;
    let stop = false;
    const client = async () => {
      while (!stop) {
        try {
          const r = await fetch(`${first.url}/v1/decide`, { method: 'POST', headers: { authorization: `Bearer ${KEYS.server}`, 'content-type': 'application/json' }, body: JSON.stringify({ subject: `visitor-${n++ % 300}`, placement: 'home', n: 2 }) });
          if (r.status === 200) {
            const d = await r.json();
            answered.set(d.decisionId, JSON.stringify(d.choices.map((c: { kind: string; action?: string }) => c.action ?? c.kind)));
          }
        } catch {
          /* the server is gone */
        }
      }
    };
    const clients = Array.from({ length: 6 }, client);
    const waitUntil = Date.now() + 30_000;
    while (answered.size < 300 && Date.now() < waitUntil) await new Promise((r) => setTimeout(r, 20));
    expect(answered.size, first.output()).toBeGreaterThanOrEqual(300);
    const exited = new Promise((r) => first.proc.once('exit', r));
    first.proc.kill('SIGKILL');
    stop = true;
    await Promise.all(clients);
    await exited;

    const second = await startTact({ dataDir: first.dataDir, port: first.port, config, env });
    try {
      // Every answered decision is in the log, with the choices the caller got.
      for (const [id, choices] of answered) {
        const r = await fetch(`${second.url}/v1/decisions/${id}`, { headers: { authorization: `Bearer ${KEYS.server}` } });
        expect(r.status, id).toBe(200);
        const d = await r.json();
        expect(JSON.stringify(d.choices.map((c: { kind: string; action?: string }) => c.action ?? c.kind)), id).toBe(choices);
      }
    } finally {
      await second.kill();
    }
  }, 120_000);
});
