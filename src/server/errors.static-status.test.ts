import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../../test/harness.js';
import { installErrorHandler } from './errors.js';

/**
 * The docs' static files (@fastify/static, through @fastify/swagger-ui) answer a range the file
 * does not have with 416, and a condition it does not meet with 412: the client's doing, told as
 * such with a code of the catalogue (docs/errors.md), not a 500 `internal` naming a fault of the
 * server. RFC 9110 §15.5.17: a 416 to a byte range names the file's length in `Content-Range`.
 */
describe('a client error a plugin answers', () => {
  let h: Harness;
  const file = '/docs/static/swagger-ui.css';
  let size = 0;
  let lastModified = '';
  beforeAll(async () => {
    h = await harness('sqlite');
    const whole = await h.app.inject({ method: 'GET', url: file });
    expect(whole.statusCode).toBe(200);
    size = whole.rawPayload.length;
    lastModified = String(whole.headers['last-modified']);
  });
  afterAll(async () => h.close());

  it('answers 416 `range_not_satisfiable` for a range past the end of a docs file, with its length in `Content-Range`', async () => {
    for (const range of [`bytes=${size}-`, 'bytes=999999-', `bytes=${size + 10}-${size + 20}`]) {
      const r = await h.app.inject({ method: 'GET', url: file, headers: { range } });
      expect([r.statusCode, r.json().error, r.headers['content-range']], range).toEqual([416, 'range_not_satisfiable', `bytes */${size}`]);
      expect(r.json().message).toBe(`The \`Range\` header (${range}) asks for bytes that ${file} does not have: it is ${size} bytes long. Ask for a range that starts before its end, or leave the header out to get the whole file.`);
    }
    // A range within the file is served (206): the answer above is for the range, not the file.
    expect((await h.app.inject({ method: 'GET', url: file, headers: { range: `bytes=${size - 1}-` } })).statusCode).toBe(206);
  });

  it('answers 412 `precondition_failed` for a condition the docs file does not meet, naming the header', async () => {
    const cases = [
      { 'if-match': '"not-its-etag"', header: 'If-Match' },
      { 'if-unmodified-since': 'Thu, 01 Jan 1970 00:00:00 GMT', header: 'If-Unmodified-Since' },
    ];
    for (const { header, ...headers } of cases) {
      const r = await h.app.inject({ method: 'GET', url: file, headers });
      expect([r.statusCode, r.json().error], header).toEqual([412, 'precondition_failed']);
      expect(r.json().message).toBe(`The request's \`${header}\` header does not hold for ${file}: it was changed since, or is not the version the header names. Ask again without the header to get it as it is now.`);
    }
    // A condition the file meets is served.
    expect((await h.app.inject({ method: 'GET', url: file, headers: { 'if-unmodified-since': lastModified } })).statusCode).toBe(200);
  });

  it('answers any other 4xx a plugin raises as the client\'s fault (`bad_request`), never a 500', async () => {
    const app = Fastify();
    installErrorHandler(app);
    // As http-errors (used by @fastify/send for a path outside its root) makes a 403.
    app.get('/file', async () => { throw Object.assign(new Error('Forbidden'), { statusCode: 403, status: 403, expose: true }); });
    try {
      const r = await app.inject({ method: 'GET', url: '/file' });
      expect([r.statusCode, r.json().error, r.json().message]).toEqual([400, 'bad_request', 'The request was refused as it was sent: Forbidden (HTTP 403).']);
    } finally {
      await app.close();
    }
  });
});
