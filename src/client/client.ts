import { operations } from './operations.js';
import type { ApiErrorBody, DecideRequest, DecideResponse, Decision, DecisionPage, DecisionQuery, OutcomeRequest, OutcomeResponse, Profile } from './types.js';

export type * from './types.js';

/** How the client reaches Tact. */
export interface TactClientOptions {
  /** e.g. "https://tact.example.com", or with a path prefix: "https://example.com/tact/" */
  baseUrl: string;
  /** A server key (Node) — or, in a browser, the write key (public placements and outcomes of a decision only). */
  key: string;
  /** "bearer" for any key (default); "basic" sends the key as the Basic user name, which Tact takes for the write key only. */
  auth?: 'bearer' | 'basic';
  /** Another fetch (tests, proxies); default the global one. */
  fetch?: typeof fetch;
  /**
   * How long to wait for an answer, in milliseconds (default 10 000); then the call fails. Above 0;
   * `Infinity` (or anything beyond a timer's 2³¹−1 ms, about 24.8 days) waits as long as the network does.
   */
  timeoutMs?: number;
  /**
   * How many more times an outcome report is sent after a network failure, a timeout, or a 429 or
   * 5xx answer (default 2). It keeps its `messageId`, so Tact records it once. A decision is never
   * asked again: the first request may have been made and logged (it counts against caps). A whole
   * number, 0 or more.
   */
  retries?: number;
  /**
   * The wait before the first retry, doubled for each next one (default 250 ms; 0 or more, finite).
   * A 429 or 503 whose `Retry-After` asks for longer is waited for that long, up to 5 s.
   */
  retryDelayMs?: number;
  /** Sends outcome reports with fetch's `keepalive`, so a report made as the page unloads still arrives (browsers). */
  keepalive?: boolean;
}

/**
 * An error answer from Tact: its code, status, sentence and the fields that were wrong.
 *
 * @example
 * try { await tact.decide(req); } catch (e) { if (e instanceof TactApiError) console.log(e.status, e.code, e.problems); }
 */
export class TactApiError extends Error {
  /**
   * @param retryAfterMs How long the answer's `Retry-After` header asked to wait before trying
   *   again, in milliseconds (a 429 or 503); undefined when it did not say (a browser sees the
   *   header only when Tact's CORS answer exposes it).
   */
  constructor(readonly status: number, readonly body: ApiErrorBody, readonly retryAfterMs?: number) {
    super(body.message || `HTTP ${status}`);
    this.name = 'TactApiError';
  }
  /** Tact's stable error code (e.g. `validation_failed`); `http_<status>` for an answer not in Tact's shape (a proxy's). */
  get code(): string {
    return this.body.error;
  }
  /** The fields that were wrong (a validation error), else none. */
  get problems(): { field: string; message: string }[] {
    return this.body.problems ?? [];
  }
  /** What was likely meant, when Tact says (`unknown_identifier_kind`: `email:ana@example.com`; `unknown_name`), else undefined. */
  get suggestion(): string | undefined {
    return typeof this.body.suggestion === 'string' ? this.body.suggestion : undefined;
  }
}

/**
 * Tact could not be reached: no answer came (a server that is down, a host that does not resolve,
 * a refused TLS handshake, a connection cut; in a browser also a CORS refusal). The message names
 * the URL asked and the reason the runtime gave (`connect ECONNREFUSED 127.0.0.1:8787`); `cause`
 * is the runtime's own error. fetch alone says only "fetch failed" (Node) or "Failed to fetch"
 * (browsers). A timeout, or the caller's abort, is not this: it throws the signal's reason.
 *
 * @example
 * try { await tact.decide(req); } catch (e) { if (e instanceof TactNetworkError) console.log(e.url, e.cause); }
 */
export class TactNetworkError extends Error {
  constructor(readonly url: string, cause: unknown) {
    super(`Could not reach Tact at ${url}: ${unreachable(cause)}`, { cause });
    // Error's `cause` option is newer than some browsers still in use (Safari before 15).
    if (this.cause === undefined) this.cause = cause;
    this.name = 'TactNetworkError';
  }
}

