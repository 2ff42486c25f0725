import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, harness, type Harness } from '../../test/harness.js';
import { restoreEnv } from '../../test/tmp.js';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Tiny limits, so a cut comes within the tests' bounded waits; set through the environment as an operator would. */
const LIMITS = { TACT_HEADERS_TIMEOUT_MS: '300', TACT_REQUEST_TIMEOUT_MS: '600', TACT_KEEP_ALIVE_TIMEOUT_MS: '2500' };

interface Raw {
  socket: Socket;
  /** Everything the server sent, as text. */
  received: () => string;
  closed: () => boolean;
}

/** A raw TCP connection to the server, recording what it sends and whether it closed the connection. */
function open(port: number): Raw {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  let closed = false;
  socket.on('data', (d) => { received += d.toString('latin1'); });
  socket.on('close', () => { closed = true; });
  socket.on('error', () => {}); // a reset is a close too; `closed` says so
  return { socket, received: () => received, closed: () => closed };
}

/** Waits until `done()` holds, checking every 20 ms at most `tries` times (5 s by default). */
async function until(done: () => boolean, tries = 250): Promise<void> {
  for (let i = 0; i < tries && !done(); i++) await pause(20);
}

/** The complete responses in `text` (each with a Content-Length), in order. */
function responses(text: string): { status: number; headers: string; body: string }[] {
  const out: { status: number; headers: string; body: string }[] = [];
  let rest = text;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) return out;
    const headers = rest.slice(0, end);
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(headers)?.[1] ?? 0);
    if (rest.length < end + 4 + length) return out;
    out.push({ status: Number(headers.slice(9, 12)), headers, body: rest.slice(end + 4, end + 4 + length) });
    rest = rest.slice(end + 4 + length);
  }
}

/**
 * Slow clients (slowloris) against a listening server: a client that never finishes its headers, or
 * trickles its body, is cut off with a 408 in the catalogue's shape; one that keeps its connection
 * alive between requests, or waits on a slow handler, is not.
 */
describe('slow clients', () => {
  let h: Harness;
  let port = 0;
  let release: () => void = () => {};
  const sockets: Socket[] = [];
  beforeAll(async () => {
    const saved = { ...process.env };
    Object.assign(process.env, LIMITS);
    try {
      h = await harness('sqlite');
    } finally {
      restoreEnv(saved);
    }
    // The handler takes longer than the request limit: that limit is on receiving the request only.
    h.app.get('/slow-for-test', async () => new Promise((resolve) => { release = () => resolve({ ok: true }); }));
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    port = (h.app.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    release();
    await h.close();
  });
  const raw = () => {
    const r = open(port);
    sockets.push(r.socket);
    return r;
  };

  /** Expects the one answer on a closed connection to be the catalogue's `code` with `status`. */
  function expectRefused(r: Raw, status: number, code: string): Record<string, unknown> {
    expect(r.closed(), 'the server closed the connection').toBe(true);
    const [answer, ...more] = responses(r.received());
    expect(answer?.status, r.received().slice(0, 300)).toBe(status);
    expect(more).toHaveLength(0);
    expect(answer.headers).toMatch(/\r\nconnection: close/i);
    expect(answer.headers).toMatch(/\r\ncontent-type: application\/json/i);
    const body = JSON.parse(answer.body) as Record<string, unknown>;
    expect(body).toMatchObject({ error: code, message: expect.stringMatching(/^[A-Z].*\.$/), errorId: expect.any(String) });
    return body;
  }

  it('cuts off a client that connects and sends nothing, with a 408', async () => {
    const r = raw();
    await until(r.closed);
    const body = expectRefused(r, 408, 'request_timeout');
    expect(body.message).toContain('headers');
  });

  it('cuts off a client that trickles its headers and never ends them, with a 408', async () => {
    const r = raw();
    r.socket.write('GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    for (let i = 0; i < 250 && !r.closed(); i++) {
      r.socket.write('a');
      await pause(20);
    }
    expectRefused(r, 408, 'request_timeout');
  });

  it('cuts off a client that sends its headers, then trickles the body, with a 408', async () => {
    const r = raw();
    r.socket.write(`POST /v1/track HTTP/1.1\r\nHost: x\r\nAuthorization: ${basic()}\r\nContent-Type: application/json\r\nContent-Length: 2000\r\n\r\n{"userId":"ana","event":"x","properties":{"pad":"`);
    for (let i = 0; i < 250 && !r.closed(); i++) {
      r.socket.write('a');
      await pause(20);
    }
    const body = expectRefused(r, 408, 'request_timeout');
    expect(body.message).toContain('body');
  });

  it('sends no second answer to a request answered before its body was in (a GET with a body), when that body then times out', async () => {
    const r = raw();
    r.socket.write(`GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n{"userId":"`);
    for (let i = 0; i < 250 && !r.closed(); i++) {
      r.socket.write('a');
      await pause(20);
    }
    expect(r.closed(), 'the server closed the connection').toBe(true);
    expect(responses(r.received()).map((a) => a.status)).toEqual([200]);
    expect(r.received()).not.toContain('request_timeout');
  });

  it('keeps a keep-alive connection across an idle pause longer than the headers limit, then closes it silently once idle past the keep-alive limit', async () => {
    const r = raw();
    r.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    await until(() => responses(r.received()).length === 1);
    // Idle between requests for twice the headers limit, well inside the keep-alive limit.
    await pause(600);
    r.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    await until(() => responses(r.received()).length === 2 || r.closed());
    expect(responses(r.received()).map((a) => a.status)).toEqual([200, 200]);
    await until(r.closed);
    expect(r.closed(), 'the idle connection was closed').toBe(true);
    expect(responses(r.received())).toHaveLength(2);
  });

  it('does not cut off a client waiting on a handler that takes longer than the request limit', async () => {
    release = () => {};
    const r = raw();
    r.socket.write('GET /slow-for-test HTTP/1.1\r\nHost: x\r\n\r\n');
    // Twice the request limit with the request in the handler, then the answer.
    await pause(1200);
    release();
    await until(() => responses(r.received()).length === 1 || r.closed());
    expect(responses(r.received())[0]?.status).toBe(200);
  });

  it('answers headers over the 16 KB limit with a 431 in the catalogue shape', async () => {
    const r = raw();
    r.socket.write(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`);
    await until(r.closed);
    const body = expectRefused(r, 431, 'headers_too_large');
    expect(body.message).toContain('16 KB');
  });

  it('answers bytes that are not HTTP with a 400 in the catalogue shape', async () => {
    const r = raw();
    r.socket.write('NOT AN HTTP REQUEST\r\n\r\n');
    await until(r.closed);
    expectRefused(r, 400, 'malformed_request');
  });
});
