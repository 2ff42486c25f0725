import { createServer } from 'node:http';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testDir } from '../../../test/tmp.js';
import { runBatch } from './batch-client.js';
import { DEFAULT_RETRY, deliver, retryAfterMs } from './webhook.js';
import { CSV_COLUMNS, csvRows, type BatchDecision } from './writers.js';
import { closeServersAfterEach, serve } from './test-server.js';

closeServersAfterEach();

const decision = (i: number, kind = 'action'): BatchDecision & { type: string } => ({
  type: 'decision', subject: `profile:p${i}`, profileId: `p${i}`,
  decision: { decisionId: `d${i}`, placement: 'weekly-email', choices: [{ rank: 1, kind, ...(kind === 'action' ? { action: 'shoes-offer', score: 1.5, propensity: 1 } : {}) }] },
});
const progress = { scanned: 3, total: 10, matched: 3, decided: 3, actions: 3 };

/** A decision server that streams three decisions, then stops: cleanly (no final line) or by dropping the connection. */
const cutShort = (how: 'end' | 'drop') => serve((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  res.write([{ type: 'progress', ...progress }, decision(1), decision(2), decision(3)].map((l) => JSON.stringify(l) + '\n').join(''));
  setTimeout(() => (how === 'end' ? res.end() : res.socket?.destroy()), 50);
});

describe('batch output', () => {
  it('reports progress as each decision comes, not only on the server\'s progress lines (every 1,000 profiles)', async () => {
    const url = await serve((_req, res) => res.writeHead(200).end([{ type: 'progress', ...progress, scanned: 0, matched: 0, decided: 0, actions: 0 }, decision(1), decision(2), decision(3), { type: 'done', ...progress, stoppedBy: 'end' }].map((l) => JSON.stringify(l) + '\n').join('')));
    const seen: number[] = [];
    await runBatch({ url, key: 'k', placement: 'weekly-email', audience: 'true', out: join(testDir('tact-batch-'), 'send.jsonl'), format: 'jsonl', onProgress: (p) => seen.push(p.decided) });
    expect(seen).toEqual([0, 1, 2, 3, 3]);
  });

  it('gives every CSV row as many fields as the header, with or without an action or send time', () => {
    for (const row of [...csvRows(decision(1)), ...csvRows(decision(2, 'none'))]) expect(row.split(',')).toHaveLength(CSV_COLUMNS.length);
  });

  for (const how of ['end', 'drop'] as const) {
    it(`reports a stream cut short (${how}), delivers what it received, and keeps the output apart from a complete one`, async () => {
      const dir = testDir('tact-batch-');
      const out = join(dir, 'send.jsonl');
      writeFileSync(out, 'last week\'s complete file\n');
      const got: unknown[] = [];
      const hook = await serve((_req, res, body) => (got.push(...(JSON.parse(body) as { decisions: unknown[] }).decisions), res.writeHead(200).end()));
      const s = await runBatch({ url: await cutShort(how), key: 'k', placement: 'weekly-email', audience: 'true', out, format: 'jsonl', webhook: `${hook}/hook`, retry: { attempts: 1, baseMs: 1, maxMs: 1 } });
      expect(s).toMatchObject({ stoppedBy: 'interrupted', written: 3, delivered: 3, partial: `${out}.partial` });
      expect(s.error).toMatch(/./);
      // The server may have made decisions past the last line received: the command says how to list them.
      expect(s.brokeOff).toBe(s.error);
      expect(s.unreceived).toBeUndefined();
      expect(got).toHaveLength(3);
      expect(readFileSync(out, 'utf8')).toBe('last week\'s complete file\n');
      expect(readFileSync(`${out}.partial`, 'utf8').trim().split('\n')).toHaveLength(3);
    });
  }

  it('writes the output under its own name only once the run is complete', async () => {
    const dir = testDir('tact-batch-');
    const out = join(dir, 'send.csv');
    const url = await serve((_req, res) => res.writeHead(200).end([decision(1), { type: 'done', ...progress, stoppedBy: 'end' }].map((l) => JSON.stringify(l) + '\n').join('')));
    const s = await runBatch({ url, key: 'k', placement: 'weekly-email', audience: 'true', out, format: 'csv' });
    expect(s).toMatchObject({ stoppedBy: 'end', written: 1 });
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(2);
    expect(existsSync(`${out}.partial`)).toBe(false);
  });

  it('writes to a pipe (e.g. /dev/stdout, a named pipe) straight, with no file beside it', async () => {
    const dir = testDir('tact-batch-');
    const fifo = join(dir, 'decisions');
    execFileSync('mkfifo', [fifo]);
    const reader = spawn('cat', [fifo]);
    let read = '';
    reader.stdout.on('data', (d) => (read += String(d)));
    const url = await serve((_req, res) => res.writeHead(200).end([decision(1), { type: 'done', ...progress, stoppedBy: 'end' }].map((l) => JSON.stringify(l) + '\n').join('')));
    try {
      const s = await runBatch({ url, key: 'k', placement: 'weekly-email', audience: 'true', out: fifo, format: 'jsonl' });
      expect(s).toMatchObject({ stoppedBy: 'end', written: 1 });
      await Promise.race([new Promise((resolve) => reader.once('close', resolve)), new Promise((resolve) => setTimeout(resolve, 5_000))]);
      expect(read.trim().split('\n').map((l) => JSON.parse(l).subject)).toEqual(['profile:p1']);
      expect(statSync(fifo).isFIFO()).toBe(true);
      expect(existsSync(`${fifo}.partial`)).toBe(false);
    } finally {
      reader.kill();
    }
  });

  it('starts the failed file afresh on each run, so that it holds only this run\'s undelivered decisions', async () => {
    const dir = testDir('tact-batch-');
    const failedPath = join(dir, 'send.failed.jsonl');
    writeFileSync(failedPath, JSON.stringify({ subject: 'profile:old', deliveryError: 'HTTP 503' }) + '\n');
    const url = await serve((_req, res) => res.writeHead(200).end([decision(1), decision(2), { type: 'done', ...progress, stoppedBy: 'end' }].map((l) => JSON.stringify(l) + '\n').join('')));
    const hook = await serve((_req, res) => res.writeHead(503).end());
    const s = await runBatch({ url, key: 'k', placement: 'weekly-email', audience: 'true', format: 'jsonl', webhook: hook, failedPath, retry: { attempts: 1, baseMs: 1, maxMs: 1 } });
    expect(s).toMatchObject({ failed: 2, failedPath });
    expect(readFileSync(failedPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l).subject)).toEqual(['profile:p1', 'profile:p2']);
  });

  it('leaves no failed file of an earlier run beside a run that delivered everything (a retry script would send it twice)', async () => {
    const dir = testDir('tact-batch-');
    const failedPath = join(dir, 'send.failed.jsonl');
    writeFileSync(failedPath, JSON.stringify({ subject: 'profile:old', deliveryError: 'HTTP 503' }) + '\n');
    const url = await serve((_req, res) => res.writeHead(200).end([decision(1), { type: 'done', ...progress, stoppedBy: 'end' }].map((l) => JSON.stringify(l) + '\n').join('')));
    const hook = await serve((_req, res) => res.writeHead(200).end());
    const s = await runBatch({ url, key: 'k', placement: 'weekly-email', audience: 'true', format: 'jsonl', webhook: hook, failedPath, retry: { attempts: 1, baseMs: 1, maxMs: 1 } });
    expect(s).toMatchObject({ delivered: 1, failed: 0 });
    expect(existsSync(failedPath)).toBe(false);
  });
});

