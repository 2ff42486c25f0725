import { STATUS_CODES, maxHeaderSize, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';
import { TactError } from '../errors/tact-error.js';
import type { ServerTimeouts } from './timeouts.js';

type ClientErrorHandler = NonNullable<FastifyServerOptions['clientErrorHandler']>;

/**
 * Answers what Node's HTTP parser refuses before any route sees it, in the catalogue's shape:
 * a request that did not arrive in time (408), headers over Node's 16 KB (431), bytes that are
 * not HTTP (400). Fastify's own handler answers these in a shape of its own, without an error id.
 * `watch` the server once it exists: the handler needs each connection's latest response.
 *
 * @example
 * const clientErrors = new ClientErrors(timeouts, log);
 * const app = Fastify({ clientErrorHandler: clientErrors.handler });
 * clientErrors.watch(app.server);
 */
export class ClientErrors {
  /** Each connection's latest response; its request tells whether the headers are in. */
  private readonly latest = new WeakMap<Socket, ServerResponse>();

  constructor(private readonly timeouts: ServerTimeouts, private readonly log: FastifyBaseLogger) {}

  /** Follows the server's requests (beside Fastify's own listener). */
  watch(server: Server): void {
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.latest.set(req.socket, res));
  }

  readonly handler: ClientErrorHandler = (err, socket) => {
    // A reset connection has no one left to answer.
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const res = this.latest.get(socket);
    // Headers in, body not: the last request is still arriving.
    const inBody = res !== undefined && !res.req.complete;
    const e = toTactError(err, inBody, this.timeouts);
    // No client address: it is personal data (GDPR, recital 30), and behind a proxy it is the proxy's.
    this.log.info({ code: e.code, errorId: e.id, parserCode: err.code }, e.message);
    // Not where a response has begun: on a request answered before its body was in, or inside a
    // response still being written. Node's own rule looks only for the second, and answered the
    // first twice: its response, then a 408 naming the headers.
    const answered = res !== undefined && res.headersSent && (inBody || !res.writableFinished);
    if (socket.writable && !answered) {
      const body = JSON.stringify(e.toJSON());
      socket.write(`HTTP/1.1 ${e.statusCode} ${STATUS_CODES[e.statusCode]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    }
    // The parser cannot go on after any of these, and a slow client is not waited on to read.
    socket.destroy(err);
  };
}

function toTactError(err: Error & { code?: string; reason?: string }, inBody: boolean, t: ServerTimeouts): TactError {
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return new TactError('request_timeout', inBody ? { part: 'body', seconds: t.requestMs / 1000 } : { part: 'headers', seconds: t.headersMs / 1000 });
  }
  if (err.code === 'HPE_HEADER_OVERFLOW') return new TactError('headers_too_large', { limit: `${maxHeaderSize / 1024} KB` });
  // llhttp says what it stopped at ("Invalid method encountered"); a sentence of ours around it.
  const reason = (err.reason ?? err.code ?? 'the parser stopped').replace(/\.$/, '').slice(0, 120);
  return new TactError('malformed_request', { detail: reason.charAt(0).toLowerCase() + reason.slice(1) });
}