/** Why fetch got no answer, in the runtime's words (Node's are in the error's `cause`), with what to check. */
function unreachable(e: unknown): string {
  const c = (e as { cause?: unknown } | undefined)?.cause as { code?: unknown; message?: unknown; errors?: { message?: unknown }[] } | undefined;
  // Node's fetch (undici): "fetch failed", the reason in `cause` — an AggregateError when every address of the host refused.
  const said = [c?.message, ...(c?.errors ?? []).map((x) => x?.message)].filter((m): m is string => typeof m === 'string' && m !== '');
  const reason = said.length ? [...new Set(said)].join('; ') : typeof c?.code === 'string' ? c.code : String((e as { message?: unknown })?.message ?? e);
  const code = typeof c?.code === 'string' ? c.code : '';
  const hint = code === 'ECONNREFUSED' ? ' (nothing listens there: is Tact running, and is `baseUrl` its address?)'
    : code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? ' (the host name does not resolve: check `baseUrl`)'
    : reason === 'Failed to fetch' || reason.startsWith('NetworkError') || reason === 'Load failed' ? ' (the browser gives no reason: Tact is down, `baseUrl` is wrong, or Tact refused this page\'s origin)'
    : '';
  return `${reason}${hint}.`;
}

/**
 * Base64 of the string's UTF-8 bytes (RFC 7617's charset="UTF-8"). btoa alone takes one byte per
 * character, so a key with a character beyond Latin-1 threw in the page instead of reaching Tact.
 */
function b64(s: string): string {
  const bytes = new TextEncoder().encode(s);
  return typeof btoa === 'function' ? btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join('')) : Buffer.from(bytes).toString('base64');
}

/** A new outcome id (crypto.randomUUID is missing on plain-http pages). */
function newId(): string {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  if (c?.randomUUID) return c.randomUUID();
  const bytes = new Uint8Array(16);
  if (c?.getRandomValues) c.getRandomValues(bytes);
  else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The error body of an answer: Tact's own, or one made from another server's (a proxy's). */
function errorBody(status: number, text: string, json: unknown): ApiErrorBody {
  const o = json && typeof json === 'object' ? (json as Partial<ApiErrorBody>) : undefined;
  if (o && typeof o.error === 'string') return o as ApiErrorBody;
  const message = typeof o?.message === 'string' ? o.message : text.trim().slice(0, 200) || `HTTP ${status}`;
  return { error: `http_${status}`, message, errorId: '' };
}

const retryable = (e: unknown) => (e instanceof TactApiError ? e.status === 429 || e.status >= 500 : true);
/** The longest delay a timer holds (2³¹−1 ms); a longer one fires at once (setTimeout overflows to 1 ms). */
const MAX_TIMER = 2 ** 31 - 1;
/** The longest `Retry-After` an outcome's retry waits for: a report is worth little minutes later, and a page may be leaving. */
const MAX_RETRY_AFTER_MS = 5_000;

/** A `Retry-After` header in milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3); undefined for none or one it cannot read. */
export function readRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** A timeout: above 0, Infinity — or anything a timer cannot hold — for none. */
function timeoutOption(v: unknown): number {
  if (v === undefined) return 10_000;
  if (typeof v !== 'number' || Number.isNaN(v) || v <= 0) throw new RangeError(`createTactClient: \`timeoutMs\` is ${String(v)}; give a number of milliseconds above 0, or Infinity for no limit.`);
  return v > MAX_TIMER ? Infinity : v;
}

/** A count or a delay that must be a finite number, 0 or more (a whole number for a count). */
function countOption(name: string, v: unknown, fallback: number, whole: boolean): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (whole && !Number.isInteger(v))) {
    throw new RangeError(`createTactClient: \`${name}\` is ${String(v)}; give ${whole ? 'a whole number, 0 or more' : 'a number of milliseconds, 0 or more'}.`);
  }
  return v;
}

/** `baseUrl` as fetch will read it: an http(s) URL (a page's relative one against its own address). */
function baseOption(v: unknown): string {
  const text = typeof v === 'string' ? v.trim() : '';
  let url: URL | undefined;
  try {
    url = new URL(text, (globalThis as { location?: { href?: string } }).location?.href);
  } catch {
    url = undefined;
  }
  if (!text || !url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    const guess = /^[\w.-]+(:\d+)?(\/|$)/.test(text) && !/^https?:/i.test(text) ? `: did you mean \`http://${text}\`?` : ', e.g. `https://tact.example.com`.';
    throw new TypeError(`createTactClient: \`baseUrl\` ${JSON.stringify(v)} is not an http(s) address of Tact${guess}`);
  }
  return text.replace(/\/+$/, '');
}

