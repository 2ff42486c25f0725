import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { fieldsMismatch } from '../../cli/evaluate-fields.js';
import { measureEvaluations } from './index.js';
import { btsDistribution } from './obd-policy.js';
import { loadObdLog } from './obd-data.js';

const datasetsDir = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', 'datasets');

describe('ope-obd evaluation (quick)', () => {
  it('returns the documented shape with sane figures', async () => {
    const lines: string[] = [];
    const ev = measureEvaluations.find((e) => e.name === 'ope-obd')!;
    const r = (await ev.run({ datasetsDir, log: (l) => lines.push(l), quick: true })) as Record<string, any>;
    expect(r.evaluation).toBe('ope-obd');
    for (const campaign of ['men', 'women']) {
      const c = r[campaign];
      expect(c.bts_logged_ctr).toBeGreaterThan(0);
      for (const k of ['ips', 'snips', 'dm', 'dr']) {
        expect(Number.isFinite(c[k].rel_error)).toBe(true);
        expect(c[k].rel_error).toBeGreaterThanOrEqual(0);
        expect(c[k].ci[0]).toBeLessThanOrEqual(c[k].ci[1]);
        expect(c[k].estimate).toBeGreaterThan(0);
        expect(c[k].estimate).toBeLessThan(0.05);
      }
      // BTS's support is the whole catalogue: no blocking warning on these logs.
      expect(c.diagnostics.unsupportedTargetMass).toBe(0);
      expect(c.warnings).not.toContain('no-support');
    }
    expect(lines.some((l) => l.startsWith('men snips'))).toBe(true);
    // `tact evaluate --help` names every field the JSON has (evaluate-fields.ts).
    expect(fieldsMismatch(r, ev.fields ?? {})).toEqual([]);
  });

  it("reads BTS's distribution from its own log: each slot's probabilities sum to 1", () => {
    const bts = loadObdLog(join(datasetsDir, 'obd', 'bts', 'men.csv.gz'), 3000);
    const pi = btsDistribution(bts);
    for (let p = 0; p < 3; p++) {
      let s = 0;
      for (let a = 0; a < bts.nItems; a++) s += pi[p * bts.nItems + a];
      expect(s).toBeCloseTo(1, 12);
    }
    expect(bts.nItems).toBe(34);
  });
});