describe('webhook delivery, a receiver that is down', () => {
  it('rides out, by default, a receiver that is down for a minute (a deploy, a restart) without failing the batch', async () => {
    // Virtual time: each wait the backoff asks for moves the clock; the receiver answers 503 for the first 60 s.
    let clock = 0;
    const url = await serve((_req, res) => res.writeHead(clock < 60_000 ? 503 : 200).end());
    const r = await deliver(url, {}, DEFAULT_RETRY, async (ms) => void (clock += ms));
    expect(r.ok).toBe(true);
  });

  it('stops asking for decisions once the webhook failed 3 batches in a row: the rest would be logged, count against caps, and reach no one', async () => {
    let closed = false;
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.on('close', () => (closed = true));
      // 200 decisions, a few at a time, then the last line
      let i = 0;
      const timer = setInterval(() => {
        if (res.destroyed) return clearInterval(timer);
        for (let k = 0; k < 5; k++) res.write(JSON.stringify(decision(++i)) + '\n');
        if (i >= 200) (clearInterval(timer), res.end(JSON.stringify({ type: 'done', ...progress, stoppedBy: 'end' }) + '\n'));
      }, 5);
    });
    let hits = 0;
    const hook = await serve((_req, res) => (hits++, res.writeHead(503).end()));
    const dir = testDir('tact-batch-');
    const s = await runBatch({ url, key: 'k', placement: 'weekly-email', audience: 'true', out: join(dir, 'send.jsonl'), format: 'jsonl', webhook: hook, webhookBatch: 2, retry: { attempts: 2, baseMs: 1, maxMs: 1 } });
    expect(s.stoppedBy).toBe('webhook');
    expect(s.error).toContain('the webhook failed 3 batches in a row (the last: HTTP 503)');
    expect(hits).toBe(6); // 3 batches of 2 attempts; what was received after is not tried
    expect(s.written).toBeLessThan(200);
    expect(s.failed).toBe(s.written); // every decision received is in the failed file, none lost
    // The summary counts what was received though no progress line came (it said 0 of 0 until 2026-12-05).
    expect([s.decided, s.actions]).toEqual([s.written, s.written]);
    expect(s.matched).toBeGreaterThanOrEqual(s.decided);
    expect(readFileSync(s.failedPath!, 'utf8').trim().split('\n')).toHaveLength(s.written);
    expect(s.partial).toBe(join(dir, 'send.jsonl.partial'));
    // the server hears the client go away (no timing asserted: waited for, up to 10 s)
    for (let i = 0; i < 500 && !closed; i++) await new Promise((r) => setTimeout(r, 20));
    expect(closed).toBe(true);
  });
});

