import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { testDir } from '../../../test/tmp.js';
import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { decideBatchCommand } from './command.js';

describe('tact decide-batch options', () => {
  let close = () => {};
  afterEach(() => close());

  for (const [flag, value] of [['--retries', 'three'], ['--retries', '0'], ['--webhook-batch', 'x'], ['--limit', '2.5'], ['--max-actions', '-1'], ['--url', 'notaurl'], ['--url', 'ftp://example.com']]) {
    it(`refuses ${flag} ${value} before asking the server for any decision`, async () => {
      let hits = 0;
      const server = createServer((_req, res) => (hits++, res.writeHead(200).end('{"type":"done","scanned":0,"total":0,"matched":0,"decided":0,"actions":0,"stoppedBy":"end"}\n')));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      close = () => server.close();
      const program = new Command().exitOverride();
      decideBatchCommand(program);
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      const run = program.parseAsync(['decide-batch', '-p', 'weekly-email', '-a', 'true', '--webhook', `${url}/hook`, '-u', url, '-k', 'k', '--no-progress', flag, value], { from: 'user' });
      await expect(run).rejects.toThrow(flag);
      expect(hits).toBe(0);
    });
  }

  it('leaves no output file behind when nothing answers at the URL', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    await new Promise((r) => server.close(r));
    const out = join(testDir('tact-batch-cli-'), 'send.jsonl');
    const program = new Command().exitOverride();
    decideBatchCommand(program);
    const run = program.parseAsync(['decide-batch', '-p', 'weekly-email', '-a', 'true', '-o', out, '-u', `http://127.0.0.1:${port}`, '-k', 'k', '--no-progress'], { from: 'user' });
    await expect(run).rejects.toThrow('fetch failed');
    expect(existsSync(`${out}.partial`)).toBe(false);
  });
});
