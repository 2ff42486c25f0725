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
  it('keeps every acknowledged event through kill -9 under load, and a client retry duplicates nothing', async () => {
    const config = { features: [{ name: 'orders', kind: 'count', event: 'Order Completed' }] };
    const first = await startTact({ config });
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

    const second = await startTact({ dataDir: first.dataDir, port: first.port, config });
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
});
