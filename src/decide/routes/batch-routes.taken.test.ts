import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, bearer, harness, send, type Harness } from '../../../test/harness.js';
import { AHEAD_HEADER, RUN_HEADER } from '../batch/run-header.js';
import { shopConfig } from '../fixtures.js';
import { advertising } from '../test-http.js';

/**
 * A batch run paced by its client: asked with `tact-batch-ahead: N`, it makes at most N decisions
 * ahead of those the client says it has taken (POST /v1/decide/batch/{run}/taken).
 */
describe('pacing a batch run by what its client has taken', () => {
  let h: Harness;
  let url: string;
  const auth = { authorization: bearer(KEYS.server) };
  beforeAll(async () => {
    h = await harness('sqlite', { config: shopConfig() });
    for (let i = 0; i < 40; i++) await send(h.app, '/v1/identify', { userId: `t${i}`, context: advertising });
    url = await h.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => h.close());

  const taken = (run: string, n: unknown) => h.app.inject({ method: 'POST', url: `/v1/decide/batch/${run}/taken`, headers: auth, payload: { taken: n } });

  it('decides no further than N ahead of the count taken, and on as the count grows', async () => {
    const res = await fetch(`${url}/v1/decide/batch`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json', [AHEAD_HEADER]: '5' }, body: JSON.stringify({ placement: 'weekly-email', audience: 'true', includeNone: true }) });
    expect(res.headers.get(AHEAD_HEADER)).toBe('5');
    const run = res.headers.get(RUN_HEADER) as string;
    const reader = res.body!.getReader();
    let text = '';
    const decisions = () => text.split('\n').filter((l) => l.includes('"type":"decision"')).length;
    // (One read at a time: a read still pending when `readFor` gives up is the next call's.)
    let next = reader.read();
    /** Reads what comes within `ms`. */
    const readFor = async (ms: number) => {
      const until = Date.now() + ms;
      for (;;) {
        const left = until - Date.now();
        if (left <= 0) return;
        const r = await Promise.race([next, new Promise<undefined>((resolve) => setTimeout(resolve, left))]);
        if (!r || r.done) return;
        text += new TextDecoder().decode(r.value);
        next = reader.read();
      }
    };
    await readFor(500);
    expect(decisions()).toBe(5);
    expect((await taken(run, 3)).json()).toEqual({ run, taken: 3, state: 'running' });
    await readFor(300);
    expect(decisions()).toBe(8);
    // A lower count (a late answer) changes nothing.
    expect((await taken(run, 1)).json()).toMatchObject({ taken: 3 });
    await taken(run, 40);
    await readFor(1000);
    expect(decisions()).toBe(40);
    expect(text.trim().split('\n').at(-1)).toContain('"stoppedBy":"end"');
  });

  it('refuses a pace that is not a whole number from 1, naming the header', async () => {
    for (const bad of ['0', 'ten', '-3']) {
      const r = await h.app.inject({ method: 'POST', url: '/v1/decide/batch', headers: { ...auth, [AHEAD_HEADER]: bad }, payload: { placement: 'weekly-email', audience: 'true' } });
      expect(r.statusCode, bad).toBe(400);
      expect(r.json().message).toContain(`The \`${AHEAD_HEADER}\` header must be a whole number from 1`);
    }
  });

  it('is a 404 naming the run for one this server process does not know, and takes a server key', async () => {
    const r = await taken('no-such-run', 5);
    expect([r.statusCode, r.json().message]).toEqual([404, 'No batch run of this server process matches `no-such-run`.']);
    const w = await h.app.inject({ method: 'POST', url: '/v1/decide/batch/x/taken', headers: { authorization: `Basic ${Buffer.from(`${KEYS.write}:`).toString('base64')}` }, payload: { taken: 1 } });
    expect(w.statusCode).toBeGreaterThanOrEqual(401);
    expect(w.statusCode).toBeLessThan(404);
  });
});
