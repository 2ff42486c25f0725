import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { buildApp } from '../src/server/app.js';
import { Tact } from '../src/server/tact.js';
import { openPostgresStore } from '../src/store/postgres/postgres-store.js';
import { openSqliteStore, type SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/store.js';
import { isRetryableStoreError } from '../src/store/open.js';
import { join } from 'node:path';
import { freshPostgresDatabase } from './postgres.js';
import { testDir } from './tmp.js';

export type StoreKind = 'sqlite' | 'postgres';

export const KEYS = { write: 'test-write-key', server: 'test-server-key', admin: 'test-admin-key' };

/**
 * Two processes on one fresh database: two pools on PostgreSQL, two connections (each with its
 * writer) on one SQLite file; `cleanup` closes both.
 */
export async function openTwoStores(kind: StoreKind): Promise<{ stores: [Store, Store]; cleanup: () => Promise<void> }> {
  if (kind === 'sqlite') {
    const path = join(testDir('tact-two-'), 'tact.db');
    const a = await openSqliteStore({ path });
    const b = await openSqliteStore({ path });
    return { stores: [a, b], cleanup: async () => { await b.close(); await a.close(); } };
  }
  const { store: a, url, cleanup } = await openTestStore('postgres');
  const b = await openPostgresStore({ connectionString: url as string, poolSize: 4 });
  return { stores: [a, b], cleanup: async () => { await b.close(); await cleanup(); } };
}

/**
 * Two processes' Tact, each with its app, on one fresh database (openTwoStores) and the same
 * configuration; `close` closes both apps, then the stores, then the database.
 */
export async function twoHarnesses(kind: StoreKind, opts: { config?: Record<string, unknown> } = {}): Promise<{ a: Harness; b: Harness; close: () => Promise<void> }> {
  const { stores, cleanup } = await openTwoStores(kind);
  const opened: Harness[] = [];
  const close = async () => {
    for (const h of opened.reverse()) await h.close();
    await cleanup();
  };
  try {
    for (const store of stores) opened.push(await harness(kind, { store, config: opts.config }));
  } catch (err) {
    await close();
    throw err;
  }
  return { a: opened[0], b: opened[1], close };
}

/** A store of a kind, fresh, with its clean-up. */
export async function openTestStore(kind: StoreKind, sqlitePath = ':memory:'): Promise<{ store: Store; cleanup: () => Promise<void>; url?: string }> {
  if (kind === 'sqlite') {
    const store = await openSqliteStore({ path: sqlitePath });
    return { store, cleanup: () => store.close() };
  }
  const db = await freshPostgresDatabase();
  const store = await openPostgresStore({ connectionString: db.url, poolSize: 8 });
  return { store, url: db.url, cleanup: async () => { await store.close(); await db.drop(); } };
}

export interface Harness {
  store: Store;
  tact: Tact;
  app: FastifyInstance;
  close(): Promise<void>;
}

/** Tact wired on a fresh store, its app built (no socket), and the test keys registered. */
export async function harness(kind: StoreKind, opts: { store?: Store; config?: Record<string, unknown>; parse?: { workers?: number; minChars?: number }; random?: () => number } = {}): Promise<Harness> {
  const opened = opts.store ? { store: opts.store, cleanup: async () => {} } : await openTestStore(kind);
  const tact = await Tact.create({
    store: opened.store,
    // TACT_TEST_LOG=error (or debug, …) shows the server's log lines, e.g. the stack behind a 500 a test met.
    logger: pino({ level: process.env.TACT_TEST_LOG ?? 'silent' }),
    background: false,
    isRetryable: isRetryableStoreError,
    configFile: opts.config ? { path: 'test-config', sections: opts.config } : undefined,
    parse: opts.parse,
    random: opts.random,
  });
  await tact.keys.bootstrap({ TACT_WRITE_KEY: KEYS.write, TACT_SERVER_KEY: KEYS.server, TACT_ADMIN_KEY: KEYS.admin });
  const app = await buildApp(tact);
  return {
    store: opened.store,
    tact,
    app,
    async close() {
      await app.close();
      await tact.close();
      await opened.cleanup();
    },
  };
}

/**
 * A harness on an embedded store in a file of its own, which `start` opens again after `stop` —
 * a restart, which rebuilds what the server holds in memory from the store. The checkpoint waits an
 * hour, so a restart reads the log's tail as a start after a crash would.
 *
 * @example
 * const server = restartable('tact-counts-', config);
 * let h = await server.start(); … await server.stop(); h = await server.start();
 */
export function restartable(prefix: string, config: Record<string, unknown>): { start(): Promise<Harness & { store: SqliteStore }>; stop(): Promise<void> } {
  const path = join(testDir(prefix), 'tact.db');
  const opened: { h: Harness; store: SqliteStore }[] = [];
  return {
    async start() {
      const store = await openSqliteStore({ path, checkpointMs: 3_600_000 });
      const h = await harness('sqlite', { store, config });
      opened.push({ h, store });
      return { ...h, store };
    },
    async stop() {
      for (const o of opened.splice(0)) {
        await o.h.close();
        await o.store.close();
      }
    },
  };
}

export const basic = (key = KEYS.write) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
export const bearer = (key = KEYS.server) => `Bearer ${key}`;

/** POSTs a Segment call with the write key. */
export function send(app: FastifyInstance, path: string, body: unknown, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url: path, headers: { authorization: basic(), 'content-type': 'application/json', ...headers }, payload: body as object });
}

/** GETs with the server key. */
export function get(app: FastifyInstance, url: string, key = KEYS.server) {
  return app.inject({ method: 'GET', url, headers: { authorization: bearer(key) } });
}

/** A gauge's (unlabelled) value from GET /metrics; NaN when the server does not export it. */
export async function metricValue(app: FastifyInstance, name: string): Promise<number> {
  return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec((await get(app, '/metrics')).body)?.[1]);
}

/**
 * Comparisons before a promotion tell what a model version saw by the millisecond its training
 * began: wait a moment after a training so the next event is received after it.
 *
 * @example
 * await learning.train(['send-time']); await afterTraining();
 */
export const afterTraining = () => new Promise((r) => setTimeout(r, 2));
