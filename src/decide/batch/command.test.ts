import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testDir } from '../../../test/tmp.js';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { barProgress, decidedSaid, decideBatchCommand, progressLines } from './command.js';
import { packageScript } from '../../../test/cli-entry.js';

describe('tact decide-batch options', () => {
  let close = () => {};
  afterEach(() => close());

  for (const [flag, value] of [['--retries', 'three'], ['--retries', '-1'], ['--attempts', '0'], ['--attempts', '-2'], ['--webhook-batch', 'x'], ['--limit', '2.5'], ['--max-actions', '-1'], ['--max-retry-after', 'soon'], ['--url', 'notaurl'], ['--url', 'ftp://example.com'], ['--webhook', 'esp.example.com/hooks/tact'], ['--webhook', 'ftp://esp.example.com'], ['--webhook', 'https://esp.example.com:99999/hooks']]) {
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
      if (value.includes(':99999')) await expect(run).rejects.toThrow('is on port 99999, which is no port');
      if (flag === '--retries' || flag === '--attempts') await expect(run).rejects.toThrow(`${flag} must be a whole number of at least ${flag === '--retries' ? 0 : 1}; got ${value}.`);
      expect(hits).toBe(0);
    });
  }

  it('refuses --attempts and --retries together, which say the same thing twice', async () => {
    const program = new Command().exitOverride();
    decideBatchCommand(program);
    const run = program.parseAsync(['decide-batch', '-p', 'weekly-email', '-a', 'true', '--webhook', 'http://127.0.0.1:9/hook', '-u', 'http://127.0.0.1:9', '-k', 'k', '--no-progress', '--attempts', '3', '--retries', '2'], { from: 'user' });
    await expect(run).rejects.toThrow('Give --attempts (in all) or --retries (after the first attempt), not both.');
  });

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

describe('tact decide-batch progress without a terminal', () => {
  it('writes a progress line every 5 s to a log (CI), not only the first', () => {
    // The server reports progress every 1000 profiles scanned, far more often than every 5 s.
    let t = 1_000_000;
    const written: string[] = [];
    const log = progressLines((text) => written.push(text), () => t);
    for (let i = 1; i <= 121; i++, t += 100) log({ scanned: i * 1000, total: 200_000, matched: i * 10, actions: i * 9 });
    // 12 s of reports a tenth of a second apart: at 0 s, then at 5.1 s and 10.2 s (more than 5 s after the line before)
    expect(written).toEqual(['… 1000/200000 profiles, 10 in audience, 9 actions\n', '… 52000/200000 profiles, 520 in audience, 468 actions\n', '… 103000/200000 profiles, 1030 in audience, 927 actions\n']);
  });

  it('says the last report again, a line every 5 s, when called with none (a timer\'s tick while the server reports nothing)', () => {
    let t = 1_000_000;
    const written: string[] = [];
    const log = progressLines((text) => written.push(text), () => t);
    log();
    expect(written).toEqual([]); // nothing reported yet: nothing to say
    const p = { scanned: 1000, total: 4000, matched: 10, actions: 9 };
    log(p);
    p.actions = 12; // the summary reported, as it counts decisions received since
    for (let i = 0; i < 24; i++, t += 500) log();
    // 12 s of ticks half a second apart: lines at 5.5 s and 11 s (more than 5 s after the line before)
    expect(written).toEqual(['… 1000/4000 profiles, 10 in audience, 9 actions\n', '… 1000/4000 profiles, 10 in audience, 12 actions\n', '… 1000/4000 profiles, 10 in audience, 12 actions\n']);
  });

  it('says the final counts at the end at once, after a first report that was the only line of a short run', () => {
    let t = 1_000_000;
    const written: string[] = [];
    const log = progressLines((text) => written.push(text), () => t);
    log({ scanned: 0, total: 5302, matched: 0, actions: 0 });
    t += 1200;
    log({ scanned: 5302, total: 5302, matched: 1, actions: 1 }, true);
    expect(written).toEqual(['… 0/5302 profiles, 0 in audience, 0 actions\n', '… at the end: 5302/5302 profiles, 1 in audience, 1 action\n']);
  });
});

