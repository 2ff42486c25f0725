import net from 'node:net';

/** A response as the load generators need it: the status, and the body when asked for. */
export interface RawResponse {
  status: number;
  body?: Buffer;
}

type Done = (err: Error | null, res?: RawResponse) => void;

interface Pending {
  bytes: string;
  done: Done;
}

interface Conn {
  socket: net.Socket;
  busy: Pending | undefined;
  buf: Buffer;
}

/**
 * The load generators' HTTP/1.1 client: `connections` keep-alive sockets, one request in flight
 * on each, requests waiting in arrival order when all are busy (as Node's http.Agent does). It
 * writes prepared request text and reads only the status line, Content-Length (or chunked
 * framing) and, when asked, the body. node:http's client spends ≈ 0.4 ms of CPU per request on
 * a slow host — as much as the server's whole no-op route — and it runs on the same two cores,
 * so a lighter client disturbs the server less (docs/benchmarks.md, decide).
 *
 * @example
 * const pool = new RawHttpPool(8787, 64);
 * pool.request(rawRequest('POST', '/v1/decide', { authorization: 'Bearer k' }, '{"subject":"u"}'), (err, res) => …);
 */
export class RawHttpPool {
  private readonly conns: Conn[] = [];
  private readonly queue: Pending[] = [];
  private head = 0;
  private closed = false;

  constructor(private readonly port: number, size: number, private readonly keepBody = false) {
    for (let i = 0; i < size; i++) this.conns.push(this.open());
  }

  /** Sends `bytes` (a whole request, see rawRequest) on the next free connection. */
  request(bytes: string, done: Done): void {
    for (const c of this.conns) {
      if (!c.busy) {
        this.send(c, { bytes, done });
        return;
      }
    }
    this.queue.push({ bytes, done });
  }

  close(): void {
    this.closed = true;
    for (const c of this.conns) c.socket.destroy();
  }

  private open(): Conn {
    const socket = net.connect({ host: '127.0.0.1', port: this.port, noDelay: true });
    const c: Conn = { socket, busy: undefined, buf: Buffer.alloc(0) };
    socket.on('data', (d) => {
      c.buf = c.buf.length ? Buffer.concat([c.buf, d]) : d;
      this.parse(c);
    });
    const fail = (err: Error) => {
      if (this.closed) return;
      const p = c.busy;
      c.busy = undefined;
      c.buf = Buffer.alloc(0);
      const i = this.conns.indexOf(c);
      if (i >= 0 && !socket.destroyed) socket.destroy();
      if (i >= 0) this.conns[i] = this.open();
      if (p) p.done(err);
      this.next(this.conns[i]);
    };
    socket.on('error', fail);
    socket.on('close', () => {
      if (this.conns.includes(c)) fail(new Error('connection closed'));
    });
    return c;
  }

  private send(c: Conn, p: Pending): void {
    c.busy = p;
    c.socket.write(p.bytes, 'utf8');
  }

  private next(c: Conn | undefined): void {
    if (!c || c.busy || this.head >= this.queue.length) return;
    const p = this.queue[this.head++];
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    this.send(c, p);
  }

  /** Takes every complete response off the connection's buffer. */
  private parse(c: Conn): void {
    for (;;) {
      const end = c.buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = c.buf.toString('latin1', 0, end);
      const status = Number(head.slice(9, 12));
      const len = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      let bodyStart = end + 4;
      let body: Buffer | undefined;
      let consumed: number;
      if (len) {
        const n = Number(len[1]);
        if (c.buf.length < bodyStart + n) return;
        if (this.keepBody) body = c.buf.subarray(bodyStart, bodyStart + n);
        consumed = bodyStart + n;
      } else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
        const parts: Buffer[] = [];
        let at = bodyStart;
        for (;;) {
          const eol = c.buf.indexOf('\r\n', at);
          if (eol < 0) return;
          const size = parseInt(c.buf.toString('latin1', at, eol), 16);
          if (c.buf.length < eol + 2 + size + 2) return;
          if (size === 0) {
            at = eol + 4;
            break;
          }
          parts.push(c.buf.subarray(eol + 2, eol + 2 + size));
          at = eol + 2 + size + 2;
        }
        if (this.keepBody) body = Buffer.concat(parts);
        consumed = at;
        bodyStart = at;
      } else consumed = bodyStart;
      c.buf = c.buf.subarray(consumed);
      const p = c.busy;
      c.busy = undefined;
      p?.done(null, { status, body });
      this.next(c);
    }
  }
}

/** The text of one HTTP/1.1 request with a JSON body. */
export function rawRequest(method: string, path: string, headers: Record<string, string>, body: string): string {
  let h = `${method} ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n`;
  for (const [k, v] of Object.entries(headers)) h += `${k}: ${v}\r\n`;
  return `${h}\r\n${body}`;
}
