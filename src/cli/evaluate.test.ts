import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { evaluations } from '../evaluate/registry.js';
import { datasetsDir, evaluateCommand } from './evaluate.js';
import { fieldsMismatch } from './evaluate-fields.js';

let root: string | undefined;
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

/** A package at <root>/pkg with its CLI module at `modulePath`, and a foreign datasets/ beside it. */
function layout(modulePath: string, withDatasets: boolean): string {
  root = mkdtempSync(join(tmpdir(), 'tact-datasets-'));
  mkdirSync(join(root, 'datasets'));
  mkdirSync(join(root, 'pkg', modulePath, '..'), { recursive: true });
  writeFileSync(join(root, 'pkg', 'package.json'), JSON.stringify({ name: 'tact' }));
  if (withDatasets) mkdirSync(join(root, 'pkg', 'datasets'));
  return pathToFileURL(join(root, 'pkg', modulePath)).href;
}

describe('tact evaluate: where the data sets are read from', () => {
  it('reads the datasets/ folder of its own package, from src/ and from dist/src/', () => {
    const fromSrc = layout('src/cli/evaluate.ts', true);
    expect(datasetsDir(fromSrc)).toBe(join(root!, 'pkg', 'datasets'));
    const fromDist = fromSrc.replace('/src/cli/', '/dist/src/cli/').replace('.ts', '.js');
    expect(datasetsDir(fromDist)).toBe(join(root!, 'pkg', 'datasets'));
  });

  it('refuses, rather than read a datasets/ folder outside its package, when its own is missing', () => {
    const fromSrc = layout('src/cli/evaluate.ts', false);
    expect(() => datasetsDir(fromSrc)).toThrow(/datasets/);
    const fromDist = fromSrc.replace('/src/cli/', '/dist/src/cli/').replace('.ts', '.js');
    expect(() => datasetsDir(fromDist)).toThrow(/datasets/);
  });
});

/** Everything `tact evaluate <args>` writes to stdout (and, in `err`, to stderr). */
async function evaluateOutputs(args: string[], ascii = '0'): Promise<{ out: string; err: string }> {
  const saved = process.env.TACT_ASCII;
  process.env.TACT_ASCII = ascii;
  let out = '';
  let err = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out += String(s);
    return true;
  });
  const errSpy = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    err += String(s);
    return true;
  });
  try {
    const program = new Command().exitOverride();
    evaluateCommand(program);
    await program.parseAsync(['evaluate', ...args, '--quick'], { from: 'user' });
  } finally {
    spy.mockRestore();
    errSpy.mockRestore();
    if (saved === undefined) delete process.env.TACT_ASCII;
    else process.env.TACT_ASCII = saved;
  }
  return { out, err };
}
const evaluateOutput = async (args: string[], ascii = '0') => (await evaluateOutputs(args, ascii)).out;

const isCi = (x: unknown) => Array.isArray(x) && x.length === 2 && (x[0] as number) <= (x[1] as number);

/** What each evaluation's figures must show (quick mode: shape and sanity, not the published figures), checked on the --json line. */
const sane: Record<string, (out: Record<string, unknown>, text: string) => void> = {
  bandit: (out, text) => {
    for (const k of ['ctr_last10k', 'oracle_ctr', 'uniform_ctr', 'ips_self_check_error']) expect(typeof out[k]).toBe('number');
    expect(out.uniform_ctr as number).toBeLessThan(out.ctr_last10k as number);
    expect(out.ctr_last10k as number).toBeLessThanOrEqual((out.oracle_ctr as number) + 0.05);
    expect(out.mean_importance_weight as number).toBeGreaterThan(0.8);
    expect(isCi(out.ctr_last10k_ci)).toBe(true);
    // The absolute self-check error's interval is the signed one's folded: it reaches the signed one's farther end.
    const signed = out.ips_self_check_signed_error_ci as number[];
    expect(isCi(signed)).toBe(true);
    expect((out.ips_self_check_error_ci as number[])[1]).toBe(Math.max(Math.abs(signed[0]), Math.abs(signed[1])));
    expect(text).toContain('self-check');
  },
  hillstrom: (out) => {
    expect(typeof out.conversion_lift_share_at_50).toBe('number');
    expect(isCi(out.conversion_lift_share_at_50_ci)).toBe(true);
    const conv = out.conversion as { lift_share: number[]; budgets: number[]; model: string };
    expect(conv.lift_share).toHaveLength(9);
    expect(conv.budgets[4]).toBe(0.5);
    expect(['t-learner', 'x-learner', 's-learner', 'uplift-forest']).toContain(conv.model);
  },
};

