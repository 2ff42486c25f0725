import { describe, expect, it } from 'vitest';
import type { DecisionRecord } from '../../decide/decision.js';
import { fitUplift } from './uplift-trainer.js';
import type { LoggedDecision } from './uplift-log.js';

/** 200 decisions alternating "none" and action a (propensity ½), a numeric fact, some conversions. */
function log(): LoggedDecision[] {
  return Array.from({ length: 200 }, (_, i) => ({
    record: { id: `d${i}`, at: i, profileKey: `p${i}`, facts: { 'features.orders': i % 5 }, scored: [] } as unknown as DecisionRecord,
    arm: i % 2 ? 'a' : 'none',
    propensity: 0.5,
    followed: new Set(i % 7 === 0 || (i % 2 && i % 5 === 0) ? ['conversion'] : []),
  }));
}

describe('uplift training on the decision log', () => {
  it('leaves out, and counts, logged decisions without a usable propensity instead of failing', () => {
    const clean = fitUplift(log(), () => 'conversion', 1);
    for (const bad of [undefined, 0, Number.NaN]) {
      const rows = log();
      rows.push({ ...rows[3], propensity: bad as number }, { ...rows[4], propensity: bad as number });
      const fitted = fitUplift(rows, () => 'conversion', 1);
      expect(fitted.state).toEqual(clean.state);
      expect(fitted.metrics).toMatchObject({ decisions: 200, withoutPropensity: 2 });
    }
  });
});
