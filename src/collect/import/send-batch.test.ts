import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { retryAfterMs, sendBatch } from './send-batch.js';

/** A server on 127.0.0.1 that answers each request with the next of `answers` (the last one repeated), and records when each came. */
async function serve(answers: { status: number; headers?: Record<string, string>; body?: unknown }[]) {
  const at: number[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      const a = answers[Math.min(at.length, answers.length - 1)];
      at.push(Date.now());
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
      res.end(JSON.stringify(a.body ?? {}));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, at };
}
let closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers) await c();
  closers = [];
});

describe('sending an import batch', () => {
  it('stops at once on a 404, 405 or 415 (a wrong --url), saying so, rather than retrying for half a minute', async () => {
    for (const status of [404, 405, 415, 422]) {
      const s = await serve([{ status, body: { message: 'There is no route POST /v1/import.' } }]);
      const started = Date.now();
      await expect(sendBatch(s.url, 'k', [{ type: 'track', userId: 'u', event: 'E' }])).rejects.toThrow(`The server answered ${status} to POST /v1/import (There is no route POST /v1/import.): it is not a Tact server that takes imports there; check --url.`);
      expect(s.at).toHaveLength(1);
      expect(Date.now() - started).toBeLessThan(2_000);
    }
  });

  it('waits as long as a 503\'s Retry-After asks before trying again', async () => {
    const s = await serve([{ status: 503, headers: { 'retry-after': '1' } }, { status: 200, body: { duplicates: 0 } }]);
    await expect(sendBatch(s.url, 'k', [{ type: 'track', userId: 'u', event: 'E' }])).resolves.toEqual({ rejected: [], duplicates: 0 });
    expect(s.at).toHaveLength(2);
    // Without the header the first retry comes after 200 ms.
    expect(s.at[1] - s.at[0]).toBeGreaterThanOrEqual(950);
  });

  it('reads Retry-After as seconds or an HTTP date, at most a minute', () => {
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs(null)).toBe(0);
    expect(retryAfterMs('soon')).toBe(0);
    expect(retryAfterMs('3600')).toBe(60_000);
    const now = Date.parse('2026-12-04T10:00:00Z');
    expect(retryAfterMs('Fri, 04 Dec 2026 10:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('Fri, 04 Dec 2026 09:00:00 GMT', now)).toBe(0);
  });
});
