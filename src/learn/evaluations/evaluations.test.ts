import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { EvaluationContext } from '../../evaluate/evaluation.js';
import { fieldsMismatch } from '../../cli/evaluate-fields.js';
import { learnEvaluations } from './index.js';

const datasetsDir = fileURLToPath(new URL('../../../datasets', import.meta.url));
const ctx = (lines: string[], progress?: EvaluationContext['progress']): EvaluationContext => ({ datasetsDir, log: (l) => lines.push(l), quick: true, progress });
const byName = (name: string) => {
  const ev = learnEvaluations.find((e) => e.name === name);
  if (!ev) throw new Error(`missing evaluation ${name}`);
  return ev;
};
const isCi = (x: unknown) => Array.isArray(x) && x.length === 2 && (x[0] as number) <= (x[1] as number);

/** A progress recorder, and the check that the bar moved forward, step by step, to done = total. */
function progressRecorder() {
  const calls: [number, number, string | undefined][] = [];
  return {
    progress: (done: number, total: number, label?: string) => void calls.push([done, total, label]),
    expectFull(minCalls = 3) {
      expect(calls.length).toBeGreaterThanOrEqual(minCalls);
      for (let i = 1; i < calls.length; i++) {
        expect(calls[i][1]).toBe(calls[0][1]);
        expect(calls[i][0]).toBeGreaterThanOrEqual(calls[i - 1][0]);
      }
      const [done, total, label] = calls.at(-1)!;
      expect(done).toBe(total);
      expect(label).toBeTruthy();
    },
  };
}

describe('learn evaluations (quick mode: shape and sanity, not the published figures)', () => {
  it('exports the five evaluations of issue 4', () => {
    expect(learnEvaluations.map((e) => e.name).sort()).toEqual(['air-quality', 'bandit', 'calibration', 'hillstrom', 'obd']);
    for (const e of learnEvaluations) expect(e.description.length).toBeGreaterThan(20);
  });

  // bandit and hillstrom: their figures are checked where the command line runs them
  // (src/cli/evaluate.test.ts), not run a second time here.

  it('obd', async () => {
    const out = await byName('obd').run(ctx([]));
    // Every field of the JSON line is named in `tact evaluate --help`, and every field it names is there.
    expect(fieldsMismatch(out, byName('obd').fields ?? {})).toEqual([]);
    for (const c of ['men', 'women']) {
      const r = out[c] as Record<string, unknown>;
      for (const k of ['policy_ctr', 'random_ctr', 'bts_ctr']) expect(r[k] as number).toBeGreaterThan(0);
      expect(isCi(r.ci)).toBe(true);
      expect((r.ci as number[])[0]).toBeLessThanOrEqual(r.policy_ctr as number);
    }
    // The logs' own CTRs with their exact binomial intervals: 46 clicks in 10,000 for the random log of
    // either campaign (scipy.stats.beta.ppf: [0.0033697, 0.0061310]; the percentile bootstrap gave
    // [0.0033, 0.0059] until 2026-12-06), 69 for the Bernoulli-TS log of the men's ([0.0053725, 0.0087244]).
    expect((out.men as Record<string, unknown>).random_ctr_ci).toEqual([0.00337, 0.00613]);
    expect((out.women as Record<string, unknown>).random_ctr_ci).toEqual([0.00337, 0.00613]);
    expect((out.men as Record<string, unknown>).bts_ctr_ci).toEqual([0.00537, 0.00872]);
  });

  it('air-quality', async () => {
    const bar = progressRecorder();
    const out = await byName('air-quality').run(ctx([], bar.progress));
    bar.expectFull();
    expect(out.coverage90 as number).toBeGreaterThan(0.7);
    expect(out.coverage90 as number).toBeLessThanOrEqual(1);
    expect(fieldsMismatch(out, byName('air-quality').fields ?? {})).toEqual([]);
    expect(typeof out.days_to_established).toBe('number');
    // The day is set by the rule, which reads only the readings' times: no bootstrap interval of a
    // constant (until 2026-12-06 `days_to_established_ci` read [15, 15]), its range over streams and the rule.
    expect(out.days_to_established_ci).toBeUndefined();
    const range = out.days_to_established_range as number[];
    expect(range[0]).toBeLessThanOrEqual(out.days_to_established as number);
    expect(range[1]).toBeGreaterThanOrEqual(out.days_to_established as number);
    expect(out.days_to_established_rule).toMatch(/only the readings' times/);
    expect(out.width_vs_population as number).toBeGreaterThan(0);
    expect(isCi(out.coverage90_ci)).toBe(true);
  });

  it('calibration', async () => {
    const bar = progressRecorder();
    const out = await byName('calibration').run(ctx([], bar.progress));
    expect(fieldsMismatch(out, byName('calibration').fields ?? {})).toEqual([]);
    bar.expectFull(10);
    for (const k of ['ece_conversion', 'ece_click']) {
      expect(out[k] as number).toBeGreaterThanOrEqual(0);
      expect(out[k] as number).toBeLessThan(0.2);
    }
    expect(isCi(out.ece_click_ci)).toBe(true);
    expect(out.coverage90_click_interval as number).toBeGreaterThan(0.5);
  }, 120_000);

  // After calibration: the bandit simulation and the Hillstrom fits are memoised, so these runs are
  // short (their figures are checked in src/cli/evaluate.test.ts).
  for (const name of ['bandit', 'hillstrom']) {
    it(`${name}: its progress bar ends at 100%`, async () => {
      const bar = progressRecorder();
      await byName(name).run(ctx([], bar.progress));
      bar.expectFull();
    }, 120_000);
  }
});
