import { describe, expect, it } from 'vitest';
import type { CompiledAction } from './catalog-compile.js';
import { LadderEstimates } from './ladder-estimates.js';
import { OutcomeCounts } from './outcome-counts.js';
import type { CompiledPolicy } from './policy-compile.js';

/**
 * ADR 0007: a choice whose attribution window is still open is not yet evidence that the action
 * failed. QA's case (2026-12-06): right after a campaign of 193 sends, with no outcome possible yet,
 * the estimate read "0.4% (90% 0.0%–2.3%, n=193, population, established)" against a 5% prior.
 *
 * References, scipy 1.17.1 (the population rung's posterior after n failures is Beta(1, 19 + n);
 * a subject without counts of its own is centred on it with strength κ = min(30, α + β),
 * src/learn/rates/ladder.ts subjectBelief):
 *   python3 -c "from scipy.stats import beta; a=30/213; b=30*212/213; print(a/(a+b), beta.ppf([0.05, 0.95], a, b))"
 *   0.004694835680751174 [1.2312729403528736e-11 0.026296737338704964]
 *   python3 -c "from scipy.stats import beta; print(beta.ppf([0.05, 0.95], 1, 19))"
 *   [0.0026960063028712822 0.1458685033122434]
 */
const DAY = 86_400_000;
const T0 = Date.parse('2026-12-06T09:00:00Z');
const settings: CompiledPolicy['estimates'] = { priorMean: 0.05, priorStrength: 20, personalStrength: 30, groupStrength: 100, minDataWeight: 0.2, level: 0.9, establishedWidth: 0.05 };
const newsletter = { id: 'newsletter' } as CompiledAction;

function campaign(n: number, at: number): OutcomeCounts {
  const counts = new OutcomeCounts();
  for (let i = 0; i < n; i++) counts.trial('newsletter', `p${i}`, 1, ['segment:vip'], `d${i}`, at);
  return counts;
}

describe('estimates while attribution windows are open', () => {
  it('do not read a campaign with no outcome yet as an established rate near 0: the interval reaches the prior\'s upper end, status learning (pending)', () => {
    let now = T0 + 60_000;
    const provider = new LadderEstimates(campaign(193, T0), () => settings, { now: () => now, defaultWindow: () => 7 * DAY });
    const fresh = provider.estimate(newsletter, { key: 'ana', vars: {} });
    expect(fresh).toMatchObject({ evidence: 193, source: 'population', status: 'learning', reason: 'pending' });
    // The value stays the counts' own (every open choice a failure so far); the interval now holds the prior's 5%.
    expect(fresh.value).toBeCloseTo(0.004694835680751174, 9);
    expect(fresh.low).toBeCloseTo(1.2312729403528736e-11, 12);
    expect(fresh.high).toBeCloseTo(0.1458685033122434, 9);
    expect(fresh.low <= 0.05 && 0.05 <= fresh.high).toBe(true);
    // It says how many of its trials are open; no delay is learned, so they count as failures (no `exposure`).
    expect(fresh.open).toEqual({ choices: 193 });

    // Eight days on every window has closed: 193 failures are evidence, and the estimate is established.
    now = T0 + 8 * DAY;
    const closed = provider.estimate(newsletter, { key: 'ana', vars: {} });
    expect(closed).toMatchObject({ evidence: 193, source: 'population', status: 'established' });
    expect(closed.reason).toBeUndefined();
    expect(closed.open).toBeUndefined();
    expect(closed.value).toBeCloseTo(0.004694835680751174, 9);
    expect(closed.high).toBeCloseTo(0.026296737338704964, 9);
  });

  it('uses the action\'s own window before the policy\'s, and closes hour by hour', () => {
    let now = T0 + 2 * DAY;
    const counts = campaign(193, T0);
    const provider = new LadderEstimates(counts, () => settings, { now: () => now, defaultWindow: () => 7 * DAY });
    // A 1-day window of its own: closed two days on, though the policy's 7 days would hold it open.
    const oneDay = { id: 'newsletter', attributionMs: DAY } as CompiledAction;
    expect(provider.estimate(oneDay, { key: 'ana', vars: {} }).status).toBe('established');
    expect(provider.estimate(newsletter, { key: 'ana', vars: {} }).reason).toBe('pending');
    // The cache does not keep the open reading past the hour its window ends.
    now = T0 + DAY - 1;
    expect(provider.estimate(oneDay, { key: 'ana', vars: {} }).reason).toBe('pending');
    now = T0 + DAY + 3_600_000;
    expect(provider.estimate(oneDay, { key: 'ana', vars: {} }).status).toBe('established');
  });

  it('leave an estimate without open choices as it was, and count a success among open choices as decided', () => {
    const now = T0 + 60_000;
    const plain = new OutcomeCounts();
    for (let i = 0; i < 193; i++) plain.trial('newsletter', `p${i}`, 1, ['segment:vip'], `d${i}`);
    const without = new LadderEstimates(plain, () => settings, { now: () => now }).estimate(newsletter, { key: 'ana', vars: {} });
    expect(without).toMatchObject({ status: 'established' });
    expect(without.reason).toBeUndefined();
    expect(without.high).toBeCloseTo(0.026296737338704964, 9);

    // Ten conversions among the 193 open sends: they are decided, the 183 others may convert yet.
    // Without the open ones the population's posterior is Beta(1 + 10, 19 + 0), and a subject centred
    // on it with κ = min(30, 30) has the same: its 95th percentile is the interval's upper end
    // (scipy 1.17.1: beta.ppf(0.95, 11, 19) = 0.5142701977352466). The value is the counts' own,
    // Beta(1 + 10, 19 + 183) centred with κ = 30: 11 / 213.
    const counts = campaign(193, T0);
    for (let i = 0; i < 10; i++) counts.success('newsletter', `p${i}`, 1, `d${i}`);
    const e = new LadderEstimates(counts, () => settings, { now: () => now }).estimate(newsletter, { key: 'ana', vars: {} });
    // Learning for want of data already (its interval is wide without the open choices too): no `pending`.
    expect(e).toMatchObject({ status: 'learning', evidence: 193 });
    expect(e.reason).toBeUndefined();
    expect(e.value).toBeCloseTo(11 / 213, 9);
    expect(e.high).toBeCloseTo(0.5142701977352466, 9);
  });
});
