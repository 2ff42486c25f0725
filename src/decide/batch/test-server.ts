import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { afterEach } from 'vitest';

const servers: { close(): void }[] = [];

/**
 * A local HTTP server for a test, closed after it; its URL. The handler gets the request's body as
 * text. Call `closeServersAfterEach()` once in a test file that uses it.
 *
 * @example
 * const url = await serve((_req, res) => res.writeHead(200).end());
 */
export async function serve(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<string> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += String(d)));
    req.on('end', () => handler(req, res, body));
  });
  servers.push({ close: () => (server.closeAllConnections(), server.close()) });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

/** Registers the clean-up of every server `serve` started in this file's tests. */
export function closeServersAfterEach(): void {
  afterEach(() => servers.splice(0).forEach((s) => s.close()));
}
