import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { EvaluationContext } from '../../evaluate/evaluation.js';
import { learnEvaluations } from './index.js';

const datasetsDir = fileURLToPath(new URL('../../../datasets', import.meta.url));
const ctx = (lines: string[]): EvaluationContext => ({ datasetsDir, log: (l) => lines.push(l), quick: true });
const byName = (name: string) => {
  const ev = learnEvaluations.find((e) => e.name === name);
  if (!ev) throw new Error(`missing evaluation ${name}`);
  return ev;
};
const isCi = (x: unknown) => Array.isArray(x) && x.length === 2 && (x[0] as number) <= (x[1] as number);

describe('learn evaluations (quick mode: shape and sanity, not the published figures)', () => {
  it('exports the five evaluations of issue 4', () => {
    expect(learnEvaluations.map((e) => e.name).sort()).toEqual(['air-quality', 'bandit', 'calibration', 'hillstrom', 'obd']);
    for (const e of learnEvaluations) expect(e.description.length).toBeGreaterThan(20);
  });

  // bandit and hillstrom: their figures are checked where the command line runs them
  // (src/cli/evaluate.test.ts), not run a second time here.

  it('obd', async () => {
    const out = await byName('obd').run(ctx([]));
    for (const c of ['men', 'women']) {
      const r = out[c] as Record<string, unknown>;
      for (const k of ['policy_ctr', 'random_ctr', 'bts_ctr']) expect(r[k] as number).toBeGreaterThan(0);
      expect(isCi(r.ci)).toBe(true);
      expect((r.ci as number[])[0]).toBeLessThanOrEqual(r.policy_ctr as number);
    }
  });

  it('air-quality', async () => {
    const out = await byName('air-quality').run(ctx([]));
    expect(out.coverage90 as number).toBeGreaterThan(0.7);
    expect(out.coverage90 as number).toBeLessThanOrEqual(1);
    expect(typeof out.days_to_established).toBe('number');
    expect(out.width_vs_population as number).toBeGreaterThan(0);
    expect(isCi(out.coverage90_ci)).toBe(true);
  });

  it('calibration', async () => {
    const out = await byName('calibration').run(ctx([]));
    for (const k of ['ece_conversion', 'ece_click']) {
      expect(out[k] as number).toBeGreaterThanOrEqual(0);
      expect(out[k] as number).toBeLessThan(0.2);
    }
    expect(isCi(out.ece_click_ci)).toBe(true);
    expect(out.coverage90_click_interval as number).toBeGreaterThan(0.5);
  }, 120_000);
});