describe('tact decide-batch, what it says', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });

  /** `tact decide-batch -p weekly-email -a true -o FILE …flags` against a decisions server `handler`; what it said, and the file. */
  const said = async (handler: Parameters<typeof createServer>[1], flags: string[] = ['--no-progress']) => {
    const server = createServer(handler);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const text: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((t) => (text.push(String(t)), true));
    vi.spyOn(process.stdout, 'write').mockImplementation((t) => (text.push(String(t)), true));
    const program = new Command().exitOverride();
    decideBatchCommand(program);
    const out = join(testDir('tact-batch-cli-'), 'send.jsonl');
    try {
      await program.parseAsync(['decide-batch', '-p', 'weekly-email', '-a', 'true', '-o', out, '-u', url, '-k', 'k', ...flags], { from: 'user' });
    } finally {
      server.closeAllConnections();
      server.close();
      vi.restoreAllMocks();
    }
    return { text, out };
  };
  const decisionLine = (i: number) => JSON.stringify({ type: 'decision', subject: `profile:p${i}`, profileId: `p${i}`, decision: { decisionId: `d${i}`, placement: 'weekly-email', choices: [{ rank: 1, kind: 'action', action: 'shoes-offer' }] } }) + '\n';

  // Until 2026-12-05 it said how to list them only when a stop request failed: a server killed
  // mid-run left decisions logged and capped past the last line received, and the command said
  // "the rest of the audience was not decided for" (643 logged, 613 in the file).
  it('says, when the stream breaks off (the server killed), that decisions past the last one received may be logged, and how to list them', async () => {
    const { text, out } = await said((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write(JSON.stringify({ type: 'progress', scanned: 3, total: 10, matched: 3, decided: 3, actions: 3 }) + '\n' + [1, 2, 3].map(decisionLine).join(''));
      setTimeout(() => res.socket?.destroy(), 50);
    });
    const all = text.join('');
    expect(all).toContain(`the decisions received are written to ${out}.partial; the rest of the audience was not decided for. The server's stream broke off before its last line, so the decisions it had made past the last one received, if any, are logged and count against caps and budgets, but are in no file: GET /v1/decisions?placement=weekly-email&from=`);
    expect(all).toMatch(/&from=\d{4}-\d\d-\d\dT[\d:.]+Z lists the decisions at the placement since the run began\./);
    expect(process.exitCode).toBe(2);
  });

  it('writes a progress line at least every 5 s without a terminal while the server reports nothing (a stall)', async () => {
    const tty = Object.getOwnPropertyDescriptor(process.stderr, 'isTTY');
    Object.defineProperty(process.stderr, 'isTTY', { value: false, configurable: true });
    try {
      const { text } = await said((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        res.write(JSON.stringify({ type: 'progress', scanned: 1000, total: 4000, matched: 1000, decided: 1, actions: 1 }) + '\n' + decisionLine(1));
        // No report for 6.5 s (the server's next comes after 1,000 more profiles): then the end.
        setTimeout(() => res.end(JSON.stringify({ type: 'done', scanned: 4000, total: 4000, matched: 1, decided: 1, actions: 1, audienceErrors: 0, stoppedBy: 'end' }) + '\n'), 6_500);
      }, []);
      // Until 2026-12-05 the one line of the first report: none in the 6.5 s after.
      // And the final counts at the end: a run under 5 s said only its first report, which read like a result.
      expect(text.filter((t) => t.startsWith('…'))).toEqual(['… 1000/4000 profiles, 1000 in audience, 1 action\n', '… 1000/4000 profiles, 1000 in audience, 1 action\n', '… at the end: 4000/4000 profiles, 1 in audience, 1 action\n']);
    } finally {
      if (tty) Object.defineProperty(process.stderr, 'isTTY', tty);
      else delete (process.stderr as { isTTY?: boolean }).isTTY;
    }
  }, 15_000);

  it('says on stderr how many profiles the audience could not be evaluated on, and writes no progress under --no-progress', async () => {
    const done = { scanned: 12, total: 12, matched: 0, decided: 0, actions: 0, evaluated: 12, audienceErrors: 5, audienceError: 'profile p1: no such key: teir' };
    const server = createServer((_req, res) => res.writeHead(200).end([{ type: 'progress', ...done }, { type: 'done', ...done, stoppedBy: 'end' }].map((l) => JSON.stringify(l) + '\n').join('')));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const said: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((t) => (said.push(String(t)), true));
    vi.spyOn(process.stdout, 'write').mockImplementation((t) => (said.push(String(t)), true));
    const program = new Command().exitOverride();
    decideBatchCommand(program);
    const out = join(testDir('tact-batch-cli-'), 'send.jsonl');
    await program.parseAsync(['decide-batch', '-p', 'weekly-email', '-a', 'traits.teir == "gold"', '-o', out, '-u', url, '-k', 'k', '--no-progress'], { from: 'user' });
    server.close();
    vi.restoreAllMocks();
    expect(said.join('')).toContain('The audience could not be evaluated on 5 of the 12 profiles scanned (left out; the first: profile p1: no such key: teir)');
    expect(said.some((t) => t.startsWith('…'))).toBe(false);
  });

  it('fails when a server older than the `evaluated` count says the audience erred on every profile scanned', async () => {
    const done = { scanned: 12, total: 12, matched: 0, decided: 0, actions: 0, audienceErrors: 12, audienceError: 'profile p1: no such key: teir' };
    const server = createServer((_req, res) => res.writeHead(200).end(JSON.stringify({ type: 'done', ...done, stoppedBy: 'end' }) + '\n'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const program = new Command().exitOverride();
    decideBatchCommand(program);
    const out = join(testDir('tact-batch-cli-'), 'send.jsonl');
    const run = program.parseAsync(['decide-batch', '-p', 'weekly-email', '-a', 'traits.teir == "gold"', '-o', out, '-u', url, '-k', 'k', '--no-progress'], { from: 'user' });
    await expect(run).rejects.toThrow('The --audience could not be evaluated on any of the 12 profiles scanned, so no one was decided for (the first: profile p1: no such key: teir).');
    server.close();
    expect(existsSync(out)).toBe(false);
  });
});