describe('webhook delivery, answers', () => {
  it('says why a delivery could not connect (the network error\'s code and address), not only "fetch failed"', async () => {
    // A port nothing listens on: the server is opened, its port read, and closed again.
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    await new Promise((r) => server.close(r));
    const r = await deliver(`http://127.0.0.1:${port}/hook`, {}, { attempts: 1, baseMs: 1, maxMs: 1 });
    expect(r.ok).toBe(false);
    expect(r.error).toBe(`fetch failed (ECONNREFUSED 127.0.0.1:${port})`);
  });

  it('does not take a redirect for a delivery (a POST redirected by 301/302 arrives as a GET, without its body)', async () => {
    const methods: string[] = [];
    const url = await serve((req, res) => (methods.push(req.method ?? ''), req.url === '/hook' ? res.writeHead(301, { location: '/moved' }).end() : res.writeHead(200).end()));
    const r = await deliver(`${url}/hook`, { decisions: [1] }, { attempts: 3, baseMs: 1, maxMs: 1 });
    expect(r).toMatchObject({ ok: false, attempts: 1, status: 301 });
    expect(r.error).toContain('/moved');
    expect(methods).toEqual(['POST']);
  });

  it('honours a Retry-After given as an HTTP date', async () => {
    const url = await serve((_req, res) => res.writeHead(503, { 'retry-after': new Date(Date.now() + 3000).toUTCString() }).end());
    const waits: number[] = [];
    await deliver(url, {}, { attempts: 2, baseMs: 1, maxMs: 10_000 }, async (ms) => void waits.push(ms));
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(1000);
    expect(waits[0]).toBeLessThanOrEqual(3000);
  });

  it('reads Retry-After as delay-seconds or one of the three HTTP-date forms only (RFC 9110 §5.6.7, §10.2.3)', () => {
    const now = Date.parse('2031-01-01T00:00:00Z');
    // Each form of the same moment, two minutes after `now` (RFC 9110 §5.6.7's examples, re-dated).
    for (const h of ['120', ' 120 ', 'Wed, 01 Jan 2031 00:02:00 GMT', 'Wednesday, 01-Jan-31 00:02:00 GMT', 'Wed Jan  1 00:02:00 2031']) expect(retryAfterMs(h, now), h).toBe(120_000);
    // Not an HTTP-date, though Date.parse reads each as one (the first as a day in 2031): backoff instead.
    for (const h of ['foo 2031', 'Wed, 01 Jan 2031 00:02:00 +0100', '2031-01-01T00:02:00Z', '-5', '', 'soon']) expect(retryAfterMs(h, now), h).toBeUndefined();
    expect(retryAfterMs('Wed, 01 Jan 2031 00:00:00 GMT', now)).toBeUndefined(); // not in the future
  });

  it('honours a Retry-After longer than the backoff cap (120 s), up to --max-retry-after, instead of retrying early', async () => {
    let hits = 0;
    const url = await serve((_req, res) => (++hits === 1 ? res.writeHead(503, { 'retry-after': '120' }).end() : res.writeHead(200).end()));
    const waits: number[] = [];
    const r = await deliver(url, {}, { attempts: 6, baseMs: 500, maxMs: 30_000 }, async (ms) => void waits.push(ms));
    expect(r).toMatchObject({ ok: true, attempts: 2 });
    // 120 s = 120 000 ms: the receiver's own wait, under the default maximum of 300 s
    expect(waits).toEqual([120_000]);
  });

  it('fails the batch at once, saying why, when the receiver asks to wait longer than --max-retry-after', async () => {
    let hits = 0;
    const url = await serve((_req, res) => (hits++, res.writeHead(429, { 'retry-after': '3600' }).end()));
    const waits: number[] = [];
    const r = await deliver(url, {}, { attempts: 6, baseMs: 500, maxMs: 30_000 }, async (ms) => void waits.push(ms));
    expect(r).toMatchObject({ ok: false, attempts: 1, status: 429 });
    expect(r.error).toContain('receiver asked to wait 3600 s, more than --max-retry-after 300 s');
    expect(waits).toEqual([]);
    expect(hits).toBe(1);
    const small = await deliver(url, {}, { attempts: 6, baseMs: 500, maxMs: 30_000, maxRetryAfterMs: 60_000 }, async (ms) => void waits.push(ms));
    expect(small.error).toContain('more than --max-retry-after 60 s');
  });

  it('writes a batch the receiver asks to hold for too long to the failed file with that reason', async () => {
    const dir = testDir('tact-batch-');
    const failedPath = join(dir, 'send.failed.jsonl');
    const url = await serve((_req, res) => res.writeHead(200).end([decision(1), { type: 'done', ...progress, stoppedBy: 'end' }].map((l) => JSON.stringify(l) + '\n').join('')));
    const hook = await serve((_req, res) => res.writeHead(503, { 'retry-after': '3600' }).end());
    const waits: number[] = [];
    const s = await runBatch({ url, key: 'k', placement: 'weekly-email', audience: 'true', format: 'jsonl', webhook: hook, failedPath, retry: { attempts: 6, baseMs: 1, maxMs: 1, maxRetryAfterMs: 300_000 }, sleep: async (ms) => void waits.push(ms) });
    expect(s).toMatchObject({ failed: 1, delivered: 0 });
    expect(waits).toEqual([]);
    expect(JSON.parse(readFileSync(failedPath, 'utf8')).deliveryError).toContain('receiver asked to wait 3600 s, more than --max-retry-after 300 s');
  });
});

