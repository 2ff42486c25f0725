import { createServer, type IncomingMessage } from 'node:http';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { restoreEnv, testDir } from '../../test/tmp.js';
import { importCommand } from './import.js';
import { packageScript } from '../../test/cli-entry.js';

/** A server answering every batch as stored; `onBatch` runs before it answers. Its URL, the Authorization headers it got. */
async function server(onBatch: () => void = () => {}): Promise<{ url: string; auth: (string | undefined)[]; close: () => void }> {
  const auth: (string | undefined)[] = [];
  const s = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (d) => (body += String(d)));
    req.on('end', () => {
      if (req.url === '/health') return void res.end('{}');
      auth.push(req.headers.authorization);
      onBatch();
      const n = (JSON.parse(body) as { batch: unknown[] }).batch.length;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ success: true, accepted: n, duplicates: 0, rejected: [] }));
    });
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(s.address() as { port: number }).port}`, auth, close: () => s.close() };
}

const events = (n: number) => {
  const f = join(testDir('tact-import-cli-'), 'events.jsonl');
  writeFileSync(f, Array.from({ length: n }, (_, i) => JSON.stringify({ type: 'track', userId: `u${i}`, event: 'Viewed' })).join('\n') + '\n');
  return f;
};

/** Runs `tact import` (a fresh command); what it wrote on stderr. */
async function run(args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  importCommand(program);
  const err: string[] = [];
  const spyErr = vi.spyOn(process.stderr, 'write').mockImplementation((t) => (err.push(String(t)), true));
  const spyOut = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    await program.parseAsync(['import', ...args], { from: 'user' });
  } finally {
    spyErr.mockRestore();
    spyOut.mockRestore();
  }
  return err.join('');
}

describe('tact import: progress without a terminal, and the write key', () => {
  const saved = { ...process.env };
  let close = () => {};
  afterEach(() => {
    close();
    vi.useRealTimers();
    restoreEnv(saved);
    process.exitCode = undefined;
  });

  it('writes no progress lines under --no-progress (stderr is not a terminal here)', async () => {
    const s = await server();
    close = s.close;
    const said = await run([events(3), '-u', s.url, '-k', 'w', '--batch', '1', '--no-progress']);
    expect(said).not.toContain('… ');
  });

  it('writes a progress line every 5 s to a log (CI), not only the first', async () => {
    // Each batch answered 2 s after the one before: 10 of them span 18 s.
    vi.useFakeTimers({ toFake: ['Date'] });
    const s = await server(() => vi.setSystemTime(Date.now() + 2000));
    close = s.close;
    const said = await run([events(10), '-u', s.url, '-k', 'w', '--batch', '1', '--concurrency', '1']);
    const lines = said.split('\n').filter((l) => l.startsWith('… '));
    // At the first answer, then at each answer more than 5 s after the last line: 6 s later, 12 s, 18 s.
    expect(lines.map((l) => l.split(' line')[0])).toEqual(['… 1', '… 4', '… 7', '… 10']);
    // (It said "… 1 lines".)
    expect(lines[0]).toBe('… 1 line, 1 message stored, 0 rejected');
    expect(lines[1]).toBe('… 4 lines, 4 messages stored, 0 rejected');
  });

  it('does not print the write key from TACT_WRITE_KEY in --help, and still sends it', async () => {
    process.env.TACT_WRITE_KEY = 'wk-very-secret';
    const program = new Command();
    importCommand(program);
    expect(program.commands[0].helpInformation()).not.toContain('wk-very-secret');
    const s = await server();
    close = s.close;
    await run([events(1), '-u', s.url, '--no-progress']);
    expect(s.auth).toEqual([`Basic ${Buffer.from('wk-very-secret:').toString('base64')}`]);
  });

  it('shows on a terminal a bar whose time left is a time, never cli-progress\'s NULL/INF cut to "LLs"/"NFs"', async () => {
    const s = await server();
    close = s.close;
    const tty = Object.getOwnPropertyDescriptor(process.stderr, 'isTTY');
    Object.defineProperty(process.stderr, 'isTTY', { value: true, configurable: true });
    let said: string;
    try {
      said = await run([events(40), '-u', s.url, '-k', 'w', '--batch', '5', '--concurrency', '1']);
    } finally {
      if (tty) Object.defineProperty(process.stderr, 'isTTY', tty);
      else delete (process.stderr as { isTTY?: boolean }).isTTY;
    }
    const frames = said.split(/\r|\x1b\[1G/).filter((f) => f.startsWith('importing'));
    expect(frames.length).toBeGreaterThan(1);
    for (const f of frames) expect(f).toMatch(/\| (\d+s|\d+m\d\ds|\d+h\d\dm) left/);
    expect(frames.at(-1)).toContain('40 lines | 40 stored');
  });

  it('refuses a --url with a user name and password at once (fetch cannot send one), without repeating the password', async () => {
    const s = await server();
    close = s.close;
    const t = performance.now();
    const err = await run([events(1), '-u', s.url.replace('http://', 'http://ana:hunter2@'), '-k', 'w', '--no-progress']).then(() => undefined, (e: unknown) => e as Error);
    expect(performance.now() - t).toBeLessThan(2000);
    expect(err?.message).toContain('The --url "http://ana:***@127.0.0.1:');
    expect(err?.message).toContain('user name and password');
    expect(err?.message).not.toContain('hunter2');
    expect(s.auth).toEqual([]);
  });
});

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');

describe('tact import, stopped by Ctrl-C in a pipeline', () => {
  let close = () => {};
  afterEach(() => close());

  it('exits 130, not with an EPIPE crash, when Ctrl-C also ended the program reading its stdout (`tact import … | tee log`)', async () => {
    // Each batch answered after 100 ms: the import is still going when it is stopped.
    const s = await server();
    const slow = createServer((req, res) => {
      req.resume();
      req.on('end', () => setTimeout(() => {
        if (req.url === '/health') return void res.end('{}');
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"success":true,"accepted":5,"duplicates":0,"rejected":[]}');
      }, 100));
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', () => r()));
    close = () => (s.close(), slow.closeAllConnections(), slow.close());
    const file = events(500);
    const proc = spawn(process.execPath, [...packageScript('src/cli/main.ts'), 'import', file, '-u', `http://127.0.0.1:${(slow.address() as { port: number }).port}`, '-k', 'w', '--batch', '5', '--concurrency', '1', '--no-progress'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    proc.stdout.on('data', (d) => (output += String(d)));
    proc.stderr.on('data', (d) => (output += String(d)));
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    const state = `${file}.tact-import.json`;
    for (const end = Date.now() + 20_000; !(existsSync(state) && JSON.parse(readFileSync(state, 'utf8')).line >= 10); await new Promise((r) => setTimeout(r, 20))) {
      if (Date.now() > end) throw new Error(`timed out: ${output}`);
    }
    proc.stdout.destroy();
    proc.kill('SIGINT');
    expect(await exited, output).toBe(130);
    expect(output).not.toContain('EPIPE');
    expect(JSON.parse(readFileSync(state, 'utf8')).line).toBeGreaterThanOrEqual(10);
  });
});