describe('tact evaluate: charts in the text output, never with --json', () => {
  const charts: [string, RegExp[]][] = [
    ['hillstrom', [/conversion lift share by budget/, /visit lift share by budget/]],
    ['bandit', [/learner CTR per \d+ rounds/]],
    ['air-quality', [/coverage of the 90% intervals per stream/]],
  ];
  for (const [name, titles] of charts) {
    it(`${name}: prints its chart, within 80 columns, and the --json run prints none, its JSON line alone on stdout and the same figures on stderr`, async () => {
      const text = await evaluateOutput([name]);
      for (const t of titles) expect(text).toMatch(t);
      expect(text).toContain('●');
      const chartLines = text.split('\n').filter((l) => /[━│●┊░◀▶]/.test(l));
      expect(chartLines.length).toBeGreaterThan(3);
      for (const l of chartLines) expect(l.length).toBeLessThanOrEqual(80);

      const { out: json, err: jsonText } = await evaluateOutputs([name, '--json']);
      for (const t of titles) expect(json + jsonText).not.toMatch(t);
      expect(json + jsonText).not.toContain('●');
      // stdout: the one JSON line (the last line of the contract, and the only one).
      expect(json.trimEnd().split('\n')).toHaveLength(1);
      const out = JSON.parse(json) as Record<string, unknown>;
      expect(out).toMatchObject({ evaluation: name });
      // Every field of the line is named in `tact evaluate --help` (evaluate-fields.test.ts), and every field it names is here.
      expect(fieldsMismatch(out, evaluations.find((e) => e.name === name)?.fields ?? {})).toEqual([]);
      sane[name]?.(out, text);
      // Apart from the charts (and the timings in parentheses), the text is what --json prints on
      // stderr, figure for figure: drawing the chart changes nothing the evaluation reports.
      const figures = (s: string[]) => s.filter((l) => !l.startsWith('(') && !/[━│●┊░◀▶]/.test(l) && l.trim() !== '');
      const textFigures = figures(text.split('\n')).filter((l) => !titles.some((t) => t.test(l)) && !/^\s/.test(l));
      expect(textFigures.length).toBeGreaterThan(3);
      expect(textFigures).toEqual(figures(jsonText.split('\n')).filter((l) => !/^\s/.test(l)));
      // Two runs of the evaluation (the bandit's ≈ 3 s each alone with --quick; one CI run under load took over 60 s for three).
    }, 180_000);
  }

  it('draws the charts in ASCII with TACT_ASCII=1', async () => {
    const text = await evaluateOutput(['air-quality'], '1');
    expect(text).toMatch(/coverage of the 90% intervals per stream/);
    const chart = text.slice(text.indexOf('coverage of the 90% intervals per stream'), text.indexOf('coverage of personal intervals'));
    expect(chart).toMatch(/[o.]/);
    expect(chart).not.toMatch(/[━│●┊░◀▶]/);
    // Seven-bit throughout, the goal band's range too.
    expect(chart).toContain('goal 0.85-0.95');
    expect(chart).toMatch(/^[\x00-\x7f]*$/);
  });
});

describe('tact evaluate: a name it does not know', () => {
  it('lists the evaluations and suggests the one a misspelt name most likely means', async () => {
    const program = new Command().exitOverride();
    evaluateCommand(program);
    const names = evaluations.map((e) => e.name).join(', ');
    await expect(program.parseAsync(['evaluate', 'hilstrom'], { from: 'user' })).rejects.toThrow(`There is no evaluation "hilstrom"; the evaluations are ${names}. Did you mean hillstrom?`);
    await expect(program.parseAsync(['evaluate', 'zzz'], { from: 'user' })).rejects.toThrow(new RegExp(`the evaluations are ${names}\\.$`));
  });
});