describe('webhook delivery, stopped by a signal', () => {
  it('delivers only the batch in hand after Ctrl-C; the rest go to the failed file unsent (until 2026-12-06 new batches were started for the whole grace)', async () => {
    const dir = testDir('tact-batch-');
    const failedPath = join(dir, 'send.failed.jsonl');
    // A server that names its run and takes the stop; its stream holds 30 decisions and the last line.
    const url = await serve((req, res) => {
      if (req.url?.endsWith('/stop')) return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"run":"r1","state":"ended"}');
      res.writeHead(200, { 'content-type': 'application/x-ndjson', 'tact-batch-run': 'r1' }).end([...Array.from({ length: 30 }, (_, i) => decision(i + 1)), { type: 'done', ...progress, stoppedBy: 'end' }].map((l) => JSON.stringify(l) + '\n').join(''));
    });
    const stop = new AbortController();
    let requests = 0;
    // Ctrl-C while the receiver takes the first batch; it answers each in 150 ms, well within the grace.
    const hook = await serve((_req, res) => (requests++, stop.abort('SIGINT'), setTimeout(() => res.writeHead(200).end(), 150)));
    const s = await runBatch({ url, key: 'k', placement: 'weekly-email', audience: 'true', format: 'jsonl', webhook: hook, webhookBatch: 5, failedPath, signal: stop.signal, graceMs: 2000, retry: { attempts: 1, baseMs: 1, maxMs: 1 } });
    expect(requests).toBe(1);
    expect(s).toMatchObject({ delivered: 5, failed: 25 });
    const failed = readFileSync(failedPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { attempts: number; deliveryError: string });
    expect(failed).toHaveLength(25);
    expect(failed.every((f) => f.attempts === 0 && f.deliveryError === 'stopped by SIGINT: not sent')).toBe(true);
  });

  it('gives the last batches only graceMs once stopped, even when the signal comes after the server\'s last line', async () => {
    const dir = testDir('tact-batch-');
    const failedPath = join(dir, 'send.failed.jsonl');
    const url = await serve((_req, res) => res.writeHead(200).end([decision(1), { type: 'done', ...progress, stoppedBy: 'end' }].map((l) => JSON.stringify(l) + '\n').join('')));
    const stop = new AbortController();
    // The webhook never answers; the signal comes while the client waits for it (the stream already ended).
    const hook = await serve(() => stop.abort('SIGINT'));
    const started = Date.now();
    const s = await runBatch({ url, key: 'k', placement: 'weekly-email', audience: 'true', format: 'jsonl', webhook: hook, failedPath, signal: stop.signal, graceMs: 200, retry: { attempts: 6, baseMs: 1, maxMs: 1 } });
    // 200 ms of grace, then the batch is recorded as failed: well under the 30-s timeout of one attempt.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(s).toMatchObject({ failed: 1, delivered: 0 });
    expect(JSON.parse(readFileSync(failedPath, 'utf8')).deliveryError).toContain('stopped by SIGINT');
  });
});
