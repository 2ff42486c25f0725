import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { restoreEnv, testDir } from '../../../test/tmp.js';
import { decideBatchCommand } from './command.js';
import { closeServersAfterEach, serve } from './test-server.js';
import { packageScript } from '../../../test/cli-entry.js';

closeServersAfterEach();

/** A server deciding `shoes-offer` for p1 (decision `id`); the Authorization headers it got. */
async function decisions(id = 'd1'): Promise<{ url: string; auth: (string | undefined)[]; hits: () => number }> {
  const auth: (string | undefined)[] = [];
  const url = await serve((req, res) => {
    auth.push(req.headers.authorization);
    res.writeHead(200).end([
      { type: 'decision', subject: 'profile:p1', profileId: 'p1', decision: { decisionId: id, placement: 'weekly-email', choices: [{ rank: 1, kind: 'action', action: 'shoes-offer' }] } },
      { type: 'done', scanned: 1, total: 1, matched: 1, decided: 1, actions: 1, audienceErrors: 0, stoppedBy: 'end' },
    ].map((l) => JSON.stringify(l) + '\n').join(''));
  });
  return { url, auth, hits: () => auth.length };
}

/** Runs `tact decide-batch …args` (a fresh command); what it wrote on stdout and stderr. */
async function run(args: string[]): Promise<string> {
  const said: string[] = [];
  const spies = [process.stdout, process.stderr].map((s) => vi.spyOn(s, 'write').mockImplementation((t) => (said.push(String(t)), true)));
  const program = new Command().exitOverride();
  decideBatchCommand(program);
  try {
    await program.parseAsync(['decide-batch', ...args], { from: 'user' });
  } finally {
    spies.forEach((s) => s.mockRestore());
  }
  return said.join('');
}

describe('tact decide-batch: the server key and the context', () => {
  const saved = { ...process.env };
  afterEach(() => {
    restoreEnv(saved);
    process.exitCode = undefined;
  });

  it('does not print the server key from TACT_SERVER_KEY in --help, and still sends it', async () => {
    process.env.TACT_SERVER_KEY = 'sk-very-secret';
    const program = new Command();
    decideBatchCommand(program);
    expect(program.commands[0].helpInformation()).not.toContain('sk-very-secret');
    const server = await decisions();
    await run(['-p', 'weekly-email', '-a', 'true', '-o', join(testDir('tact-batch-cli-'), 'send.jsonl'), '-u', server.url, '--no-progress']);
    expect(server.auth).toEqual(['Bearer sk-very-secret']);
  });

  it('refuses a --url with a user name and password before asking for any decision, without repeating the password', async () => {
    const server = await decisions();
    await expect(run(['-p', 'weekly-email', '-a', 'true', '-o', join(testDir('tact-batch-cli-'), 'send.jsonl'), '-u', server.url.replace('http://', 'http://ana:hunter2@'), '-k', 'k', '--no-progress']))
      .rejects.toThrow(/^The --url "http:\/\/ana:\*\*\*@127\.0\.0\.1:\d+" holds a user name and password/);
    expect(server.hits()).toBe(0);
  });

  for (const context of ['[1,2]', 'null', '"home"', '3']) {
    it(`refuses --context ${context} (not a JSON object) before asking for any decision`, async () => {
      const server = await decisions();
      await expect(run(['-p', 'weekly-email', '-a', 'true', '-o', join(testDir('tact-batch-cli-'), 'send.jsonl'), '-u', server.url, '-k', 'k', '--no-progress', '--context', context]))
        .rejects.toThrow('--context must be a JSON object');
      expect(server.hits()).toBe(0);
    });
  }
});

describe('tact decide-batch: an earlier run\'s failed file', () => {
  afterEach(() => {
    process.exitCode = undefined;
  });

  it('is kept aside, not deleted, when the next run starts (its decisions were never delivered)', async () => {
    const out = join(testDir('tact-batch-cli-'), 'send.jsonl');
    const down = await serve((_req, res) => res.writeHead(400).end());
    await run(['-p', 'weekly-email', '-a', 'true', '-o', out, '--webhook', down, '-u', (await decisions('d1')).url, '-k', 'k', '--no-progress']);
    const failed = readFileSync(`${out}.failed.jsonl`, 'utf8');
    expect(failed).toContain('"decisionId":"d1"');
    const up = await serve((_req, res) => res.writeHead(200).end());
    const said = await run(['-p', 'weekly-email', '-a', 'true', '-o', out, '--webhook', up, '-u', (await decisions('d2')).url, '-k', 'k', '--no-progress']);
    // This run delivered everything: no failed file of its own, and the earlier one kept under another name.
    expect(existsSync(`${out}.failed.jsonl`)).toBe(false);
    const kept = readdirSync(dirname(out)).filter((f) => f.startsWith('send.jsonl.failed.jsonl.'));
    expect(kept).toHaveLength(1);
    expect(readFileSync(join(dirname(out), kept[0]), 'utf8')).toBe(failed);
    expect(said).toContain(`--resend ${join(dirname(out), kept[0])}`);
  });
});

