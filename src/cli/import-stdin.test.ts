import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage } from 'node:http';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { testDir } from '../../test/tmp.js';
import { importCommand } from './import.js';
import { packageScript } from '../../test/cli-entry.js';


/** A server storing every message it is sent (a message without userId is rejected); its URL and the messages. */
async function server(): Promise<{ url: string; messages: Record<string, unknown>[]; close: () => void }> {
  const messages: Record<string, unknown>[] = [];
  const s = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (d) => (body += String(d)));
    req.on('end', () => {
      if (req.url === '/health') return void res.end('{}');
      const batch = (JSON.parse(body) as { batch: Record<string, unknown>[] }).batch;
      const rejected = batch.flatMap((m, index) => (m.userId ? [] : [{ index, problems: [{ field: 'userId', message: 'The `userId` is required.' }] }]));
      messages.push(...batch.filter((m) => m.userId));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ success: true, accepted: batch.length - rejected.length, duplicates: 0, rejected }));
    });
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(s.address() as { port: number }).port}`, messages, close: () => s.close() };
}

/** `tact import …args` as its own process (the build, or the sources through tsx: packageScript), `input` on its stdin: its exit code and what it said. */
async function tact(args: string[], input: string, cwd: string): Promise<{ code: number | null; out: string; err: string }> {
  // (The process runs in `cwd`, where the default report goes, outside the repository.)
  const proc = spawn(process.execPath, [...packageScript('src/cli/main.ts'), 'import', ...args], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d) => (out += String(d)));
  proc.stderr.on('data', (d) => (err += String(d)));
  proc.stdin.end(input);
  const code = await new Promise<number | null>((r) => proc.once('close', (c) => r(c)));
  return { code, out, err };
}

/** Runs `tact import` in this process (a fresh command); what it wrote on stdout. */
async function run(args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  importCommand(program);
  const out: string[] = [];
  const spyOut = vi.spyOn(process.stdout, 'write').mockImplementation((t) => (out.push(String(t)), true));
  try {
    await program.parseAsync(['import', ...args, '-k', 'w', '--no-progress'], { from: 'user' });
  } finally {
    spyOut.mockRestore();
  }
  return out.join('');
}

const MAP = ['--map', 'userId=user,event=event,properties.note=note'];

/** The reports of stdin runs in `dir` (stdin-TIME.rejected.jsonl), by name. */
const reportsIn = (dir: string) => readdirSync(dir).filter((f) => /^stdin-.*\.rejected\.jsonl$/.test(f)).sort().map((f) => join(dir, f));

describe('tact import - (stdin)', () => {
  let close = () => {};
  afterEach(() => {
    close();
    process.exitCode = undefined;
  });

  it('imports JSONL from stdin, reports its bad lines, saves no progress, and exits 2 for the rejected line', async () => {
    const s = await server();
    close = s.close;
    const dir = testDir('tact-import-stdin-');
    const lines = [...Array.from({ length: 1200 }, (_, i) => JSON.stringify({ type: 'track', userId: `u${i}`, event: 'Viewed' })), 'not json', JSON.stringify({ type: 'track', event: 'Viewed' })];
    const r = await tact(['-', '-u', s.url, '-k', 'w', '--no-progress'], lines.join('\n') + '\n', dir);
    expect(r.code, r.err).toBe(2);
    expect(s.messages.map((m) => m.userId)).toEqual(Array.from({ length: 1200 }, (_, i) => `u${i}`));
    expect(r.out).toMatch(/^Imported line 1202: 1200 messages stored, 2 rejected — reasons in .*stdin-\d{8}T\d{6}Z\.rejected\.jsonl;/);
    const report = readFileSync(reportsIn(dir)[0], 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { line: number; text: string });
    expect(report.map((x) => [x.line, x.text])).toEqual([[1201, 'not json'], [1202, lines[1201]]]);
    // Nothing to resume in: no progress file, in the folder or named "-".
    expect(readdirSync(dir).filter((f) => f.includes('tact-import'))).toEqual([]);
  });

  it('gives each run its own report, with the bad lines\' text: a later run neither removes nor overwrites an earlier one\'s', async () => {
    // Until 2026-12-05 every run wrote stdin.rejected.jsonl: the next one removed it (no bad line)
    // or wrote over it, and the report held no text — the bad lines of stdin were lost.
    const s = await server();
    close = s.close;
    const dir = testDir('tact-import-stdin-');
    const args = ['-', '-u', s.url, '-k', 'w', '--no-progress'];
    const first = await tact(args, '{"type":"track","userId":"u1","event":"A"}\n{"type":"track","event":"no user"}\n', dir);
    expect(first.code, first.err).toBe(2);
    const clean = await tact(args, '{"type":"track","userId":"u2","event":"B"}\n', dir);
    expect(clean.code, clean.err).toBe(0);
    const second = await tact(args, '{oops\n', dir);
    expect(second.code, second.err).toBe(2);
    const reports = reportsIn(dir);
    expect(reports).toHaveLength(2);
    const entries = reports.map((f) => readFileSync(f, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { line: number; text: string }));
    expect(entries.flat().map((e) => [e.line, e.text]).sort()).toEqual([[1, '{oops'], [2, '{"type":"track","event":"no user"}']]);
    expect(first.out).toContain(`reasons in ${reports.find((f) => readFileSync(f, 'utf8').includes('no user'))}`);
  });

  it('imports TSV from stdin with --format tsv', async () => {
    const s = await server();
    close = s.close;
    const r = await tact(['-', '--format', 'tsv', ...MAP, '-u', s.url, '-k', 'w', '--no-progress'], 'user\tevent\tnote\nu1\tOrder Completed\tred, large\n', testDir('tact-import-stdin-'));
    expect(r.code, r.err).toBe(0);
    expect(s.messages).toMatchObject([{ type: 'track', userId: 'u1', event: 'Order Completed', properties: { note: 'red, large' } }]);
  });

  it('refuses --state and --restart, which have no meaning for stdin, by name', async () => {
    await expect(run(['-', '--state', join(testDir('tact-import-stdin-'), 's.json'), '-u', 'http://127.0.0.1:9'])).rejects.toThrow('The --state and --restart options apply to a file');
    await expect(run(['-', '--restart', '-u', 'http://127.0.0.1:9'])).rejects.toThrow('The --state and --restart options apply to a file');
  });
});

describe('tact import: TSV and --delimiter', () => {
  let close = () => {};
  afterEach(() => {
    close();
    process.exitCode = undefined;
  });

  it('reads a .tsv file as tab-separated: a comma stays in its field', async () => {
    const s = await server();
    close = s.close;
    const file = join(testDir('tact-import-tsv-'), 'orders.tsv');
    writeFileSync(file, 'user\tevent\tnote\nu1\tViewed\tred, large\n');
    const said = await run([file, ...MAP, '-u', s.url]);
    expect(said).toMatch(/^Imported line 2: 1 message stored, 0 rejected/);
    expect(s.messages).toMatchObject([{ userId: 'u1', event: 'Viewed', properties: { note: 'red, large' } }]);
  });

  for (const [name, delimiter, text] of [
    ['a semicolon', ';', 'user;event;note\nu1;Viewed;1,5\n'],
    ["a tab as '\\t'", '\\t', 'user\tevent\tnote\nu1\tViewed\t1,5\n'],
    ['a tab as "tab"', 'tab', 'user\tevent\tnote\nu1\tViewed\t1,5\n'],
  ]) {
    it(`reads a CSV file separated by ${name} with --delimiter ${delimiter}`, async () => {
      const s = await server();
      close = s.close;
      const file = join(testDir('tact-import-delim-'), 'orders.csv');
      writeFileSync(file, text);
      await run([file, ...MAP, '--delimiter', delimiter, '-u', s.url]);
      expect(s.messages).toMatchObject([{ userId: 'u1', event: 'Viewed', properties: { note: '1,5' } }]);
    });
  }

  it('refuses a --delimiter that is not one character, or one that cannot separate fields, naming it', async () => {
    const file = join(testDir('tact-import-delim-'), 'orders.csv');
    writeFileSync(file, 'user,event\nu1,Viewed\n');
    for (const d of ['ab', '', '"', '\n']) {
      await expect(run([file, ...MAP, '--delimiter', d, '-u', 'http://127.0.0.1:9'])).rejects.toThrow(`The --delimiter ${JSON.stringify(d)} must be one character`);
    }
  });

  it('refuses --delimiter for a file read as JSONL, as it refuses --map', async () => {
    const file = join(testDir('tact-import-delim-'), 'events.jsonl');
    writeFileSync(file, '{"type":"track","userId":"u1","event":"E"}\n');
    await expect(run([file, '--delimiter', ';', '-u', 'http://127.0.0.1:9'])).rejects.toThrow('The --map, --type, --rest and --delimiter options apply to CSV and TSV files');
  });

  it('keeps the delimiter with the progress: resuming with another one is refused', async () => {
    const s = await server();
    close = s.close;
    const file = join(testDir('tact-import-delim-'), 'orders.csv');
    writeFileSync(file, 'user;event;note\nu1;Viewed;x\n');
    await run([file, ...MAP, '--delimiter', ';', '-u', s.url]);
    writeFileSync(file, 'user;event;note\nu1;Viewed;x\nu2;Viewed;y\n');
    await expect(run([file, ...MAP, '-u', s.url])).rejects.toThrow(/^An earlier import of .* read it with --format csv --delimiter ";" --map .* and finished at line \d+; this one gives another --delimiter\. Pass --restart to import the file again/);
    expect(existsSync(`${file}.tact-import.json`)).toBe(true);
  });

  it('says in --help how to read stdin, TSV and another delimiter', () => {
    const program = new Command();
    importCommand(program);
    let help = '';
    program.commands[0].configureOutput({ writeOut: (t) => (help += t) });
    program.commands[0].outputHelp();
    const text = help.replace(/\s+/g, ' ');
    expect(text).toContain('file the file (.jsonl, .ndjson, .csv, .tsv, optionally .gz), or - to read stdin');
    expect(text).toContain('-d, --delimiter <char> CSV: the character between fields');
    expect(text).toContain('-f, --format <format> jsonl, csv or tsv');
    expect(text).toContain('A TSV file (.tsv, or --format tsv) is read as CSV with a tab between fields');
    expect(text).toContain('zcat events.jsonl.gz | tact import -');
  });
});
