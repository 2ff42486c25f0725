import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connectionProblem, reachable } from './reachable.js';

const servers: Server[] = [];
/** A TCP server doing `onSocket` with each connection; its port. */
async function tcp(onSocket: (s: import('node:net').Socket) => void): Promise<number> {
  const s = createServer(onSocket);
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return (s.address() as { port: number }).port;
}

/** A fetch failure as undici raises it: "fetch failed", the reason as its cause. */
const failed = (cause: Record<string, unknown>) => Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(String(cause.message ?? cause.code)), cause) });

describe('whether the server can be reached, before an import', () => {
  afterEach(() => servers.splice(0).forEach((s) => s.close()));

  for (const [what, start, scheme, said] of [
    ['an HTTPS server asked over http:// (it closes the connection)', () => tcp((s) => s.once('data', () => s.destroy())), 'http', 'closed the connection without answering'],
    ['a plain HTTP server asked over https://', async () => {
      const s = createHttpServer((_q, r) => r.end('{}'));
      servers.push(s as unknown as Server);
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
      return (s.address() as { port: number }).port;
    }, 'https', 'The TLS handshake with'],
    ['a connection reset as it is made', () => tcp((s) => s.resetAndDestroy()), 'http', 'was reset as it was made (ECONNRESET)'],
    ['something that is not an HTTP server', () => tcp((s) => s.end('SSH-2.0-OpenSSH_9.6\r\n')), 'http', 'is not an HTTP server'],
  ] as const) {
    it(`fails at once, naming the URL, on ${what}`, async () => {
      const url = `${scheme}://127.0.0.1:${await start()}`;
      const t = performance.now();
      await expect(reachable(url)).rejects.toThrow(`${url}`);
      await expect(reachable(url)).rejects.toThrow(said);
      expect(performance.now() - t).toBeLessThan(3000);
    });
  }

  it('goes on (the import retries) when the server does not answer in time', async () => {
    const port = await tcp(() => {}); // takes the connection, never answers
    await expect(reachable(`http://127.0.0.1:${port}`, 200)).resolves.toBeUndefined();
  });

  it('says an untrusted certificate as one, naming the URL', () => {
    expect(connectionProblem('https://tact.example.com', failed({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT', message: 'self-signed certificate' })))
      .toBe('The TLS certificate of https://tact.example.com is not trusted (DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate): give Node its certificate authority with NODE_EXTRA_CA_CERTS, or check the --url (or TACT_URL).');
  });

  it('says an answer that is not HTTP as such, with the parser error as Node 24 raises it (a name, no code)', () => {
    const said = 'What answers at http://127.0.0.1:22 is not an HTTP server (Response does not match the HTTP/1.1 protocol (Expected HTTP/, RTSP/ or ICE/)): check the --url (or TACT_URL).';
    expect(connectionProblem('http://127.0.0.1:22', failed({ name: 'HTTPParserError', message: 'Response does not match the HTTP/1.1 protocol (Expected HTTP/, RTSP/ or ICE/)' }))).toBe(said);
  });

  it('says no route to the host, naming the URL', () => {
    expect(connectionProblem('http://10.0.0.9:8787', failed({ code: 'EHOSTUNREACH', syscall: 'connect' }))).toContain('There is no route to http://10.0.0.9:8787 (EHOSTUNREACH)');
  });

  for (const cause of [{ code: 'EAI_AGAIN', syscall: 'getaddrinfo' }, { code: 'ECONNRESET', syscall: 'read' }, { code: 'UND_ERR_CONNECT_TIMEOUT' }, { code: 'ETIMEDOUT', syscall: 'connect' }]) {
    it(`leaves ${cause.code}${'syscall' in cause ? ` (${cause.syscall})` : ''} to the import's retries`, () => {
      expect(connectionProblem('http://tact:8787', failed(cause))).toBeUndefined();
    });
  }
});
