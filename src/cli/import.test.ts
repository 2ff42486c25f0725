import { createServer } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { testDir } from '../../test/tmp.js';
import { importCommand } from './import.js';

const file = () => {
  const f = join(testDir('tact-import-cli-'), 'events.jsonl');
  writeFileSync(f, '{"type":"track","userId":"ana","event":"Viewed"}\n');
  return f;
};
const run = (args: string[]) => {
  const program = new Command().exitOverride();
  importCommand(program);
  return program.parseAsync(['import', ...args, '-k', 'w', '--no-progress'], { from: 'user' });
};

describe('tact import options', () => {
  let close = () => {};
  afterEach(() => close());

  for (const [flag, value] of [['--batch', 'abc'], ['--batch', '0'], ['--batch', '501'], ['--concurrency', '0'], ['--concurrency', 'x'], ['--url', 'notaurl'], ['--url', 'ftp://example.com']]) {
    it(`refuses ${flag} ${value} by name before sending anything`, async () => {
      let hits = 0;
      const server = createServer((_req, res) => (hits++, res.writeHead(200, { 'content-type': 'application/json' }).end('{"rejected":[]}')));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      close = () => server.close();
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      await expect(run([file(), '-u', url, flag, value])).rejects.toThrow(`The ${flag} "${value}"`);
      expect(hits).toBe(0);
    });
  }

  it('says at once that nothing answers at the URL, instead of retrying for half a minute', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    await new Promise((r) => server.close(r));
    const t = performance.now();
    const err = await run([file(), '-u', `http://127.0.0.1:${port}`]).then(() => undefined, (e: unknown) => e);
    expect(performance.now() - t).toBeLessThan(3000);
    expect((err as Error & { cause?: { code?: string } }).cause?.code).toBe('ECONNREFUSED');
  });
});
