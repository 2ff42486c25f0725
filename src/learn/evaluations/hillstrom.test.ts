import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hillstromEvaluation } from './hillstrom.js';

const datasetsDir = fileURLToPath(new URL('../../../datasets', import.meta.url));

describe('tact evaluate hillstrom --quick: intervals', () => {
  it('gives no lift share an interval of zero width, though at 90% no conversion shows where the policy and the best arm differ', async () => {
    const lines: string[] = [];
    const out = await hillstromEvaluation.run({ datasetsDir, log: (l) => lines.push(l), quick: true });
    const conversion = out.conversion as { lift_share: number[]; lift_share_ci: number[][]; budgets: number[] };
    // The quick run's test quarter: 800 customers left to "none" at 90%, 267 of them logged with the
    // men's e-mail and 282 with none, not one conversion among them — so every resample said share 1.
    expect(conversion.budgets[8]).toBe(0.9);
    expect(conversion.lift_share[8]).toBe(1);
    for (const outcome of ['conversion', 'visit', 'spend']) {
      const r = out[outcome] as { lift_share: number[]; lift_share_ci: number[][] };
      r.lift_share_ci.forEach(([low, high], j) => {
        expect(high - low, `${outcome} at ${j + 1}0%`).toBeGreaterThan(0);
        expect(low, `${outcome} at ${j + 1}0%`).toBeLessThanOrEqual(r.lift_share[j]);
        expect(high, `${outcome} at ${j + 1}0%`).toBeGreaterThanOrEqual(r.lift_share[j]);
      });
    }
    // Bounded exactly there, the gap to the best arm can go either way: the interval holds shares below and above 1.
    expect(conversion.lift_share_ci[8][0]).toBeLessThan(0.9);
    expect(conversion.lift_share_ci[8][1]).toBeGreaterThan(1.1);
    expect(lines.find((l) => l.startsWith('  budget 90%') && l.includes('no conversion seen'))).toBeDefined();
  }, 120_000);
});