describe('tact decide-batch, how often a webhook batch is tried', () => {
  const closing: (() => void)[] = [];
  afterEach(() => {
    closing.splice(0).forEach((c) => c());
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });

  /** Webhook requests made for one decision, against a webhook that answers 503 every time, with `flags`. */
  const attemptsMade = async (flags: string[]) => {
    const decisions = createServer((_req, res) => res.writeHead(200).end([
      { type: 'decision', subject: 'profile:p1', profileId: 'p1', decision: { decisionId: 'd1', placement: 'weekly-email', choices: [{ rank: 1, kind: 'action', action: 'shoes-offer' }] } },
      { type: 'done', scanned: 1, total: 1, matched: 1, decided: 1, actions: 1, audienceErrors: 0, stoppedBy: 'end' },
    ].map((l) => JSON.stringify(l) + '\n').join('')));
    let hits = 0;
    const webhook = createServer((_req, res) => (hits++, res.writeHead(503).end()));
    for (const s of [decisions, webhook]) {
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
      closing.push(() => s.close());
    }
    const at = (s: typeof decisions) => `http://127.0.0.1:${(s.address() as { port: number }).port}`;
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const program = new Command().exitOverride();
    decideBatchCommand(program);
    const failed = join(testDir('tact-batch-cli-'), 'send.jsonl');
    await program.parseAsync(['decide-batch', '-p', 'weekly-email', '-a', 'true', '-o', failed, '--webhook', at(webhook), '-u', at(decisions), '-k', 'k', '--no-progress', ...flags], { from: 'user' });
    return hits;
  };

  it('--retries 1 retries a failing batch once: two attempts in all', async () => {
    expect(await attemptsMade(['--retries', '1'])).toBe(2);
  });

  it('--retries 0 makes one attempt and no retry', async () => {
    expect(await attemptsMade(['--retries', '0'])).toBe(1);
  });

  it('--attempts 2 makes two attempts in all', async () => {
    expect(await attemptsMade(['--attempts', '2'])).toBe(2);
  });
});

