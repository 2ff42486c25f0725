import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { deliver } from './webhook.js';
import { closeServersAfterEach, serve } from './test-server.js';

closeServersAfterEach();

describe('a webhook URL with a user name and password (https://user:pass@host/…)', () => {
  it('is delivered to with them as Basic authentication, as curl does (fetch refuses such a URL outright)', async () => {
    const seen: (string | undefined)[] = [];
    const url = await serve((req, res) => (seen.push(req.headers.authorization), res.writeHead(req.headers.authorization ? 200 : 401).end()));
    const r = await deliver(url.replace('http://', 'http://esp%40acme:p%3Ass@') + '/hooks/tact', { decisions: [] }, { attempts: 1, baseMs: 1, maxMs: 1 });
    expect(r).toMatchObject({ ok: true, attempts: 1 });
    expect(seen).toEqual([`Basic ${Buffer.from('esp@acme:p:ss').toString('base64')}`]);
  });

  it('never writes the password into what a failed delivery says (in the failed file and on stderr)', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    await new Promise((r) => server.close(r));
    const r = await deliver(`http://u:hunter2@127.0.0.1:${port}/hooks/tact`, {}, { attempts: 1, baseMs: 1, maxMs: 1 });
    expect(r.ok).toBe(false);
    expect(r.error).toContain('ECONNREFUSED');
    expect(r.error).not.toContain('hunter2');
  });
});

describe('a webhook that refuses a batch as too large (413)', () => {
  it('fails it at once, saying to give a smaller --webhook-batch', async () => {
    let hits = 0;
    const url = await serve((_req, res) => (hits++, res.writeHead(413).end()));
    const r = await deliver(url, { decisions: [] }, { attempts: 3, baseMs: 1, maxMs: 1 });
    expect(hits).toBe(1);
    expect(r.error).toBe('HTTP 413: the webhook takes no batch this large; give a smaller --webhook-batch (decisions per request, 100 unless given)');
  });
});