describe('tact decide-batch: subjects the server could not decide for', () => {
  afterEach(() => {
    process.exitCode = undefined;
  });

  it('says which subject failed and why (the first), not only how many, and exits 2', async () => {
    const url = await serve((_req, res) => res.writeHead(200).end([
      { type: 'decision', subject: 'profile:p1', profileId: 'p1', decision: { decisionId: 'd1', placement: 'weekly-email', choices: [{ rank: 1, kind: 'action', action: 'shoes-offer' }] } },
      { type: 'error', profileId: 'p2', error: 'internal_subject', message: 'The decision for this subject failed; the run went on.', errorId: 'err-42' },
      { type: 'error', profileId: 'p3', error: 'internal_subject', message: 'The decision for this subject failed; the run went on.', errorId: 'err-43' },
      { type: 'done', scanned: 3, total: 3, matched: 3, decided: 1, actions: 1, audienceErrors: 0, stoppedBy: 'end' },
    ].map((l) => JSON.stringify(l) + '\n').join('')));
    const said = await run(['-p', 'weekly-email', '-a', 'true', '-o', join(testDir('tact-batch-cli-'), 'send.jsonl'), '-u', url, '-k', 'k', '--no-progress']);
    expect(said).toContain('2 errors');
    expect(said).toContain('No decision was made for 2 subjects (the first: profile p2: The decision for this subject failed; the run went on. Error id err-42, in the server log).');
    expect(process.exitCode).toBe(2);
  });
});

describe('tact decide-batch --out /dev/stdout (decisions piped to another program)', () => {
  afterEach(() => {
    process.exitCode = undefined;
  });

  for (const target of ['/dev/stdout', '-']) it(`writes the decisions to stdout and says its summary on stderr, so that stdout holds decisions only (\`… -o ${target} | jq\`)`, async () => {
    const server = await decisions();
    const root = resolve(fileURLToPath(import.meta.url), '../../../..');
    const proc = spawn(process.execPath, [...packageScript('src/cli/main.ts'), 'decide-batch', '-p', 'weekly-email', '-a', 'true', '-o', target, '-u', server.url, '-k', 'k', '--no-progress'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout.on('data', (d) => (out += String(d)));
    proc.stderr.on('data', (d) => (err += String(d)));
    const code = await new Promise<number | null>((r) => proc.once('close', (c) => r(c)));
    expect(code, err).toBe(0);
    const lines = out.trimEnd().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { decision: { decisionId: string } }).decision.decisionId)).toEqual(['d1']);
    expect(err).toContain('Decided for 1 of 1 subjects');
  });
});

describe('tact decide-batch on a terminal, failing once the bar is drawn', () => {
  afterEach(() => {
    process.exitCode = undefined;
  });

  it('shows the cursor again (the bar hides it) before the error is said', async () => {
    const out = join(testDir('tact-batch-cli-'), 'send.jsonl');
    const counts = { scanned: 1, total: 1, matched: 1, decided: 1, actions: 1, audienceErrors: 0 };
    const url = await serve((_req, res) => {
      res.writeHead(200).write(JSON.stringify({ type: 'progress', ...counts }) + '\n');
      // The output is removed under the run (a clean-up job, a full disk): it cannot be renamed at the end.
      setTimeout(() => (rmSync(`${out}.partial`), res.end(JSON.stringify({ type: 'done', ...counts, stoppedBy: 'end' }) + '\n')), 100);
    });
    const tty = Object.getOwnPropertyDescriptor(process.stderr, 'isTTY');
    Object.defineProperty(process.stderr, 'isTTY', { value: true, configurable: true });
    const said: string[] = [];
    const spies = [process.stdout, process.stderr].map((s) => vi.spyOn(s, 'write').mockImplementation((t) => (said.push(String(t)), true)));
    try {
      const program = new Command().exitOverride();
      decideBatchCommand(program);
      await expect(program.parseAsync(['decide-batch', '-p', 'weekly-email', '-a', 'true', '-o', out, '-u', url, '-k', 'k'], { from: 'user' })).rejects.toThrow('could not be renamed');
    } finally {
      spies.forEach((s) => s.mockRestore());
      if (tty) Object.defineProperty(process.stderr, 'isTTY', tty);
      else delete (process.stderr as { isTTY?: boolean }).isTTY;
    }
    const text = said.join('');
    expect(text).toContain('\x1b[?25l');
    expect(text.lastIndexOf('\x1b[?25h')).toBeGreaterThan(text.lastIndexOf('\x1b[?25l'));
  });
});
