import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawHttpPool, rawRequest, type RawResponse } from './raw-http.js';

describe("the load generators' HTTP client", () => {
  let server: http.Server;
  let port = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        setTimeout(() => {
          inFlight--;
          if (req.url === '/chunked') {
            res.writeHead(201, { 'content-type': 'text/plain' });
            res.write('ab');
            res.end('cde');
          } else if (req.url === '/close') {
            req.socket.destroy();
          } else {
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ echo: JSON.parse(body), auth: req.headers.authorization }));
          }
        }, 2);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const call = (pool: RawHttpPool, path: string, body: unknown) => new Promise<{ err: Error | null; res?: RawResponse }>((resolve) => {
    pool.request(rawRequest('POST', path, { authorization: 'Bearer k' }, JSON.stringify(body)), (err, res) => resolve({ err, res }));
  });

  it('sends requests on a few keep-alive connections, queueing the rest, and reads statuses and bodies', async () => {
    const pool = new RawHttpPool(port, 3, true);
    try {
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => call(pool, '/json', { i, name: 'café' })));
      answers.forEach(({ err, res }, i) => {
        expect(err).toBeNull();
        expect(res?.status).toBe(200);
        expect(JSON.parse(String(res?.body))).toEqual({ echo: { i, name: 'café' }, auth: 'Bearer k' });
      });
      expect(maxInFlight).toBeLessThanOrEqual(3);
      const chunked = await call(pool, '/chunked', {});
      expect(chunked.res?.status).toBe(201);
      expect(String(chunked.res?.body)).toBe('abcde');
    } finally {
      pool.close();
    }
  });

  it('reports a connection the server closes and goes on with a new one', async () => {
    const pool = new RawHttpPool(port, 1);
    try {
      const closed = await call(pool, '/close', {});
      expect(closed.err?.message).toMatch(/closed|ECONNRESET/);
      const after = await call(pool, '/json', { again: true });
      expect(after.res?.status).toBe(200);
    } finally {
      pool.close();
    }
  });
});
