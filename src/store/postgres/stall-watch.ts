import pg from 'pg';

/** How long the PostgreSQL store waits on a server that does not answer, in milliseconds. */
export interface PostgresTimeouts {
  /** A new connection: from its opening until the server is ready for queries. */
  connectMs: number;
  /**
   * A query without an answer this long has its server checked on a new connection (a `SELECT 1`,
   * bounded by `connectMs` twice); when the check gets no answer either, the query fails. A long
   * query on a server that answers the check is never cut (a backfill, a training read, a migration).
   */
  stallMs: number;
}

/** The defaults: a request on a silent server is answered a 503 within stallMs + 2 × connectMs (≈ 20 s). */
export const DEFAULT_PG_TIMEOUTS: PostgresTimeouts = { connectMs: 5_000, stallMs: 10_000 };

const VARIABLES = { connectMs: 'TACT_DATABASE_CONNECT_TIMEOUT_MS', stallMs: 'TACT_DATABASE_STALL_MS' } as const;
const MIN_MS = 100;
const MAX_MS = 3_600_000;

/**
 * The timeouts from the environment, each a whole number of milliseconds (unset or empty: the
 * default); a wrong value is refused with a sentence naming its variable.
 *
 * @example
 * postgresTimeouts({ TACT_DATABASE_CONNECT_TIMEOUT_MS: '2000' }); // { connectMs: 2000, stallMs: 10000 }
 */
export function postgresTimeouts(env: NodeJS.ProcessEnv): PostgresTimeouts {
  const t = { ...DEFAULT_PG_TIMEOUTS };
  for (const key of Object.keys(VARIABLES) as (keyof PostgresTimeouts)[]) {
    const v = env[VARIABLES[key]];
    if (v === undefined || v === '') continue;
    const n = /^\d+$/.test(v.trim()) ? Number(v) : NaN;
    if (!(n >= MIN_MS && n <= MAX_MS)) throw new Error(`${VARIABLES[key]} must be a whole number of milliseconds from ${MIN_MS} to ${MAX_MS} (e.g. ${DEFAULT_PG_TIMEOUTS[key]}); it was "${v}".`);
    t[key] = n;
  }
  return t;
}

/** The error of a server that did not answer: ETIMEDOUT, as the network's own (a 503 `store_unavailable` to a request; at start, a sentence naming TACT_DATABASE_URL's host and port). */
export function silentServer(message: string): Error {
  return Object.assign(new Error(message), { code: 'ETIMEDOUT' });
}

type Callback = (err: Error | null, res?: unknown) => void;

/** A pg client that knows since when it waits on the server, and whose connection attempt is bounded. */
export interface WatchedClient extends pg.Client {
  /** Queries sent and not yet answered. */
  waiting: number;
  /** When the server last answered one of them, or when the first was sent. */
  progressAt: number;
}

/**
 * The pool's client class: each connection attempt is bounded by `connectMs` (its failure an
 * ETIMEDOUT naming the bound), and each query is counted until answered, for {@link watchStalls}.
 * The pool's own wait for a free client stays unbounded: a busy pool is no silent server, and
 * the watch frees clients stuck on one. `onError` hears each query's failure (the pool's
 * DiskFullWatch, disk-full.ts): every query of the store passes here, whichever store sent it.
 */
