import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, harness, send, type Harness } from '../../test/harness.js';
import { shopConfig } from '../decide/fixtures.js';
import { createTactClient, readRetryAfter, TactApiError, TactNetworkError } from './client.js';

const answer = (status: number, body: string, headers: Record<string, string> = {}) => new Response(body, { status, headers: { 'content-type': 'application/json', ...headers } });
const busy = '{"error":"overloaded","message":"Busy.","errorId":""}';

/** A port on 127.0.0.1 where nothing listens: one the system gave a server that is closed again. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

/**
 * QA, 2026-12-05: the client's options were taken unchecked (`timeoutMs: Infinity` or 3e9 timed
 * every call out at once — a timer overflows to 1 ms; 0, -1 and NaN were taken), a server that is
 * down said only "fetch failed", a 429/503's Retry-After was not waited for, `decision('')` asked
 * GET /v1/decisions/ (the log's list), and an error's `suggestion` was not typed.
 */
describe('the client when something is wrong', () => {
  let h: Harness;
  let url: string;
  beforeAll(async () => {
    h = await harness('sqlite', { config: shopConfig() });
    await send(h.app, '/v1/identify', { userId: 'ana', context: { consent: { categoryPreferences: { Advertising: true } } } });
    url = await h.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => h.close());

  it('waits without limit for timeoutMs Infinity, and for one beyond a timer\'s reach (2^31 - 1 ms), instead of timing out at once', async () => {
    for (const timeoutMs of [Infinity, 3e9, 2 ** 31]) {
      const slow: typeof fetch = (input, init) => new Promise((resolve, reject) => {
        const t = setTimeout(() => resolve(fetch(input, init)), 30);
        init?.signal?.addEventListener('abort', () => (clearTimeout(t), reject(init.signal?.reason)));
      });
      const d = await createTactClient({ baseUrl: url, key: KEYS.server, fetch: slow, timeoutMs }).decide({ subject: 'ana', placement: 'home' });
      expect(d.decisionId, String(timeoutMs)).toBeTruthy();
    }
  });

  it('refuses at creation, by name, a timeoutMs, retries or retryDelayMs it could only misread', () => {
    const make = (o: object) => () => createTactClient({ baseUrl: 'http://x', key: 'k', ...o });
    for (const timeoutMs of [0, -1, NaN, -Infinity, '5000']) expect(make({ timeoutMs }), String(timeoutMs)).toThrow(/`timeoutMs` is .*above 0, or Infinity for no limit/);
    for (const retries of [-1, NaN, 1.5, Infinity]) expect(make({ retries }), String(retries)).toThrow(/`retries` is .*a whole number, 0 or more/);
    for (const retryDelayMs of [-1, NaN, Infinity]) expect(make({ retryDelayMs }), String(retryDelayMs)).toThrow(/`retryDelayMs` is .*0 or more/);
    expect(make({ timeoutMs: 1, retries: 0, retryDelayMs: 0 })).not.toThrow();
  });

  it('refuses at creation a baseUrl that is not an http(s) address, suggesting the one meant', () => {
    expect(() => createTactClient({ baseUrl: 'localhost:8787', key: 'k' })).toThrow('`baseUrl` "localhost:8787" is not an http(s) address of Tact: did you mean `http://localhost:8787`?');
    expect(() => createTactClient({ baseUrl: 'ftp://tact.example.com', key: 'k' })).toThrow(TypeError);
    expect(() => createTactClient({ baseUrl: '', key: 'k' })).toThrow(/`baseUrl` "" is not/);
  });

  it('waits a backoff beyond a timer\'s reach as the longest a timer holds, not at once (it overflowed to 1 ms)', async () => {
    let calls = 0;
    const down: typeof fetch = async () => (calls++, answer(503, busy));
    const c = new AbortController();
    setTimeout(() => c.abort(), 150);
    const err = (await createTactClient({ baseUrl: 'http://x', key: 'k', fetch: down, retryDelayMs: 3e9 }).outcome({ decisionId: 'd', type: 'click' }, { signal: c.signal }).catch((e: unknown) => e)) as Error;
    expect([err.name, calls]).toEqual(['AbortError', 1]);
  });

  it('says which address could not be reached and why, keeping the runtime\'s error as `cause` (a server that is down)', async () => {
    const port = await closedPort();
    const err = (await createTactClient({ baseUrl: `http://127.0.0.1:${port}`, key: 'k' }).decide({ subject: 'ana', placement: 'home' }).catch((e: unknown) => e)) as TactNetworkError;
    expect(err).toBeInstanceOf(TactNetworkError);
    expect(err.name).toBe('TactNetworkError');
    expect(err.url).toBe(`http://127.0.0.1:${port}/v1/decide`);
    expect(err.message).toBe(`Could not reach Tact at http://127.0.0.1:${port}/v1/decide: connect ECONNREFUSED 127.0.0.1:${port} (nothing listens there: is Tact running, and is \`baseUrl\` its address?).`);
    expect((err.cause as { cause?: { code?: string } }).cause?.code).toBe('ECONNREFUSED');
  });

  it('names a host that does not resolve, and says a browser gives no reason', async () => {
    const dns: typeof fetch = async () => { throw new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND tact.invalid'), { code: 'ENOTFOUND' }) }); };
    const e1 = await createTactClient({ baseUrl: 'http://tact.invalid', key: 'k', fetch: dns }).decide({ subject: 'ana', placement: 'home' }).catch((e: unknown) => e);
    expect((e1 as Error).message).toBe('Could not reach Tact at http://tact.invalid/v1/decide: getaddrinfo ENOTFOUND tact.invalid (the host name does not resolve: check `baseUrl`).');
    const browser: typeof fetch = async () => { throw new TypeError('Failed to fetch'); };
    const e2 = await createTactClient({ baseUrl: 'https://tact.example.com', key: 'k', fetch: browser }).decide({ subject: 'ana', placement: 'home' }).catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(TactNetworkError);
    expect((e2 as Error).message).toMatch(/^Could not reach Tact at https:\/\/tact.example.com\/v1\/decide: Failed to fetch \(the browser gives no reason/);
  });

  it('waits for a 503\'s Retry-After before sending an outcome again, up to 5 s', async () => {
    for (const [header, low, high] of [['1', 950, 2500], ['3600', 4950, 6500]] as const) {
      const at: number[] = [];
      const busyOnce: typeof fetch = async () => (at.push(Date.now()), at.length === 1 ? answer(503, busy, { 'retry-after': header }) : answer(200, '{"recorded":[],"duplicate":false}'));
      await createTactClient({ baseUrl: 'http://x', key: 'k', fetch: busyOnce, retryDelayMs: 1 }).outcome({ decisionId: 'd', type: 'click' });
      expect(at).toHaveLength(2);
      expect(at[1] - at[0], `Retry-After: ${header}`).toBeGreaterThanOrEqual(low);
      expect(at[1] - at[0], `Retry-After: ${header}`).toBeLessThan(high);
    }
  }, 15_000);

  it('reads Retry-After as seconds or an HTTP date, and carries it on the error', async () => {
    const now = Date.parse('2026-12-05T10:00:00Z');
    expect([readRetryAfter('2', now), readRetryAfter('Sat, 05 Dec 2026 10:00:03 GMT', now), readRetryAfter('soon', now), readRetryAfter(null, now)]).toEqual([2000, 3000, undefined, undefined]);
    const limited: typeof fetch = async () => answer(429, '{"error":"rate_limited","message":"Slow down.","errorId":""}', { 'retry-after': '7' });
    const err = (await createTactClient({ baseUrl: 'http://x', key: 'k', fetch: limited }).decide({ subject: 'ana', placement: 'home' }).catch((e: unknown) => e)) as TactApiError;
    expect([err.status, err.retryAfterMs]).toEqual([429, 7000]);
  });

  it('refuses an empty id or identifier without a request (`decision(\'\')` asked for the decision log\'s list)', async () => {
    let calls = 0;
    const spy: typeof fetch = async () => (calls++, answer(200, '{"decisions":[],"next":null}'));
    const tact = createTactClient({ baseUrl: 'http://x', key: 'k', fetch: spy });
    const e1 = (await tact.decision('').catch((e: unknown) => e)) as TactApiError;
    expect([e1.status, e1.code, e1.problems.map((p) => p.field), e1.message]).toEqual([400, 'validation_failed', ['id'], 'The `id` is empty: name the decision by its `decisionId`.']);
    const e2 = (await tact.profile('').catch((e: unknown) => e)) as TactApiError;
    expect([e2.status, e2.problems.map((p) => p.field)]).toEqual([400, ['identifier']]);
    expect(calls).toBe(0);
  });

  it('gives the identifier Tact suggests for a misspelt kind as `suggestion`', async () => {
    const err = (await createTactClient({ baseUrl: url, key: KEYS.server }).profile('emial:ana@example.com').catch((e: unknown) => e)) as TactApiError;
    expect([err.status, err.code, err.suggestion]).toEqual([404, 'unknown_identifier_kind', 'email:ana@example.com']);
    expect(err.body.suggestion).toBe('email:ana@example.com');
  });
});
