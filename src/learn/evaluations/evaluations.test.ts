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

  it('bandit', async () => {
    const lines: string[] = [];
    const out = await byName('bandit').run(ctx(lines));
    expect(out).toMatchObject({ evaluation: 'bandit' });
    for (const k of ['ctr_last10k', 'oracle_ctr', 'uniform_ctr', 'ips_self_check_error']) expect(typeof out[k]).toBe('number');
    expect(out.uniform_ctr as number).toBeLessThan(out.ctr_last10k as number);
    expect(out.ctr_last10k as number).toBeLessThanOrEqual((out.oracle_ctr as number) + 0.05);
    expect(out.mean_importance_weight as number).toBeGreaterThan(0.8);
    expect(isCi(out.ctr_last10k_ci)).toBe(true);
    expect(lines.some((l) => l.includes('self-check'))).toBe(true);
  }, 120_000); // ≈ 10 s alone; three times that beside the suite's other files on a slow host

  it('obd', async () => {
    const out = await byName('obd').run(ctx([]));
    for (const c of ['men', 'women']) {
      const r = out[c] as Record<string, unknown>;
      for (const k of ['policy_ctr', 'random_ctr', 'bts_ctr']) expect(r[k] as number).toBeGreaterThan(0);
      expect(isCi(r.ci)).toBe(true);
      expect((r.ci as number[])[0]).toBeLessThanOrEqual(r.policy_ctr as number);
    }
  });

  it('hillstrom', async () => {
    const out = await byName('hillstrom').run(ctx([]));
    expect(typeof out.conversion_lift_share_at_50).toBe('number');
    expect(isCi(out.conversion_lift_share_at_50_ci)).toBe(true);
    const conv = out.conversion as { lift_share: number[]; budgets: number[]; model: string };
    expect(conv.lift_share).toHaveLength(9);
    expect(conv.budgets[4]).toBe(0.5);
    expect(['t-learner', 'x-learner', 's-learner', 'uplift-forest']).toContain(conv.model);
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
