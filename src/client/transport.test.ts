import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { KEYS, harness, send, type Harness } from '../../test/harness.js';
import { shopConfig } from '../decide/fixtures.js';
import { createTactClient, TactApiError } from './client.js';

const answer = (status: number, body: string, type = 'application/json') => new Response(body, { status, headers: { 'content-type': type } });

describe('the client on the wire', () => {
  let h: Harness;
  let url: string;
  beforeAll(async () => {
    h = await harness('sqlite', { config: shopConfig() });
    await send(h.app, '/v1/identify', { userId: 'ana', context: { consent: { categoryPreferences: { Advertising: true } } } });
    url = await h.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => h.close());

  it('retries an outcome whose answer was lost with the same messageId, and it is recorded once', async () => {
    const bodies: { messageId?: string }[] = [];
    let lost = 1;
    const flaky: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (String(input).endsWith('/v1/outcomes')) bodies.push(JSON.parse(String(init?.body)));
      if (String(input).endsWith('/v1/outcomes') && lost-- > 0) throw new TypeError('fetch failed');
      return res;
    };
    const tact = createTactClient({ baseUrl: url, key: KEYS.server, fetch: flaky, retryDelayMs: 1 });
    const d = await tact.decide({ subject: 'ana', placement: 'home' });
    const o = await tact.outcome({ decisionId: d.decisionId, action: d.choices[0].action, type: 'click' });
    expect(o.duplicate).toBe(true);
    expect(bodies).toHaveLength(2);
    expect(bodies[0].messageId).toBeTruthy();
    expect(bodies[1].messageId).toBe(bodies[0].messageId);
    expect((await tact.decision(d.decisionId)).outcomes?.map((x) => x.type)).toEqual(['click']);
  });

  it('does not ask for a decision again after a network failure (it may have been made)', async () => {
    let calls = 0;
    const down: typeof fetch = async () => {
      calls++;
      throw new TypeError('fetch failed');
    };
    const tact = createTactClient({ baseUrl: 'http://127.0.0.1:9', key: KEYS.server, fetch: down, retryDelayMs: 1 });
    await expect(tact.decide({ subject: 'ana', placement: 'home' })).rejects.toThrow('fetch failed');
    expect(calls).toBe(1);
  });

  it('gives up after timeoutMs when the server does not answer', async () => {
    const hang: typeof fetch = (_i, init) => new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)));
    const tact = createTactClient({ baseUrl: 'http://127.0.0.1:9', key: KEYS.server, fetch: hang, timeoutMs: 50 });
    await expect(tact.decide({ subject: 'ana', placement: 'home' })).rejects.toThrow(/timed out|aborted/i);
  }, 2000);

  it('stops a call when the caller\'s signal aborts (a page that moved on), and does not send it again', async () => {
    let calls = 0;
    const hang: typeof fetch = (_i, init) => new Promise((_resolve, reject) => {
      calls++;
      init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
    });
    const tact = createTactClient({ baseUrl: 'http://127.0.0.1:9', key: KEYS.server, fetch: hang, retryDelayMs: 1 });
    const c = new AbortController();
    setTimeout(() => c.abort(), 20);
    const err = (await tact.outcome({ decisionId: 'd', type: 'click' }, { signal: c.signal }).catch((e: unknown) => e)) as Error;
    expect(err.name).toBe('AbortError');
    expect(calls).toBe(1);
    const gone = new AbortController();
    gone.abort();
    await expect(tact.decide({ subject: 'ana', placement: 'home' }, { signal: gone.signal })).rejects.toThrow(/abort/i);
    expect(calls).toBe(1);
  }, 2000);

  it('stops at once when the caller\'s signal aborts while it waits to send an outcome again', async () => {
    let calls = 0;
    const down: typeof fetch = async () => (calls++, answer(503, '{"error":"unavailable","message":"Try again.","errorId":""}'));
    const tact = createTactClient({ baseUrl: 'http://x', key: 'k', fetch: down, retryDelayMs: 60_000 });
    const c = new AbortController();
    setTimeout(() => c.abort(), 50);
    const started = Date.now();
    const err = (await tact.outcome({ decisionId: 'd', type: 'click' }, { signal: c.signal }).catch((e: unknown) => e)) as Error;
    expect([err.name, calls]).toEqual(['AbortError', 1]);
    expect(Date.now() - started).toBeLessThan(1000);
  }, 5000);

  it('still times out where AbortSignal.timeout is missing (Safari before 16)', async () => {
    const timeout = AbortSignal.timeout;
    (AbortSignal as { timeout?: unknown }).timeout = undefined;
    try {
      const hang: typeof fetch = (_i, init) => new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)));
      const tact = createTactClient({ baseUrl: 'http://127.0.0.1:9', key: KEYS.server, fetch: hang, timeoutMs: 50 });
      await expect(tact.decide({ subject: 'ana', placement: 'home' })).rejects.toThrow(/timed out|aborted/i);
    } finally {
      AbortSignal.timeout = timeout;
    }
  }, 2000);

  it('throws a typed error for a success answer that is not JSON, instead of returning it as a decision', async () => {
    const proxy: typeof fetch = async () => answer(200, '<html>Sign in</html>', 'text/html');
    const err = await createTactClient({ baseUrl: 'http://x', key: 'k', fetch: proxy }).decide({ subject: 'ana', placement: 'home' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TactApiError);
    expect((err as TactApiError).code).toBe('invalid_response');
  });

  it('gives an error answer in another shape (a proxy\'s) a code and a message', async () => {
    const proxy: typeof fetch = async () => answer(502, '{"message":"upstream down"}');
    const err = (await createTactClient({ baseUrl: 'http://x', key: 'k', fetch: proxy }).decide({ subject: 'ana', placement: 'home' }).catch((e: unknown) => e)) as TactApiError;
    expect([err.status, err.code, err.message]).toEqual([502, 'http_502', 'upstream down']);
  });

  it('carries the API\'s error: status, code and the fields that were wrong', async () => {
    const err = (await createTactClient({ baseUrl: url, key: KEYS.server }).outcome({ type: 'click' }).catch((e: unknown) => e)) as TactApiError;
    expect([err.status, err.code, err.problems.map((p) => p.field)]).toEqual([400, 'validation_failed', ['decisionId']]);
  });

  it('joins paths to a base URL with a path prefix, with or without trailing slashes', async () => {
    const seen: string[] = [];
    const spy: typeof fetch = async (input) => {
      seen.push(String(input));
      return answer(200, '{"decisions":[]}');
    };
    for (const baseUrl of ['https://x.example/tact', 'https://x.example/tact/', 'https://x.example/tact//']) {
      await createTactClient({ baseUrl, key: 'k', fetch: spy }).decisions({ subject: 'a b' });
    }
    expect(new Set(seen)).toEqual(new Set(['https://x.example/tact/v1/decisions?subject=a%20b']));
    // A last page's `next` (null) passed back as `after` is no cursor: left out, not sent as "null".
    seen.length = 0;
    await createTactClient({ baseUrl: 'https://x.example', key: 'k', fetch: spy }).decisions({ subject: 'a', after: null as unknown as string });
    expect(seen).toEqual(['https://x.example/v1/decisions?subject=a']);
  });

  it('sends a server key as Bearer, and a write key as Basic only when asked', async () => {
    const auth: string[] = [];
    const spy: typeof fetch = async (_i, init) => {
      auth.push((init?.headers as Record<string, string>).authorization);
      return answer(200, '{"decisions":[]}');
    };
    await createTactClient({ baseUrl: 'http://x', key: 'sk', fetch: spy }).decisions();
    await createTactClient({ baseUrl: 'http://x', key: 'wk', auth: 'basic', fetch: spy }).decisions();
    expect(auth).toEqual(['Bearer sk', `Basic ${btoa('wk:')}`]);
  });

  it('sends a write key with characters beyond Latin-1 as UTF-8 Basic credentials (RFC 7617), where btoa is and where it is not', async () => {
    // A key pasted with a typographic character ("wk_…", a curly quote) must reach Tact (and be
    // refused there with a sentence), not throw btoa's InvalidCharacterError in the page.
    const key = 'wk_é…ключ';
    const auth: string[] = [];
    const spy: typeof fetch = async (_i, init) => {
      auth.push((init?.headers as Record<string, string>).authorization);
      return answer(200, '{"decisions":[]}');
    };
    await createTactClient({ baseUrl: 'http://x', key, auth: 'basic', fetch: spy }).decisions();
    vi.stubGlobal('btoa', undefined); // Node before 16: the Buffer path
    try {
      await createTactClient({ baseUrl: 'http://x', key, auth: 'basic', fetch: spy }).decisions();
    } finally {
      vi.unstubAllGlobals();
    }
    const utf8 = `Basic ${Buffer.from(`${key}:`, 'utf8').toString('base64')}`;
    expect(auth).toEqual([utf8, utf8]);
  });

  it('answers a write key Tact does not hold, even one beyond Latin-1, with Tact\'s 401', async () => {
    const err = await createTactClient({ baseUrl: url, key: 'wk_ключ', auth: 'basic' }).decide({ subject: 'ana', placement: 'home' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TactApiError);
    expect((err as TactApiError).status).toBe(401);
  });
});