describe('tact decide-batch without --out', () => {
  const closing: (() => void)[] = [];
  afterEach(() => {
    closing.splice(0).forEach((c) => c());
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });

  // Until 2026-12-05 it said "2 decisions written, 2 delivered" with nothing written anywhere.
  it('says the decisions were received and written to no file, not "written"', async () => {
    const d = (i: number) => ({ type: 'decision', subject: `profile:p${i}`, profileId: `p${i}`, decision: { decisionId: `d${i}`, placement: 'weekly-email', choices: [{ rank: 1, kind: 'action', action: 'shoes-offer' }] } });
    const decisions = createServer((_req, res) => res.writeHead(200).end([d(1), d(2), { type: 'done', scanned: 2, total: 2, matched: 2, decided: 2, actions: 2, audienceErrors: 0, stoppedBy: 'end' }].map((l) => JSON.stringify(l) + '\n').join('')));
    const webhook = createServer((req, res) => (req.resume(), req.on('end', () => res.writeHead(200).end())));
    for (const srv of [decisions, webhook]) {
      await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
      closing.push(() => srv.close());
    }
    const at = (srv: typeof decisions) => `http://127.0.0.1:${(srv.address() as { port: number }).port}`;
    const said: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((t) => (said.push(String(t)), true));
    vi.spyOn(process.stdout, 'write').mockImplementation((t) => (said.push(String(t)), true));
    const program = new Command().exitOverride();
    decideBatchCommand(program);
    await program.parseAsync(['decide-batch', '-p', 'weekly-email', '-a', 'true', '--webhook', at(webhook), '-u', at(decisions), '-k', 'k', '--no-progress'], { from: 'user' });
    const text = said.join('');
    expect(text).toContain('2 actions; 2 decisions received (no --out: none written to a file), 2 delivered, 0 undeliverable;');
    expect(text).not.toContain('written,');
    expect(process.exitCode ?? 0).toBe(0);
  });
});

describe('tact decide-batch --resend', () => {
  const closing: (() => void)[] = [];
  afterEach(() => {
    closing.splice(0).forEach((c) => c());
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });

  /** A failed file of two decisions, a webhook answering `status`, and what `tact decide-batch …args` said. */
  const resend = async (status: number, args: (file: string, webhook: string) => string[]) => {
    const file = join(testDir('tact-batch-cli-'), 'send.csv.failed.jsonl');
    const d = (i: number) => ({ type: 'decision', subject: `profile:p${i}`, profileId: `p${i}`, decision: { decisionId: `d${i}`, placement: 'weekly-email', choices: [{ rank: 1, kind: 'action', action: 'shoes-offer' }] } });
    writeFileSync(file, [1, 2].map((i) => JSON.stringify({ ...d(i), deliveryError: 'HTTP 503', attempts: 10 }) + '\n').join(''));
    const got: string[] = [];
    const webhook = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += String(c)));
      req.on('end', () => (got.push(...(JSON.parse(body) as { decisions: { decision: { decisionId: string } }[] }).decisions.map((x) => x.decision.decisionId)), res.writeHead(status).end()));
    });
    await new Promise<void>((r) => webhook.listen(0, '127.0.0.1', () => r()));
    closing.push(() => webhook.close());
    const said: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((t) => (said.push(String(t)), true));
    vi.spyOn(process.stdout, 'write').mockImplementation((t) => (said.push(String(t)), true));
    const program = new Command().exitOverride();
    decideBatchCommand(program);
    const run = program.parseAsync(['decide-batch', ...args(file, `http://127.0.0.1:${(webhook.address() as { port: number }).port}/hook`)], { from: 'user' });
    return { file, got, run, said: () => said.join('') };
  };

  it('sends a failed file\'s decisions again with no server, key, placement or audience, and says what it did', async () => {
    const r = await resend(200, (file, url) => ['--resend', file, '--webhook', url]);
    await r.run;
    expect(r.got).toEqual(['d1', 'd2']);
    expect(r.said()).toContain(`Resent 2 decisions of ${r.file} in 1 batch: 2 delivered; no decision was made, and ${r.file} is kept as it was`);
    expect(process.exitCode).toBeUndefined();
  });

  it('exits 2, naming the new failed file, when the webhook still takes none', async () => {
    const r = await resend(400, (file, url) => ['--resend', file, '--webhook', url, '--attempts', '1']);
    await r.run;
    const next = r.file.replace(/failed\.jsonl$/, 'failed-2.jsonl');
    expect(r.said()).toContain(`0 delivered, 2 still undeliverable (in ${next})`);
    expect(readFileSync(next, 'utf8').trim().split('\n')).toHaveLength(2);
    expect(process.exitCode).toBe(2);
  });

  it('refuses options that would decide (it makes no decision), naming them, before sending anything', async () => {
    const r = await resend(200, (file, url) => ['--resend', file, '--webhook', url, '-p', 'weekly-email', '--limit', '5']);
    await expect(r.run).rejects.toThrow(`--resend sends the decisions of ${r.file} again and makes none: leave out --placement, --limit.`);
    expect(r.got).toEqual([]);
  });

  it('refuses --resend without --webhook', async () => {
    const r = await resend(200, (file) => ['--resend', file]);
    await expect(r.run).rejects.toThrow('--resend needs --webhook URL');
  });

  it('still asks for --placement and --audience of a run that decides', async () => {
    const r = await resend(200, () => ['-a', 'true', '-o', 'x.jsonl', '-k', 'k']);
    await expect(r.run).rejects.toThrow('--placement is required');
  });
});

const ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');

/** A decision server that streams a decision every 10 ms until the client goes away; `closed` resolves then. */
async function endlessDecisions(): Promise<{ url: string; sent: () => number; closed: Promise<void>; close: () => void }> {
  let sent = 0;
  let onClose = () => {};
  const closed = new Promise<void>((r) => (onClose = r));
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.write(JSON.stringify({ type: 'progress', scanned: 0, total: 100_000, matched: 0, decided: 0, actions: 0 }) + '\n');
    const timer = setInterval(() => {
      sent++;
      // A long line, so that a write cut short would show as a half line.
      res.write(JSON.stringify({ type: 'decision', subject: `profile:p${sent}`, profileId: `p${sent}`, decision: { decisionId: `d${sent}`, placement: 'weekly-email', choices: [{ rank: 1, kind: 'action', action: 'shoes-offer', explanation: 'x'.repeat(4000) }] } }) + '\n');
    }, 10);
    res.on('close', () => (clearInterval(timer), onClose()));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, sent: () => sent, closed, close: () => (server.closeAllConnections(), server.close()) };
}

/** A webhook that takes every batch (`hang`: answers none). */
async function hook(hang = false): Promise<{ url: string; got: { subject: string }[]; close: () => void }> {
  const got: { subject: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += String(d)));
    req.on('end', () => hang || (got.push(...(JSON.parse(body) as { decisions: { subject: string }[] }).decisions), res.writeHead(200).end()));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`, got, close: () => (server.closeAllConnections(), server.close()) };
}

/** `tact decide-batch` as its own process (through tsx, from the sources), as a person runs it. */
function spawnBatch(args: string[]) {
  const proc = spawn(process.execPath, [...packageScript('src/cli/main.ts'), 'decide-batch', '-p', 'weekly-email', '-a', 'true', '-k', 'k', '--no-progress', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout.on('data', (d) => (output += String(d)));
  proc.stderr.on('data', (d) => (output += String(d)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((r) => proc.once('exit', (code, signal) => r({ code, signal, at: Date.now() })));
  return { proc, exited, output: () => output };
}

const lines = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : '');
async function until(what: () => boolean, ms = 20_000) {
  for (const end = Date.now() + ms; !what(); await new Promise((r) => setTimeout(r, 20))) if (Date.now() > end) throw new Error('timed out');
}

describe('tact decide-batch, stopped by a signal', () => {
  const closing: (() => void)[] = [];
  afterEach(() => closing.splice(0).forEach((c) => c()));

  /** A run against a server that decides without end, writing to a fresh `send.jsonl` (and to a webhook when given one). */
  const startRun = async (h?: { url: string; close: () => void }) => {
    const server = await endlessDecisions();
    closing.push(server.close, ...(h ? [h.close] : []));
    const out = join(testDir('tact-batch-sig-'), 'send.jsonl');
    const run = spawnBatch(['-u', server.url, '-o', out, ...(h ? ['--webhook', h.url, '--webhook-batch', '100000'] : [])]);
    closing.push(() => run.proc.kill('SIGKILL'));
    return { server, out, run };
  };

  it('on SIGINT stops asking, keeps whole lines in FILE.partial, delivers the batch in hand, says how to rerun, and exits 130', async () => {
    const h = await hook();
    const { server, out, run } = await startRun(h);
    await until(() => lines(`${out}.partial`).split('\n').length > 20);
    run.proc.kill('SIGINT');
    const { code } = await run.exited;
    expect(code, run.output()).toBe(130);
    await server.closed;
    const text = readFileSync(`${out}.partial`, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const written = text.trimEnd().split('\n').map((l) => JSON.parse(l) as { subject: string });
    expect(written.length).toBeGreaterThanOrEqual(20);
    expect(existsSync(out)).toBe(false);
    // The batch in hand (every decision written, since a batch is 100 000) reached the webhook.
    expect(h.got.map((d) => d.subject)).toEqual(written.map((d) => d.subject));
    expect(run.output()).toContain('SIGINT');
    expect(run.output()).toContain(`${out}.partial`);
    expect(run.output()).toMatch(/run the same command again/);
  });

  it('on SIGTERM records a batch the webhook does not take within a few seconds as failed, and exits 143', async () => {
    const h = await hook(true);
    const { out, run } = await startRun(h);
    await until(() => lines(`${out}.partial`).split('\n').length > 5);
    const sentAt = Date.now();
    run.proc.kill('SIGTERM');
    const { code, at } = await run.exited;
    expect(code, run.output()).toBe(143);
    expect(at - sentAt).toBeLessThan(15_000);
    const written = readFileSync(`${out}.partial`, 'utf8').trimEnd().split('\n');
    const failed = readFileSync(`${out}.failed.jsonl`, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { deliveryError: string });
    expect(failed).toHaveLength(written.length);
    expect(failed[0].deliveryError).toContain('SIGTERM');
  });

  it('exits 130, saying on stderr how to rerun, when Ctrl-C also ended the program reading its stdout (a pipe)', async () => {
    const { out, run } = await startRun();
    await until(() => lines(`${out}.partial`).split('\n').length > 5);
    // As in `tact decide-batch … | tee log`: Ctrl-C reaches the whole pipeline, and tee is gone first.
    run.proc.stdout.destroy();
    run.proc.kill('SIGINT');
    const { code } = await run.exited;
    expect(code, run.output()).toBe(130);
    expect(run.output()).not.toContain('EPIPE');
    expect(run.output()).toMatch(/run the same command again/);
  });

  it('exits 130 when Ctrl-C also ended the program reading both its stdout and its stderr (`2>&1 | tee log`)', async () => {
    const { out, run } = await startRun();
    await until(() => lines(`${out}.partial`).split('\n').length > 5);
    run.proc.stdout.destroy();
    run.proc.stderr.destroy();
    run.proc.kill('SIGINT');
    expect((await run.exited).code).toBe(130);
    expect(lines(`${out}.partial`).endsWith('\n')).toBe(true);
  });

  it('exits at once on a second signal', async () => {
    const h = await hook(true);
    const { out, run } = await startRun(h);
    await until(() => lines(`${out}.partial`).split('\n').length > 5);
    run.proc.kill('SIGINT');
    await until(() => run.output().includes('SIGINT'));
    const second = Date.now();
    run.proc.kill('SIGINT');
    const { code, at } = await run.exited;
    expect(code, run.output()).toBe(130);
    // well before the few seconds the first signal gives the webhook
    expect(at - second).toBeLessThan(1_500);
  });
});

describe('tact decide-batch: what the summary and the bar say of a run', () => {
  it('says, of a run stopped early, how many subjects were found so far and how many profiles were scanned of all (until 2026-12-06 "3351 of 3351 subjects in the audience")', () => {
    expect(decidedSaid({ decided: 3351, matched: 3351, scanned: 4507, total: 10_000, stoppedBy: 'signal' }, 'SIGINT')).toBe('Decided for 3351 of the 3351 subjects found in the audience so far (4507 of 10000 profiles scanned, stopped by SIGINT)');
    expect(decidedSaid({ decided: 40, matched: 42, scanned: 100, total: 100, stoppedBy: 'end' }, 'end')).toBe('Decided for 40 of 42 subjects in the audience (100 of 100 profiles scanned, stopped by end)');
  });

  it('draws the bar\'s percentage and its counts from the same report (QA: "22% | 1430/4507 profiles")', () => {
    const drawn: { value: number; payload: { scanned: number } }[] = [];
    const bar = { start: (_t: number, value: number, payload: object) => void drawn.push({ value, payload: payload as { scanned: number } }), update: (value: number, payload: object) => void drawn.push({ value, payload: payload as { scanned: number } }) };
    const update = barProgress(bar);
    // The batch client's summary: one object, its counts moved by each decision received.
    const report = { scanned: 1000, total: 4507, matched: 990, actions: 980 };
    update(report);
    report.scanned = 1430;
    // The bar draws on a timer, between updates: what it draws must still agree.
    expect(drawn.at(-1)).toEqual({ value: 1000, payload: expect.objectContaining({ scanned: 1000 }) });
    update(report);
    expect(drawn.at(-1)).toEqual({ value: 1430, payload: expect.objectContaining({ scanned: 1430 }) });
  });
});
