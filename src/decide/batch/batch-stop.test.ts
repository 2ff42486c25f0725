import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KEYS, bearer, harness, send, type Harness } from '../../../test/harness.js';
import { testDir } from '../../../test/tmp.js';
import { shopConfig } from '../fixtures.js';
import { advertising } from '../test-http.js';
import { askToStop, runBatch } from './batch-client.js';
import { closeServersAfterEach, serve } from './test-server.js';

closeServersAfterEach();

const PROFILES = 120;
const ids = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8').trim().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { decision: { decisionId: string } }).decision.decisionId).sort() : []);

/**
 * A run stopped — by Ctrl-C while a slow webhook paces the reading, or by the webhook taken for
 * down — against a running server that decides ahead of what the client has read (by what the
 * socket and fetch buffers hold). Every decision the server logged for the run must be in the
 * output file, and delivered or in the failed file: each counts against caps and budgets. Until
 * 2026-12-05 the client went away at once, and the decisions still on their way were in no file
 * (QA: 106 written, 1,027 logged).
 */
describe('a batch run stopped against a running server: every decision it logged is in the files', () => {
  let h: Harness;
  let url: string;
  let restore = () => {};
  beforeAll(async () => {
    h = await harness('sqlite', { config: shopConfig() });
    for (let i = 0; i < PROFILES; i++) await send(h.app, '/v1/identify', { userId: `s${i}`, context: advertising });
    url = await h.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => h.close());
  // Each decision takes 200 ms: the run is stopped well before its end, with decisions in flight.
  beforeEach(() => {
    const decider = h.tact.decide.decider;
    const decide = decider.decide.bind(decider);
    decider.decide = async (req) => (await new Promise((r) => setTimeout(r, 200)), decide(req));
    restore = () => (decider.decide = decide);
  });
  afterEach(() => restore());

  /** The decisions logged at the placement since `from`, once no more come (those in flight included). */
  const logged = async (from: string): Promise<string[]> => {
    let last: string[] = [];
    for (let same = 0; same < 3; ) {
      await new Promise((r) => setTimeout(r, 300));
      const r = await h.app.inject({ url: `/v1/decisions?placement=weekly-email&from=${from}&limit=1000`, headers: { authorization: bearer(KEYS.server) } });
      const now = (r.json() as { decisions: { decisionId: string }[] }).decisions.map((d) => d.decisionId).sort();
      same = now.length === last.length ? same + 1 : 0;
      last = now;
    }
    return last;
  };

  it('on Ctrl-C with a slow webhook: the server stops, and every decision it made is written, and delivered or in the failed file', async () => {
    const from = new Date(Date.now() - 1000).toISOString();
    const dir = testDir('tact-batch-stop-');
    const out = join(dir, 'send.jsonl');
    const stop = new AbortController();
    const delivered: string[] = [];
    // A webhook taking 300 ms a request; Ctrl-C while it takes the first batch.
    const hook = await serve((_req, res, body) => {
      stop.abort('SIGINT');
      setTimeout(() => (delivered.push(...(JSON.parse(body) as { decisions: { decision: { decisionId: string } }[] }).decisions.map((d) => d.decision.decisionId)), res.writeHead(200).end()), 300);
    });
    const s = await runBatch({ url, key: KEYS.server, placement: 'weekly-email', audience: 'true', includeNone: true, out, format: 'jsonl', webhook: hook, webhookBatch: 5, signal: stop.signal, graceMs: 1000, retry: { attempts: 1, baseMs: 1, maxMs: 1 } });
    const all = await logged(from);
    expect(s).toMatchObject({ stoppedBy: 'signal', error: 'stopped by SIGINT', partial: `${out}.partial` });
    expect(s.unreceived).toBeUndefined();
    // Stopped: not every subject was decided for.
    expect(all.length).toBeGreaterThan(0);
    expect(all.length).toBeLessThan(PROFILES);
    expect(ids(`${out}.partial`)).toEqual(all);
    // (A batch the client gave up on after the grace may still reach the receiver: at least once.)
    expect([...new Set([...delivered, ...ids(join(dir, 'send.jsonl.failed.jsonl'))])].sort()).toEqual(all);
    // The summary counts what the server made, as its last line says.
    expect([s.decided, s.received, s.written, s.delivered + s.failed]).toEqual([all.length, all.length, all.length, all.length]);
  });

  it('with the webhook taken for down: the server stops, and every decision it made is written and in the failed file', async () => {
    const from = new Date(Date.now() - 1000).toISOString();
    const dir = testDir('tact-batch-stop-');
    const out = join(dir, 'send.jsonl');
    let posts = 0;
    const hook = await serve((_req, res) => (posts++, res.writeHead(503).end()));
    const s = await runBatch({ url, key: KEYS.server, placement: 'weekly-email', audience: 'true', includeNone: true, out, format: 'jsonl', webhook: hook, webhookBatch: 5, retry: { attempts: 1, baseMs: 1, maxMs: 1 } });
    const all = await logged(from);
    expect(s.stoppedBy).toBe('webhook');
    expect(posts).toBe(3); // what came after was not tried
    expect(all.length).toBeLessThan(PROFILES);
    expect(ids(`${out}.partial`)).toEqual(all);
    expect(ids(join(dir, 'send.jsonl.failed.jsonl'))).toEqual(all);
    expect(s.decided).toBe(all.length);
  });

  it('says why, and goes away as before, when the server cannot be asked to stop the run', async () => {
    expect(await askToStop(url, KEYS.server, undefined)).toBe('the server names no run to stop (a server older than 2026-12-05)');
    expect(await askToStop(url, KEYS.server, 'no-such-run')).toBe('the server did not stop the run (HTTP 404: No batch run of this server process matches `no-such-run`.)');
    // An older server (no run named): the client goes away at once, and says what may be in no file.
    const old = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write(JSON.stringify({ type: 'progress', scanned: 0, total: 10, matched: 0, decided: 0, actions: 0 }) + '\n');
    });
    const stop = new AbortController();
    setTimeout(() => stop.abort('SIGINT'), 100);
    const s = await runBatch({ url: old, key: 'k', placement: 'weekly-email', audience: 'true', format: 'jsonl', out: join(testDir('tact-batch-stop-'), 'send.jsonl'), signal: stop.signal });
    expect(s).toMatchObject({ stoppedBy: 'signal', unreceived: 'the server names no run to stop (a server older than 2026-12-05)' });
  });
});
