/**
 * `tact evaluate`'s streams on stand-in evaluations (the real ones are run in evaluate.test.ts):
 * with --json stdout holds only JSON lines, one per evaluation, and the text goes to stderr.
 */
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Evaluation } from '../evaluate/evaluation.js';
import { evaluateCommand } from './evaluate.js';

const fake = (name: string, figure: number, progress: [number, number, string][]): Evaluation => ({
  name,
  description: `the ${name} stand-in, for the command's own tests`,
  async run(ctx) {
    ctx.log(`${name}: a figure line`);
    ctx.chart?.(() => [`${name} chart line`]);
    for (const [done, total, label] of progress) ctx.progress?.(done, total, label);
    ctx.log(`${name}: figure ${figure}`);
    return { evaluation: name, figure };
  },
});
const standIns = [
  fake('alpha', 1, [[0, 4, 'first'], [4, 4, 'first']]),
  // A stage whose total differs from the first's: the bar follows the new total.
  fake('beta', 2, [[1, 4, 'first'], [1, 2, 'second']]),
];

let restoreTty: (() => void) | undefined;
afterEach(() => {
  restoreTty?.();
  restoreTty = undefined;
});

/** stdout and stderr of `tact evaluate <args>`. */
async function run(args: string[]): Promise<{ stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    stdout += String(s);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    stderr += String(s);
    return true;
  });
  try {
    const program = new Command().exitOverride();
    evaluateCommand(program, standIns);
    await program.parseAsync(['evaluate', ...args], { from: 'user' });
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return { stdout, stderr };
}

/** Makes stderr look like a terminal (the progress bar is drawn only there). */
function stderrIsTty(): void {
  const had = Object.getOwnPropertyDescriptor(process.stderr, 'isTTY');
  Object.defineProperty(process.stderr, 'isTTY', { value: true, configurable: true });
  restoreTty = () => {
    if (had) Object.defineProperty(process.stderr, 'isTTY', had);
    else delete (process.stderr as { isTTY?: boolean }).isTTY;
  };
}

describe('tact evaluate --json: stdout holds only the JSON', () => {
  it('one evaluation: its object is the only line on stdout; the figures and the timing go to stderr', async () => {
    const { stdout, stderr } = await run(['alpha', '--json']);
    expect(stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(JSON.parse(stdout)).toEqual({ evaluation: 'alpha', figure: 1 });
    expect(stderr).toContain('alpha: a figure line\n');
    expect(stderr).toContain('alpha: figure 1\n');
    expect(stderr).toMatch(/^\(alpha: \d+\.\d s\)$/m);
    expect(stderr).not.toContain('chart line');
  });

  it('all: one JSON object per evaluation per line (JSON Lines), the last line an evaluation\'s object', async () => {
    const { stdout, stderr } = await run(['all', '--json']);
    const lines = stdout.trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual([{ evaluation: 'alpha', figure: 1 }, { evaluation: 'beta', figure: 2 }]);
    expect(stderr).toMatch(/alpha: figure 1[\s\S]*\(alpha: [\d.]+ s\)[\s\S]*beta: figure 2[\s\S]*\(beta: [\d.]+ s\)/);
  });

  it('no name: the list of evaluations as one JSON object', async () => {
    const { stdout, stderr } = await run(['--json']);
    expect(stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(JSON.parse(stdout)).toEqual({
      evaluations: [
        { name: 'alpha', description: 'the alpha stand-in, for the command\'s own tests' },
        { name: 'beta', description: 'the beta stand-in, for the command\'s own tests' },
      ],
    });
    expect(stderr).toBe('');
  });
});

describe('tact evaluate without --json: everything on stdout, as before', () => {
  it('prints the figures, the charts and the timings, and no JSON', async () => {
    const { stdout, stderr } = await run(['all']);
    expect(stdout).toMatch(/^alpha: a figure line\nalpha chart line\nalpha: figure 1\n\(alpha: [\d.]+ s\)\nbeta: a figure line\nbeta chart line\nbeta: figure 2\n\(beta: [\d.]+ s\)\n$/);
    expect(stdout).not.toContain('{');
    expect(stderr).toBe('');
  });

  it('lists the evaluations without a name', async () => {
    const { stdout } = await run([]);
    expect(stdout).toBe('alpha        the alpha stand-in, for the command\'s own tests\nbeta         the beta stand-in, for the command\'s own tests\n');
  });
});

describe('tact evaluate: the progress bar (on a terminal only)', () => {
  it('is drawn on stderr, ends where the evaluation\'s last report is, and follows a new total', async () => {
    stderrIsTty();
    const { stdout, stderr } = await run(['all']);
    expect(stderr).toMatch(/alpha .*100% first/);
    expect(stderr).toMatch(/beta .*50% second/);
    expect(stdout).not.toMatch(/%/);
  });

  it('is not drawn when stderr is not a terminal', async () => {
    const { stderr } = await run(['all']);
    expect(stderr).toBe('');
  });
});
