import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KEYS, harness, send, type Harness } from '../../../test/harness.js';
import { testDir } from '../../../test/tmp.js';
import { shopConfig } from '../fixtures.js';
import { advertising } from '../test-http.js';
import { aheadOf, runBatch } from './batch-client.js';
import { closeServersAfterEach, serve } from './test-server.js';

closeServersAfterEach();

const PROFILES = 150;
const BATCH = 10;

/**
 * A run with a webhook decides at most aheadOf(--webhook-batch) decisions ahead of those the
 * webhook took (delivered, or in the failed file): each is logged and counts against caps and
 * budgets. Until 2026-12-06 only the socket's buffers held the server back (QA: 3,351 decided,
 * about 1,000 taken by a receiver taking 1 s a request).
 */
describe('a batch run with a slow or silent webhook: the server decides only so far ahead of it', () => {
  let h: Harness;
  let url: string;
  let made = 0;
  let restore = () => {};
  beforeAll(async () => {
    h = await harness('sqlite', { config: shopConfig() });
    for (let i = 0; i < PROFILES; i++) await send(h.app, '/v1/identify', { userId: `a${i}`, context: advertising });
    url = await h.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => h.close());
  // Every decision the server starts is counted (each is logged once made).
  beforeEach(() => {
    made = 0;
    const decider = h.tact.decide.decider;
    const decide = decider.decide.bind(decider);
    decider.decide = async (req) => (made++, decide(req));
    restore = () => (decider.decide = decide);
  });
  afterEach(() => restore());

  it('with a webhook that never answers: no more than the bound is decided, and each of those is in the files', async () => {
    const stop = new AbortController();
    let requests = 0;
    const hook = await serve(() => void requests++);
    const dir = testDir('tact-batch-ahead-');
    const run = runBatch({ url, key: KEYS.server, placement: 'weekly-email', audience: 'true', includeNone: true, out: join(dir, 'send.jsonl'), format: 'jsonl', webhook: hook, webhookBatch: BATCH, signal: stop.signal, graceMs: 200, retry: { attempts: 1, baseMs: 1, maxMs: 1 } });
    await new Promise((r) => setTimeout(r, 1500));
    // The webhook took none: the server has decided at most the bound.
    expect(requests).toBe(1);
    expect(made).toBeGreaterThanOrEqual(BATCH);
    expect(made).toBeLessThanOrEqual(aheadOf(BATCH));
    stop.abort('SIGINT');
    const s = await run;
    expect(made).toBeLessThanOrEqual(aheadOf(BATCH));
    expect(s).toMatchObject({ stoppedBy: 'signal', decided: made, written: made, delivered: 0, failed: made });
  });

  it('with a slow webhook: each time it is asked, the decisions made exceed those it answered for by at most the bound, and the run ends complete', async () => {
    let answered = 0;
    const ahead: number[] = [];
    const hook = await serve((_req, res, body) => {
      ahead.push(made - answered);
      setTimeout(() => {
        answered += (JSON.parse(body) as { decisions: unknown[] }).decisions.length;
        res.writeHead(200).end();
      }, 60);
    });
    const s = await runBatch({ url, key: KEYS.server, placement: 'weekly-email', audience: 'true', includeNone: true, format: 'jsonl', webhook: hook, webhookBatch: BATCH, retry: { attempts: 1, baseMs: 1, maxMs: 1 } });
    expect(s).toMatchObject({ stoppedBy: 'end', decided: PROFILES, delivered: PROFILES, failed: 0 });
    expect(ahead).toHaveLength(PROFILES / BATCH);
    expect(Math.max(...ahead)).toBeLessThanOrEqual(aheadOf(BATCH));
  });

  it('paces nothing without a webhook: a run to a file goes through the audience', async () => {
    const s = await runBatch({ url, key: KEYS.server, placement: 'weekly-email', audience: 'true', includeNone: true, out: join(testDir('tact-batch-ahead-'), 'send.jsonl'), format: 'jsonl' });
    expect(s).toMatchObject({ stoppedBy: 'end', decided: PROFILES, written: PROFILES });
  });
});
