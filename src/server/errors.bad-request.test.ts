import Fastify from 'fastify';
import { randomBytes } from 'node:crypto';
import { connect, type AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, harness, type Harness } from '../../test/harness.js';
import { installErrorHandler } from './errors.js';

/**
 * Fastify marks 400 whatever fault it meets reading a body (content-type-parser.js, rawBody's
 * onEnd), and a plugin may answer 400 for its own reasons: `body_incomplete` is told only when the
 * body's stream was cut short, any other 400 as what it is (docs/errors.md).
 */
describe('a 400 the catalogue has no case for', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('sqlite');
  });
  afterAll(async () => h.close());

  /** POSTs the start of a message, then fails the body's stream with `fault`. */
  const cutShort = async (fault: Error) => {
    const stream = new Readable({ read() {} });
    stream.push('{"userId":"ana",');
    setImmediate(() => stream.destroy(fault));
    const r = await h.app.inject({ method: 'POST', url: '/v1/track', headers: { authorization: basic(), 'content-type': 'application/json' }, payload: stream });
    return [r.statusCode, r.json().error, r.json().message];
  };
  const incomplete = [400, 'body_incomplete', 'The request body did not all arrive: the connection closed, or the body\'s stream failed, before its end. Send the request again.'];

  it('answers `body_incomplete` for the faults of a stream cut short: Node\'s aborted request, a reset, a premature close', async () => {
    // What Node's IncomingMessage emits when the connection closes inside the body (Node 20: `aborted`, ECONNRESET).
    expect(await cutShort(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }))).toEqual(incomplete);
    // What stream.pipeline / finished report when a stream closes before its end.
    expect(await cutShort(Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }))).toEqual(incomplete);
    expect(await cutShort(Object.assign(new Error('socket hang up'), { code: 'ECONNABORTED' }))).toEqual(incomplete);
  });

  it('answers `body_incomplete` for a compressed body whose connection closed inside it, rather than waiting for the rest', async () => {
    // A socket, not inject(): the fault is Node's own (IncomingMessage's `aborted`), and inject
    // answers a failed payload stream itself.
    const own = await harness('sqlite');
    const answered: string[] = [];
    own.app.addHook('onSend', async (_req, _reply, payload) => {
      answered.push(String(payload));
      return payload;
    });
    // The connection is cut once the server has the request, not after a fixed pause: cut before
    // Node parsed its head, there is no request to answer (under CI load 50 ms was not always enough).
    let started!: () => void;
    const began = new Promise<void>((r) => (started = r));
    own.app.addHook('onRequest', async () => started());
    try {
      await own.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = own.app.server.address() as AddressInfo;
      const body = gzipSync(`{"userId":"ana","event":"x","pad":"${randomBytes(8192).toString('hex')}"}`);
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => {});
      socket.write(`POST /v1/track HTTP/1.1\r\nHost: tact\r\nAuthorization: ${basic()}\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: ${body.length}\r\n\r\n`);
      socket.write(body.subarray(0, 1024));
      await began;
      await new Promise((r) => setTimeout(r, 50));
      socket.destroy();
      await expect.poll(() => answered.map((a) => JSON.parse(a).error as string), { timeout: 20_000 }).toEqual(['body_incomplete']);
    } finally {
      await own.close();
    }
  });

  it('answers another fault of the body\'s stream `bad_request`, quoting its reason, not as a connection that closed', async () => {
    expect(await cutShort(Object.assign(new Error('The chunk is not valid.'), { code: 'ERR_SOMETHING_ELSE' }))).toEqual([400, 'bad_request', 'The request was refused as it was sent: The chunk is not valid.']);
  });

  it('answers a 400 a route or plugin gives `bad_request` with its reason as a whole sentence, shortened when long', async () => {
    const app = Fastify();
    installErrorHandler(app);
    // As http-errors (used by @fastify/static, @fastify/sensible …) makes a 400.
    app.get('/range', async () => { throw Object.assign(new Error('Malformed Range header'), { statusCode: 400, status: 400 }); });
    app.get('/long', async () => { throw Object.assign(new Error(`Bad ${'x'.repeat(500)}`), { statusCode: 400 }); });
    try {
      const range = await app.inject({ method: 'GET', url: '/range' });
      expect([range.statusCode, range.json().error, range.json().message]).toEqual([400, 'bad_request', 'The request was refused as it was sent: Malformed Range header.']);
      const long = (await app.inject({ method: 'GET', url: '/long' })).json().message as string;
      expect(long).toBe(`The request was refused as it was sent: Bad ${'x'.repeat(196)}….`);
    } finally {
      await app.close();
    }
  });
});
