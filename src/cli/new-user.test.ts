import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { restoreEnv, testDir } from '../../test/tmp.js';
import { evaluations } from '../evaluate/registry.js';
import { freePort } from '../ops/free-port.js';
import { tactProgram } from './program.js';

/**
 * The command line as a new user meets it, reading only --help: each case was tried by hand on
 * `tact` and answered otherwise than the help promised or a user expects.
 */

/** Every command without subcommands below `c`, with its full name. */
function leaves(c: Command, prefix = ''): { name: string; cmd: Command }[] {
  const name = `${prefix}${c.name()}`;
  const subs = c.commands.filter((s) => s.name() !== 'help');
  return subs.length ? subs.flatMap((s) => leaves(s, `${name} `)) : [{ name, cmd: c }];
}

/** Runs `args` in-process as `tact` would (commander throws instead of exiting); what it wrote and the error it ended with. */
async function run(args: string[]): Promise<{ out: string; err: string; error?: Error & { code?: string } }> {
  const program = tactProgram();
  let out = '';
  let err = '';
  const quiet = (c: Command) => {
    c.exitOverride().configureOutput({ writeOut: (t) => (out += t), writeErr: (t) => (err += t) });
    c.commands.forEach(quiet);
  };
  quiet(program);
  const spyOut = vi.spyOn(process.stdout, 'write').mockImplementation((t) => ((out += String(t)), true));
  const spyErr = vi.spyOn(process.stderr, 'write').mockImplementation((t) => ((err += String(t)), true));
  try {
    await program.parseAsync(args, { from: 'user' });
    return { out, err };
  } catch (e) {
    return { out, err, error: e as Error & { code?: string } };
  } finally {
    spyOut.mockRestore();
    spyErr.mockRestore();
  }
}

describe('tact <command> --help', () => {
  it('shows an example of every command (only import and decide-batch had one; evaluate-policy and the experiment and holdout results none)', async () => {
    const without: string[] = [];
    for (const { name } of leaves(tactProgram())) {
      const r = await run([...name.split(' ').slice(1), '--help']);
      expect(r.error?.code, name).toBe('commander.helpDisplayed');
      const examples = r.out.slice(r.out.indexOf('\nExamples:\n'));
      if (!r.out.includes('\nExamples:\n') || !examples.includes(`  ${name}`)) without.push(name);
    }
    expect(without).toEqual([]);
  });
});

describe('a misspelt model name', () => {
  const env = { ...process.env };
  afterEach(() => restoreEnv(env));

  it('is answered with the model it most likely means (tact evaluate did so; train and calibration did not)', async () => {
    process.env.TACT_DATA_DIR = join(testDir('tact-new-user-'), 'none');
    delete process.env.TACT_DATABASE_URL;
    expect((await run(['train', 'rats'])).error?.message).toBe('There is no model "rats"; the models are micro-segments, send-time, rates, baselines, recommendations, uplift. Did you mean rates?');
    expect((await run(['calibration', 'decison'])).error?.message).toMatch(/^There is no calibration report for "decison"; .* Did you mean decisions\?$/);
    expect((await run(['train', 'zzzzzz'])).error?.message).toMatch(/uplift\.$/);
  });
});

describe('tact import: what the command line says is wrong, before anything is sent', () => {
  const env = { ...process.env };
  afterEach(() => restoreEnv(env));
  // A port nothing listens on: an import that got as far as the server would say so instead.
  let url = '';
  beforeAll(async () => {
    url = `http://127.0.0.1:${await freePort()}`;
  });

  it('names the missing file before asking for a write key (it asked for the key first, the file once it was given)', async () => {
    delete process.env.TACT_WRITE_KEY;
    const file = join(testDir('tact-new-user-'), 'nope.jsonl');
    expect((await run(['import', file, '--url', url])).error?.message).toBe(`There is no file ${file}.`);
    expect((await run(['import', file, '--url', url, '--batch', '0'])).error?.message).toBe('The --batch "0" must be a whole number from 1 to 500.');
  });

  it('refuses --type on a JSONL file, as it refuses --map, --rest and --delimiter (it was ignored)', async () => {
    const file = join(testDir('tact-new-user-'), 'a.jsonl');
    writeFileSync(file, '{"type":"track","userId":"u","event":"e"}\n');
    const r = await run(['import', file, '--write-key', 'k', '--url', url, '--type', 'identify']);
    expect(r.error?.message).toBe('The --map, --type, --rest and --delimiter options apply to CSV and TSV files; this file is read as JSONL (pass --format csv or --format tsv if it is one).');
  });

  for (const option of ['--report', '--state']) {
    it(`refuses a folder as ${option} before sending (it was said after the first batches were stored, with the raw EISDIR)`, async () => {
      const dir = testDir('tact-new-user-');
      const file = join(dir, 'a.jsonl');
      writeFileSync(file, '{"type":"track","userId":"u","event":"e"}\n');
      mkdirSync(join(dir, 'out'));
      const r = await run(['import', file, '--write-key', 'k', '--url', url, option, join(dir, 'out')]);
      expect(r.error?.message).toBe(`The ${option} "${join(dir, 'out')}" is a folder, not a file: name the file itself.`);
    });
  }
});

describe('tact evaluate on a terminal', () => {
  const saved = process.stderr.isTTY;
  afterEach(() => {
    process.stderr.isTTY = saved;
    evaluations.splice(evaluations.findIndex((e) => e.name === 'zz-test'), 1);
  });

  it('leaves the cursor shown and line wrapping on whatever ends the run (Ctrl-C kills its synchronous loop, which left the terminal without a cursor)', async () => {
    evaluations.push({
      name: 'zz-test',
      description: 'a test',
      run: async (ctx) => {
        ctx.progress?.(1, 10);
        ctx.progress?.(5, 10);
        throw new Error('stopped half-way');
      },
    });
    process.stderr.isTTY = true;
    const r = await run(['evaluate', 'zz-test']);
    expect(r.error?.message).toBe('stopped half-way');
    expect(r.err).toContain('zz-test');
    expect(r.err).not.toContain('\x1b[?25l');
    expect(r.err).not.toContain('\x1b[?7l');
  });
});