/** Waits `ms` (at most a timer's longest), or rejects with the caller's reason as soon as its signal aborts (a retry's backoff). */
function sleep(ms: number, caller?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const stop = () => {
      clearTimeout(timer);
      reject(caller?.reason);
    };
    const timer = setTimeout(() => {
      caller?.removeEventListener('abort', stop);
      resolve();
    }, Math.min(ms, MAX_TIMER));
    caller?.addEventListener('abort', stop, { once: true });
  });
}

/** Options of one call. */
export interface CallOptions {
  /** Stops the call (and its retries), e.g. when the page or component that asked has moved on; it then throws the signal's reason (an `AbortError`). */
  signal?: AbortSignal;
}

/**
 * A signal that aborts after `ms` (never for Infinity) or when the caller's does. Made by hand, not with
 * AbortSignal.timeout/any, which browsers still in use lack (Safari before 16 and 17.4): there the
 * call would have had no timeout at all. `done` clears the timer once the answer is read.
 */
function deadline(ms: number, caller?: AbortSignal): { signal: AbortSignal; done(): void } {
  const c = new AbortController();
  const onAbort = () => c.abort(caller?.reason);
  const timer = ms === Infinity ? undefined : setTimeout(() => c.abort(typeof DOMException === 'function' ? new DOMException(`The call timed out after ${ms} ms.`, 'TimeoutError') : new Error(`The call timed out after ${ms} ms.`)), ms);
  if (caller?.aborted) onAbort();
  else caller?.addEventListener('abort', onAbort, { once: true });
  return { signal: c.signal, done: () => { clearTimeout(timer); caller?.removeEventListener('abort', onAbort); } };
}

/**
 * A typed client for the decision, outcome and profile APIs; runs in Node 18+ and browsers.
 *
 * @example
 * const tact = createTactClient({ baseUrl: 'http://127.0.0.1:8787', key: process.env.TACT_SERVER_KEY! });
 * const d = await tact.decide({ subject: 'ana', placement: 'home' });
 * await tact.outcome({ decisionId: d.decisionId, type: 'click', action: d.choices[0].action });
 */