export function watchedClientClass(t: PostgresTimeouts, onError: (err: unknown) => void = () => undefined): typeof pg.Client {
  const timeout = () => silentServer(`PostgreSQL did not answer a new connection within ${t.connectMs / 1000} s (TACT_DATABASE_CONNECT_TIMEOUT_MS)`);
  // pg's own errors of a connection attempt cut by connectionTimeoutMillis.
  const cut = (err: Error | null | undefined) => (err && /^timeout expired$|connection timeout/.test(err.message) ? timeout() : err);
  class Watched extends pg.Client {
    waiting = 0;
    progressAt = 0;
    constructor(config?: pg.ClientConfig) {
      super({ ...config, connectionTimeoutMillis: t.connectMs });
    }
  }
  const proto = Watched.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const connect = pg.Client.prototype.connect as (this: pg.Client, cb?: Callback) => Promise<void> | undefined;
  proto.connect = function (this: pg.Client, cb?: unknown) {
    if (typeof cb === 'function') return connect.call(this, (err) => (cb as Callback)(cut(err) ?? null));
    return connect.call(this)?.catch((err: Error) => { throw cut(err); });
  };
  const query = pg.Client.prototype.query as (this: pg.Client, ...args: unknown[]) => unknown;
  proto.query = function (this: WatchedClient, ...args: unknown[]) {
    const first = args[0] as { submit?: unknown; callback?: unknown } | undefined;
    // A Submittable (a cursor) reads at its own pace: not watched.
    if (first && typeof first === 'object' && typeof first.submit === 'function') return query.apply(this, args);
    if (this.waiting++ === 0) this.progressAt = Date.now();
    let answered = false;
    const done = (err?: unknown) => {
      if (err) onError(err);
      if (answered) return;
      answered = true;
      this.waiting -= 1;
      this.progressAt = Date.now();
    };
    const last = args.length - 1;
    if (typeof args[last] === 'function') {
      const cb = args[last] as Callback;
      args[last] = (err: Error | null, res: unknown) => { done(err); cb(err, res); };
      return query.apply(this, args);
    }
    if (first && typeof first === 'object' && typeof first.callback === 'function') {
      const cb = first.callback as Callback;
      first.callback = (err: Error | null, res: unknown) => { done(err); cb(err, res); };
      return query.apply(this, args);
    }
    try {
      const r = query.apply(this, args) as Promise<unknown>;
      return r.then((res) => { done(); return res; }, (err: unknown) => { done(err); throw err; });
    } catch (err) {
      done(err);
      throw err;
    }
  };
  return Watched as unknown as typeof pg.Client;
}

/**
 * Watches `pool`'s clients for queries the server has not answered for `stallMs`. The server is
 * then checked on a new connection: any answer (a row, or an error of its own such as too many
 * connections) says it is alive and the queries are only long — they go on, and the next check
 * comes `stallMs` later; no answer within the bounds (a server or proxy that accepts and stays
 * silent, a network that drops everything) ends each stalled client's connection with an
 * ETIMEDOUT, so the request waiting on it is answered (503 `store_unavailable`) and the pool
 * opens a new connection for the next one. The watch ends with the pool.
 */
export function watchStalls(pool: pg.Pool, clientConfig: pg.ClientConfig, t: PostgresTimeouts): void {
  const clients = new Set<WatchedClient>();
  pool.on('connect', (c) => clients.add(c as unknown as WatchedClient));
  pool.on('remove', (c) => clients.delete(c as unknown as WatchedClient));
  let checking = false;
  let aliveAt = 0;
  const stalled = (now: number) => [...clients].filter((c) => c.waiting > 0 && now - c.progressAt >= t.stallMs);
  const tick = () => {
    if ((pool as unknown as { ending?: boolean }).ending) return clearInterval(timer);
    const now = Date.now();
    if (checking || now - aliveAt < t.stallMs || stalled(now).length === 0) return;
    checking = true;
    void serverAnswers(clientConfig, t).then((alive) => {
      checking = false;
      if (alive) {
        aliveAt = Date.now();
        return;
      }
      const s = t.stallMs / 1000;
      for (const c of stalled(Date.now())) {
        const err = silentServer(`PostgreSQL did not answer a query for ${s} s, nor a check on a new connection within ${(2 * t.connectMs) / 1000} s (TACT_DATABASE_STALL_MS, TACT_DATABASE_CONNECT_TIMEOUT_MS)`);
        (c as unknown as { connection?: { stream?: { destroy(e: Error): void } } }).connection?.stream?.destroy(err);
      }
    });
  };
  const timer = setInterval(tick, Math.max(50, Math.min(1_000, Math.floor(t.stallMs / 4))));
  timer.unref();
}

/** Whether the server answers a `SELECT 1` on a new connection within the bounds (an error of its own counts as an answer). */
async function serverAnswers(config: pg.ClientConfig, t: PostgresTimeouts): Promise<boolean> {
  const c = new pg.Client({ ...config, connectionTimeoutMillis: t.connectMs });
  c.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  let answered = false;
  try {
    await Promise.race([
      c.connect().then(() => c.query('SELECT 1')),
      new Promise<never>((_, reject) => { timer = setTimeout(() => reject(silentServer('no answer')), 2 * t.connectMs); }),
    ]);
    answered = true;
  } catch (err) {
    // A SQLSTATE is the server's own answer (53300 too many connections, 57P03 starting up …).
    const code = (err as { code?: unknown }).code;
    answered = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
  } finally {
    clearTimeout(timer);
  }
  // Not waited for; on a silent server the goodbye would get no answer either: its socket is closed.
  if (answered) void c.end().catch(() => undefined);
  else (c as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
  return answered;
}
