import type { FastifyInstance } from 'fastify';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { harness } from '../../test/harness.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { TactError } from '../errors/tact-error.js';
import { isRetryableStoreError } from '../store/open.js';
import { buildApp } from './app.js';
import { closeWithin, shutdownGraceMs } from './shutdown.js';
import { Tact } from './tact.js';
import { serverTimeouts } from './timeouts.js';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('requests that arrive while the server shuts down', () => {
  it('answer 503 in the error shape, saying to retry, while the one in flight finishes', async () => {
    const h = await harness('sqlite');
    let release!: () => void;
    h.app.get('/slow-for-test', async () => new Promise((resolve) => { release = () => resolve({ ok: true }); }));
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (h.app.server.address() as { port: number }).port;
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (d) => { received += d.toString(); });
    socket.write('GET /slow-for-test HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
    // Until the slow request is in its handler (50 ms was not always enough with four test files at a time).
    while (release === undefined) await pause(10);
    const closed = h.app.close();
    await pause(50);
    socket.write('GET /health HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
    await pause(50);
    release();
    await closed;
    await pause(50);
    socket.destroy();
    await h.tact.close();
    await h.store.close();
    const answers = received.split(/(?=HTTP\/1\.1 )/);
    expect(answers[0]).toMatch(/^HTTP\/1\.1 200/);
    expect(answers[1]).toMatch(/^HTTP\/1\.1 503/);
    const body = JSON.parse(answers[1].slice(answers[1].indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
    expect(body).toMatchObject({ error: 'overloaded', message: expect.stringContaining('retry'), errorId: expect.any(String) });
  });
});

/** A Tact app over an in-memory store whose log lines are kept, listening on a free port; a route that waits for `release`. */
async function loggedApp(env: Record<string, string> = {}, routes: (app: FastifyInstance) => void = () => {}) {
  const lines: Record<string, unknown>[] = [];
  const store = await openSqliteStore({ path: ':memory:' });
  const sink = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk)) as Record<string, unknown>); done(); } });
  const tact = await Tact.create({ store, logger: pino({ level: 'info' }, sink), background: false, isRetryable: isRetryableStoreError });
  const app = await buildApp(tact, { timeouts: serverTimeouts(env) });
  const waiting: { release?: () => void } = {};
  app.get('/slow-for-test', async () => new Promise((resolve) => { waiting.release = () => resolve({ ok: true }); }));
  routes(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as { port: number }).port;
  const done = async () => { await tact.close(); await store.close(); };
  return { app, tact, lines, port, waiting, done };
}

/** A raw connection that records whether the server closed it. */
function rawSocket(port: number) {
  const socket = connect(port, '127.0.0.1');
  const state = { closed: false, received: '' };
  socket.on('data', (d) => { state.received += d.toString(); });
  socket.on('close', () => { state.closed = true; });
  socket.on('error', () => {});
  return { socket, state };
}

describe('the log of a clean shutdown', () => {
  it('holds the 503s refusing requests while closing at info, without a stack (each was an error with a 10-frame stack)', async () => {
    const a = await loggedApp();
    const { socket, state } = rawSocket(a.port);
    socket.write('GET /slow-for-test HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
    while (a.waiting.release === undefined) await pause(10);
    const closed = a.app.close();
    await pause(50);
    socket.write('GET /health HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
    await pause(50);
    a.waiting.release();
    // Answered in order: the 503 follows the slow request's 200.
    while (!state.received.includes('503')) await pause(10);
    await closed;
    socket.destroy();
    await a.done();
    const refused = a.lines.filter((l) => l.code === 'overloaded');
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ level: 30, status: 503, msg: 'request refused', route: '/health', errorId: expect.any(String) });
    expect(refused[0]).not.toHaveProperty('err');
  });

  it('keeps a real 5xx fault at error with its stack', async () => {
    const a = await loggedApp({}, (app) => app.get('/fault-for-test', async () => { throw new Error('boom'); }));
    await fetch(`http://127.0.0.1:${a.port}/fault-for-test`);
    await a.app.close();
    await a.done();
    const failed = a.lines.find((l) => l.msg === 'request failed');
    expect(failed).toMatchObject({ level: 50, code: 'internal', err: { message: 'boom', stack: expect.stringContaining('Error: boom') } });
  });
});

describe('closing the server within a deadline (closeWithin)', () => {
  it('chooses the shorter of 5 s and the request limit', () => {
    expect(shutdownGraceMs(serverTimeouts({}))).toBe(5_000);
    expect(shutdownGraceMs(serverTimeouts({ TACT_HEADERS_TIMEOUT_MS: '1000', TACT_REQUEST_TIMEOUT_MS: '2000' }))).toBe(2_000);
  });

  it('closes an idle keep-alive connection at once, forcing nothing', async () => {
    const a = await loggedApp();
    const { socket, state } = rawSocket(a.port);
    socket.write('GET /health HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
    while (!state.received.includes('\r\n\r\n')) await pause(10);
    const started = Date.now();
    expect(await closeWithin(a.app, 5_000, a.tact.log)).toBe(0);
    expect(Date.now() - started).toBeLessThan(2_000);
    while (!state.closed) await pause(10);
    await a.done();
    expect(a.lines.some((l) => String(l.msg).includes('closed'))).toBe(false);
  });

  it('lets a request in flight finish within the deadline', async () => {
    const a = await loggedApp();
    const { socket, state } = rawSocket(a.port);
    socket.write('GET /slow-for-test HTTP/1.1\r\nHost: x\r\n\r\n');
    while (a.waiting.release === undefined) await pause(10);
    const closing = closeWithin(a.app, 2_000, a.tact.log);
    await pause(200);
    a.waiting.release();
    expect(await closing).toBe(0);
    while (!state.closed) await pause(10);
    await a.done();
    expect(state.received).toMatch(/^HTTP\/1\.1 200/);
  });

  it('closes a connection that opened and sent nothing, and one trickling its request, once the deadline passed (the server never exited)', async () => {
    const a = await loggedApp({ TACT_HEADERS_TIMEOUT_MS: '10000', TACT_REQUEST_TIMEOUT_MS: '20000' });
    const silent = rawSocket(a.port);
    const trickling = rawSocket(a.port);
    trickling.socket.write('POST /v1/track HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{');
    await pause(100);
    const started = Date.now();
    const forced = await Promise.race([closeWithin(a.app, 500, a.tact.log), pause(5_000).then(() => 'still open after 5 s')]);
    expect(forced).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    while (!silent.state.closed || !trickling.state.closed) await pause(10);
    await a.done();
    expect(a.lines.find((l) => l.connections !== undefined)).toMatchObject({ level: 40, connections: 2, graceMs: 500, msg: 'shutting down: closed 2 connections still open after 500 ms' });
  });
});

describe('the log of a full write queue', () => {
  it('holds each 503 `overloaded` outside a shutdown as one warning without a stack, and tells the client when to retry (each was an error with its stack)', async () => {
    const a = await loggedApp({}, (app) => app.post('/full-for-test', async () => { throw new TactError('overloaded'); }));
    const r = await fetch(`http://127.0.0.1:${a.port}/full-for-test`, { method: 'POST' });
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe('1');
    await a.app.close();
    await a.done();
    const refused = a.lines.filter((l) => l.code === 'overloaded');
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ level: 40, status: 503, msg: 'request refused: the write queue is full', route: '/full-for-test' });
    expect(refused[0]).not.toHaveProperty('err');
  });
});