export function createTactClient(o: TactClientOptions) {
  const f = o.fetch ?? fetch;
  // Options a call could only misread are refused here, by name: a `timeoutMs` of 0, NaN or beyond a
  // timer's reach timed every call out at once (a timer overflows to 1 ms); a NaN `retries` retried for ever.
  const base = baseOption(o.baseUrl);
  const timeoutMs = timeoutOption(o.timeoutMs);
  const retriesOf = countOption('retries', o.retries, 2, true);
  const retryDelayMs = countOption('retryDelayMs', o.retryDelayMs, 250, false);
  const authorization = o.auth === 'basic' ? `Basic ${b64(`${o.key}:`)}` : `Bearer ${o.key}`;
  async function once<T>(url: string, init: RequestInit, caller?: AbortSignal): Promise<T> {
    if (caller?.aborted) throw caller.reason;
    const { signal, done } = deadline(timeoutMs, caller);
    let res: Response;
    let text: string;
    try {
      res = await f(url, { ...init, signal });
      text = await res.text();
    } catch (e) {
      // A timeout or the caller's abort throws its reason; anything else is no answer at all.
      if (signal.aborted) throw e;
      throw new TactNetworkError(url, e);
    } finally {
      done();
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!res.ok) throw new TactApiError(res.status, errorBody(res.status, text, json), readRetryAfter(res.headers.get('retry-after')));
    if (json === undefined) throw new TactApiError(res.status, { error: 'invalid_response', message: `The answer (HTTP ${res.status}) is not JSON: is baseUrl Tact's address?`, errorId: '' });
    return json as T;
  }
  async function call<T>(name: keyof typeof operations, opts: CallOptions | undefined, params: Record<string, string> = {}, body?: object, query?: Record<string, unknown>): Promise<T> {
    const op = operations[name];
    let path: string = op.path;
    for (const [k, v] of Object.entries(params)) {
      // An empty one leaves the path another route's: `decision('')` asked GET /v1/decisions/, the log's list.
      if (v === '') throw new TactApiError(400, { error: 'validation_failed', message: `The \`${k}\` is empty: name the ${k === 'id' ? 'decision by its `decisionId`' : 'profile by an identifier of theirs'}.`, errorId: '', problems: [{ field: k, message: `The \`${k}\` is empty.` }] });
      // A URL collapses a path segment `.` or `..` (also written %2E): the request would go to
      // another route or lose its parameter (`GET /v1/.` for the profile `..`).
      if (v === '.' || v === '..') throw new TactApiError(400, { error: 'validation_failed', message: `The \`${k}\` ${JSON.stringify(v)} cannot travel in a URL path (a URL drops a segment made of dots)${k === 'identifier' ? `: name its kind, \`userId:${v}\` or \`anonymousId:${v}\`` : ''}.`, errorId: '', problems: [{ field: k, message: `A URL drops a path segment made of dots.` }] });
      path = path.replace(`{${k}}`, encodeURIComponent(v));
    }
    // null is no value either: a page's `next` is null at the end, and passed back as `after` it was sent as "null".
    const qs = query ? Object.entries(query).filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`).join('&') : '';
    const isOutcome = name === 'outcome';
    const init: RequestInit = {
      method: op.method,
      headers: { authorization, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
      ...(isOutcome && o.keepalive ? { keepalive: true } : {}),
    };
    const url = `${base}${path}${qs ? `?${qs}` : ''}`;
    const retries = isOutcome ? retriesOf : 0;
    for (let attempt = 0; ; attempt++) {
      try {
        return await once<T>(url, init, opts?.signal);
      } catch (e) {
        if (attempt >= retries || !retryable(e) || opts?.signal?.aborted) throw e;
        // A busy server's Retry-After (429, 503) is waited for when longer than the backoff, up to 5 s.
        const asked = e instanceof TactApiError && e.retryAfterMs !== undefined ? Math.min(e.retryAfterMs, MAX_RETRY_AFTER_MS) : 0;
        await sleep(Math.max(retryDelayMs * 2 ** attempt, asked), opts?.signal);
      }
    }
  }
  /**
   * A bare identifier is looked up as userId, then anonymousId, then e-mail. One made only of dots
   * cannot be a path segment (a URL collapses it), so its kinds are asked one by one, as the
   * server would try them (until 2026-12-05 `profile('..')` asked `GET /v1/.` — a 404 "no route").
   */
  async function profile(identifier: string, opts?: CallOptions & { events?: number }): Promise<Profile> {
    const query = opts?.events === undefined ? undefined : { events: opts.events };
    if (identifier !== '.' && identifier !== '..') return call<Profile>('profile', opts, { identifier }, undefined, query);
    try {
      return await call<Profile>('profile', opts, { identifier: `userId:${identifier}` }, undefined, query);
    } catch (e) {
      if (!(e instanceof TactApiError) || e.status !== 404) throw e;
      return call<Profile>('profile', opts, { identifier: `anonymousId:${identifier}` }, undefined, query);
    }
  }
  return {
    /** Asks for a decision (never sent twice: see `retries`). */
    decide: (req: DecideRequest, opts?: CallOptions) => call<DecideResponse>('decide', opts, {}, req),
    /** Reports an outcome (impression, click, dismissal, conversion …); given a `messageId` if it has none, kept across retries. */
    outcome: (req: OutcomeRequest, opts?: CallOptions) => call<OutcomeResponse>('outcome', opts, {}, { ...req, messageId: req.messageId ?? newId() }),
    /** One logged decision with its full explanation and outcomes (server key). */
    decision: (id: string, opts?: CallOptions) => call<Decision>('decision', opts, { id }),
    /** The decision log, newest first (server key); `next` is the cursor of the next page (`after`), null on the last. */
    decisions: (q: DecisionQuery = {}, opts?: CallOptions) => call<DecisionPage>('decisions', opts, {}, undefined, q as Record<string, unknown>),
    /** A profile's facts (server key); `events`: how many recent events it lists (default 20). */
    profile: (identifier: string, opts?: CallOptions & { events?: number }) => profile(identifier, opts),
  };
}

/** The client's methods (decide, outcome, decision, decisions, profile). */
export type TactClient = ReturnType<typeof createTactClient>;
