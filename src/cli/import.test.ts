import { createServer } from 'node:http';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
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
  for (const [args, message] of [
    [['--map', 'userId=user'], 'The --map, --type, --rest and --delimiter options apply to CSV and TSV files; this file is read as JSONL (pass --format csv or --format tsv if it is one).'],
    [['--format', 'csv', '--map', 'userId=user,event=kind', '--type', 'purchase'], 'The --type "purchase" must be one of track, identify, page, screen, group, alias.'],
  ] as const) {
    it(`refuses ${args.join(' ')} before sending anything`, async () => {
      let hits = 0;
      const server = createServer((_req, res) => (hits++, res.writeHead(200, { 'content-type': 'application/json' }).end('{}')));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      close = () => server.close();
      await expect(run([file(), '-u', `http://127.0.0.1:${(server.address() as { port: number }).port}`, ...args])).rejects.toThrow(message);
      expect(hits).toBe(0);
    });
  }

  // Until 2026-12-05 `--report events.jsonl` deleted the file imported (no line bad) or wrote the
  // report over it, and `--state` wrote the progress over it, exit 0.
  for (const [args, message] of [
    [(f: string) => ['--report', f], 'The --report file and the file imported are the same file'],
    [(f: string) => ['--state', f], 'The --state file and the file imported are the same file'],
    [(f: string) => ['--state', `${f}.x`, '--report', `${f}.x`], 'The --report file and the --state file are the same file'],
    // Until 2026-12-06 a report named .csv (or .txt, .json) held JSON lines all the same.
    [(f: string) => ['--report', join(dirname(f), 'bad.csv')], `/bad.csv: the report of bad lines is written as JSON lines (one bad line and its reason a line), which the extension .csv does not say; name it `],
  ] as const) {
    it(`refuses ${args('FILE').join(' ')} before reading, sending or writing anything`, async () => {
      let hits = 0;
      const server = createServer((req, res) => (hits++, req.resume(), res.writeHead(200, { 'content-type': 'application/json' }).end('{"success":true,"accepted":1,"duplicates":0,"rejected":[]}')));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      close = () => server.close();
      const f = file();
      const before = readFileSync(f, 'utf8');
      await expect(run([f, '-u', `http://127.0.0.1:${(server.address() as { port: number }).port}`, ...args(f)])).rejects.toThrow(message);
      expect(hits).toBe(0);
      expect(readFileSync(f, 'utf8')).toBe(before);
      expect(readdirSync(dirname(f))).toEqual(['events.jsonl']);
    });
  }

  for (const [answer, said] of [
    ['{"success":true,"accepted":3,"duplicates":2,"rejected":[]}', 'Imported line 3: 1 message stored, 2 already stored (sent before: not stored again), 0 rejected;'],
    // A server older than the import does not say which it had stored already.
    ['{"success":true}', 'Imported line 3: 3 messages stored or already stored (the server did not say which), 0 rejected;'],
  ]) {
    it(`says how many messages the server had stored already, or that it did not say (${answer})`, async () => {
      const f = join(testDir('tact-import-cli-'), 'again.jsonl');
      writeFileSync(f, ['ag1', 'ag2', 'ag3'].map((u) => JSON.stringify({ type: 'track', userId: u, event: 'Viewed' })).join('\n') + '\n');
      const server = createServer((req, res) => (req.resume(), res.writeHead(200, { 'content-type': 'application/json' }).end(req.url === '/health' ? '{}' : answer)));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      close = () => server.close();
      const out: string[] = [];
      const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
      try {
        await run([f, '-u', `http://127.0.0.1:${(server.address() as { port: number }).port}`]);
      } finally {
        write.mockRestore();
      }
      expect(out.join('')).toContain(said);
    });
  }

  it('says when a run sent nothing because an earlier run imported every line, and how to send them again', async () => {
    const f = join(testDir('tact-import-cli-'), 'done.jsonl');
    writeFileSync(f, ['dn1', 'dn2'].map((u) => JSON.stringify({ type: 'track', userId: u, event: 'Viewed' })).join('\n') + '\n');
    const server = createServer((req, res) => (req.resume(), res.writeHead(200, { 'content-type': 'application/json' }).end('{"success":true}')));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    close = () => server.close();
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const out: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
    try {
      await run([f, '-u', url]);
      expect(out.join('')).not.toContain('Nothing was sent now');
      out.length = 0;
      await run([f, '-u', url]);
    } finally {
      write.mockRestore();
    }
    expect(out.join('')).toContain('Nothing was sent now: an earlier run to this URL imported every line (its progress file says so); --restart sends the file again.');
  });

  it('stops at Ctrl-C once the batches sent are answered, keeps its progress and says how to resume', async () => {
    const f = join(testDir('tact-import-cli-'), 'many.jsonl');
    writeFileSync(f, Array.from({ length: 50 }, (_, i) => JSON.stringify({ type: 'track', userId: `u${i}`, event: 'Viewed' })).join('\n') + '\n');
    let release = () => {};
    const gate = new Promise<void>((r) => (release = r));
    let arrived = () => {};
    const first = new Promise<void>((r) => (arrived = r));
    let posts = 0;
    const server = createServer((req, res) => {
      if (req.url === '/health') return void res.end('{}');
      posts += 1;
      arrived();
      req.resume();
      void gate.then(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"success":true,"accepted":5,"duplicates":0,"rejected":[]}'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    close = () => server.close();
    const listeners = process.listenerCount('SIGINT');
    const out: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
    try {
      const done = run([f, '-u', `http://127.0.0.1:${(server.address() as { port: number }).port}`, '--batch', '5', '--concurrency', '1']);
      await first;
      process.emit('SIGINT');
      release();
      await done;
      expect(posts).toBe(1);
      expect(process.exitCode).toBe(130);
      expect(out.join('')).toContain('Stopped at line 5: 5 messages stored, 0 rejected');
      expect(out.join('')).toContain('Run the same command again to resume.');
      expect(JSON.parse(readFileSync(`${f}.tact-import.json`, 'utf8')).line).toBe(5);
      expect(process.listenerCount('SIGINT')).toBe(listeners);
    } finally {
      write.mockRestore();
      process.exitCode = undefined;
    }
  });
});

describe('tact import: the file is checked before the server', () => {
  /** A port nothing listens on. */
  const closedPort = async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    await new Promise((r) => server.close(r));
    return port;
  };

  it('says a missing file is missing, not that the server is down', async () => {
    const missing = join(testDir('tact-import-cli-'), 'nonexistent.jsonl');
    await expect(run([missing, '-u', `http://127.0.0.1:${await closedPort()}`])).rejects.toThrow(`There is no file ${missing}.`);
  });

  it('says a folder is a folder, in one sentence naming it, not EISDIR', async () => {
    const dir = testDir('tact-import-cli-');
    await expect(run([dir, '-u', `http://127.0.0.1:${await closedPort()}`])).rejects.toThrow(`${dir} is a folder, not a file: name the file to import`);
  });
});
