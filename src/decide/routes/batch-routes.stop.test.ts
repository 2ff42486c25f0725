import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, bearer, harness, send, type Harness } from '../../../test/harness.js';
import { RUN_HEADER } from '../batch/run-header.js';
import { shopConfig } from '../fixtures.js';
import { advertising } from '../test-http.js';

/**
 * POST /v1/decide/batch/{run}/stop: a batch run is stopped by the name its answer gives it, and its
 * stream goes on with every decision already made, then ends with `done` (stopped by `stopped`).
 */
describe('stopping a batch run', () => {
  let h: Harness;
  let url: string;
  const auth = { authorization: bearer(KEYS.server) };
  beforeAll(async () => {
    h = await harness('sqlite', { config: shopConfig() });
    for (let i = 0; i < 100; i++) await send(h.app, '/v1/identify', { userId: `r${i}`, context: advertising });
    url = await h.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => h.close());

  const start = () => fetch(`${url}/v1/decide/batch`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ placement: 'weekly-email', audience: 'true', includeNone: true }) });
  const stop = (run: string) => h.app.inject({ method: 'POST', url: `/v1/decide/batch/${run}/stop`, headers: auth });

  it('stops deciding once asked; the stream then holds every decision made, and ends with done, stopped', async () => {
    const decider = h.tact.decide.decider;
    const decide = decider.decide.bind(decider);
    // Slow decisions, so that the run is stopped midway.
    decider.decide = async (req) => (await new Promise((r) => setTimeout(r, 100)), decide(req));
    try {
      const res = await start();
      const run = res.headers.get(RUN_HEADER) as string;
      expect(run).toMatch(/^[0-9a-f-]{36}$/);
      const reader = res.body!.getReader();
      // The first line comes before any decision is made.
      let text = new TextDecoder().decode((await reader.read()).value);
      expect(JSON.parse(text.split('\n')[0])).toMatchObject({ type: 'progress', decided: 0 });
      const stopped = await stop(run);
      expect([stopped.statusCode, stopped.json()]).toEqual([200, { run, state: 'stopping' }]);
      for (let r = await reader.read(); !r.done; r = await reader.read()) text += new TextDecoder().decode(r.value);
      const lines = text.trim().split('\n').map((l) => JSON.parse(l) as { type: string; decided?: number; stoppedBy?: string });
      const done = lines.at(-1)!;
      expect(done).toMatchObject({ type: 'done', stoppedBy: 'stopped' });
      expect(done.decided).toBeLessThan(100);
      // Every decision made is in the stream (each is logged, and counts against caps and budgets).
      expect(lines.filter((l) => l.type === 'decision')).toHaveLength(done.decided as number);
      // Ended: a stop now says so.
      expect((await stop(run)).json()).toEqual({ run, state: 'ended' });
    } finally {
      decider.decide = decide;
    }
  });

  it('is a 404 naming the run for one this server process does not know', async () => {
    const r = await stop('no-such-run');
    expect([r.statusCode, r.json().error, r.json().message]).toEqual([404, 'not_found', 'No batch run of this server process matches `no-such-run`.']);
  });

  it('takes a server key', async () => {
    const r = await h.app.inject({ method: 'POST', url: '/v1/decide/batch/x/stop', headers: { authorization: `Basic ${Buffer.from(`${KEYS.write}:`).toString('base64')}` } });
    expect(r.statusCode).toBeGreaterThanOrEqual(401);
    expect(r.statusCode).toBeLessThan(404);
  });
});
