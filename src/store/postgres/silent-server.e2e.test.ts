import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, harness, type Harness } from '../../../test/harness.js';
import { freshPostgresDatabase } from '../../../test/postgres.js';
import { storeError } from '../../cli/error-text.js';
import { inTransaction } from './database.js';
import { openPostgresStore, type PostgresStore } from './postgres-store.js';
import { postgresTimeouts } from './stall-watch.js';

/** Short bounds, so each case takes a second or two. */
const T = { connectMs: 400, stallMs: 800 };
/** The longest a request may wait on a silent server: the stall, the check (two connect bounds), the watch's tick, slack. */
const BOUND_MS = T.stallMs + 2 * T.connectMs + T.stallMs / 4 + 1_000;

/** A TCP listener on 127.0.0.1 that accepts connections and never answers (a hung server, a stopped proxy). */
async function silentListener(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => { sockets.add(s); s.on('error', () => undefined); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}

/** A TCP proxy to PostgreSQL that can freeze: while frozen it forwards nothing, either way, and answers no new connection. */
async function freezableProxy(target: URL): Promise<{ port: number; freeze: () => void; thaw: () => void; close: () => Promise<void> }> {
  const pairs = new Set<[net.Socket, net.Socket]>();
  let frozen = false;
  const join = ([a, b]: [net.Socket, net.Socket]) => { a.pipe(b); b.pipe(a); a.resume(); b.resume(); };
  const server = net.createServer((client) => {
    const up = net.connect(Number(target.port || 5432), target.hostname);
    const pair: [net.Socket, net.Socket] = [client, up];
    pairs.add(pair);
    for (const s of pair) {
      s.on('error', () => undefined);
      s.on('close', () => { pairs.delete(pair); client.destroy(); up.destroy(); });
    }
    if (frozen) client.pause();
    else join(pair);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    freeze: () => {
      frozen = true;
      for (const [a, b] of pairs) { a.unpipe(b); b.unpipe(a); a.pause(); b.pause(); }
    },
    thaw: () => {
      frozen = false;
      for (const p of pairs) join(p);
    },
    close: () => new Promise((r) => { for (const [a, b] of pairs) { a.destroy(); b.destroy(); } server.close(() => r()); }),
  };
}

describe('a PostgreSQL server that accepts connections and never answers', () => {
  it('fails the opening within the connection bound with an ETIMEDOUT that `tact serve` words naming TACT_DATABASE_URL and host:port (it waited for minutes, silent, until 2026-12-05)', async () => {
    const silent = await silentListener();
    try {
      const url = `postgres://postgres@127.0.0.1:${silent.port}/tact`;
      const started = Date.now();
      const err = (await openPostgresStore({ connectionString: url, timeouts: T }).then(() => undefined, (e: unknown) => e)) as Error & { code?: string };
      expect(Date.now() - started).toBeLessThan(T.connectMs + 1_000);
      expect(err.code).toBe('ETIMEDOUT');
      expect(err.message).toBe('PostgreSQL did not answer a new connection within 0.4 s (TACT_DATABASE_CONNECT_TIMEOUT_MS)');
      expect((storeError(err, { databaseUrl: url }) as Error).message).toMatch(new RegExp(`^The PostgreSQL server of TACT_DATABASE_URL \\(127\\.0\\.0\\.1:${silent.port}\\) cannot be reached \\(ETIMEDOUT\\)`));
    } finally {
      await silent.close();
    }
  });
});

describe('PostgreSQL going silent while serving (a frozen proxy)', () => {
  let db: Awaited<ReturnType<typeof freshPostgresDatabase>>;
  let proxy: Awaited<ReturnType<typeof freezableProxy>>;
  let store: PostgresStore;
  let h: Harness;
  beforeAll(async () => {
    db = await freshPostgresDatabase();
    const target = new URL(db.url);
    proxy = await freezableProxy(target);
    const url = new URL(db.url);
    url.host = `127.0.0.1:${proxy.port}`;
    store = await openPostgresStore({ connectionString: url.toString(), poolSize: 4, timeouts: T });
    h = await harness('postgres', { store });
  });
  afterAll(async () => {
    proxy.thaw();
    await h.close();
    await store.close();
    await proxy.close();
    await db.drop();
  });
  const track = (n: number) => h.app.inject({ method: 'POST', url: '/v1/track', headers: { authorization: basic() }, payload: { userId: `u${n}`, event: 'Seen', messageId: `m${n}` } });

  it('answers a write 503 store_unavailable with Retry-After within the bound, and the writes after the thaw succeed (a POST hung > 60 s, unlogged, until 2026-12-05)', async () => {
    expect((await track(1)).statusCode).toBe(200);
    proxy.freeze();
    const started = Date.now();
    const r = await track(2);
    const took = Date.now() - started;
    expect([r.statusCode, r.json().error, r.headers['retry-after']], r.body).toEqual([503, 'store_unavailable', '1']);
    expect(r.json().message).toContain('it did not answer in time');
    expect(took).toBeLessThan(BOUND_MS);
    proxy.thaw();
    expect((await track(3)).statusCode).toBe(200);
    expect(await store.collect.hasMessage('m3')).toBe(true);
  });

  it('does not cut a long query on a server that answers (a backfill, a training read, a migration)', async () => {
    const slept = await inTransaction(store.pool, (c) => c.query<{ ok: number }>(`SELECT 1 AS ok FROM pg_sleep(${(3 * T.stallMs) / 1000})`));
    expect(slept.rows[0].ok).toBe(1);
  });
});

describe('the bounds from the environment (postgresTimeouts)', () => {
  it('takes whole milliseconds, defaults to 5 s and 10 s, and refuses a wrong value naming its variable', () => {
    expect(postgresTimeouts({})).toEqual({ connectMs: 5_000, stallMs: 10_000 });
    expect(postgresTimeouts({ TACT_DATABASE_CONNECT_TIMEOUT_MS: '2000', TACT_DATABASE_STALL_MS: '30000' })).toEqual({ connectMs: 2_000, stallMs: 30_000 });
    expect(() => postgresTimeouts({ TACT_DATABASE_STALL_MS: '5s' })).toThrow('TACT_DATABASE_STALL_MS must be a whole number of milliseconds from 100 to 3600000 (e.g. 10000); it was "5s".');
  });
});
