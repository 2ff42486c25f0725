import { describe, expect, it } from 'vitest';
import { compileCatalog } from './catalog-compile.js';
import { LadderEstimates } from './ladder-estimates.js';
import { OutcomeCounts } from './outcome-counts.js';
import { compilePolicy } from './policy-compile.js';

// A subject's own trials are in the population and group counts too (each choice is credited to
// them at once). Counted there and again at the personal rung they were used twice: the personal
// prior leaned on the subject's own data and its interval was too narrow when the groups are small.
// Expected values: the conjugate Beta-Binomial update (Gelman et al., BDA3 §2.4) with every rung
// above the personal one built from the others' counts; quantiles from scipy 1.17
// (scipy.stats.beta.ppf([0.05, 0.95], 7, 33)).
const shoes = compileCatalog({ actions: [{ id: 'shoes', name: 'Shoes', channels: ['web'], value: 60, contactCost: 0.2 }], placements: [{ id: 'home', channel: 'web' }] }).actions.get('shoes')!;
const config = compilePolicy({ estimates: { priorMean: 0.05, priorStrength: 20, groupStrength: 20, personalStrength: 30, minDataWeight: 0.2 } }).estimates;

/**
 * p1: 3 successes in 10 choices, all in segment:vip; q0…q9: 2 in 10, in segment:vip; r0…r29: 3 in
 * 30, in no segment. Population 8 of 50, segment 5 of 20; without p1: 5 of 40 and 2 of 10.
 */
function online(subject = 'p1'): OutcomeCounts {
  const c = new OutcomeCounts();
  for (let k = 0; k < 10; k++) c.trial('shoes', subject, 1, ['segment:vip'], `p${k}`);
  for (let k = 0; k < 3; k++) c.success('shoes', subject, 1, `p${k}`);
  for (let k = 0; k < 10; k++) c.trial('shoes', `q${k}`, 1, ['segment:vip'], `q${k}`);
  for (let k = 0; k < 2; k++) c.success('shoes', `q${k}`, 1, `q${k}`);
  for (let k = 0; k < 30; k++) c.trial('shoes', `r${k}`, 1, [], `r${k}`);
  for (let k = 0; k < 3; k++) c.success('shoes', `r${k}`, 1, `r${k}`);
  return c;
}

/**
 * The others' population 5 of 40 on the Beta(1, 19) prior: Beta(6, 54). Segment κ_eff = min(20, 60)
 * = 20 around 0.1, with the others' 2 of 10: Beta(4, 26). Personal κ_eff = min(30, 30) = 30 around
 * 4/30, with p1's 3 of 10: Beta(7, 33) — data weight 10/40 ≥ 0.2, so the personal rung is earned.
 * Counted twice it was Beta(8.6786, 31.3214), 90% interval [0.1196, 0.3305].
 */
function expectOwnOnce(counts: OutcomeCounts, key = 'p1', also?: string[]): void {
  const e = new LadderEstimates(counts, () => config).estimate(shoes, { key, vars: {}, segment: 'segment:vip', also });
  expect(e).toMatchObject({ source: 'personal', evidence: 10 });
  expect(e.posterior!.alpha).toBeCloseTo(7, 10);
  expect(e.posterior!.beta).toBeCloseTo(33, 10);
  expect(e.value).toBeCloseTo(7 / 40, 12);
  expect(e.low).toBeCloseTo(0.08740061, 6);
  expect(e.high).toBeCloseTo(0.28123608, 6);
}

describe('the decision ladder counts a subject\'s own outcomes once', () => {
  it('takes them out of the population and of its segment: the personal posterior is Beta(7, 33)', () => {
    expectOwnOnce(online());
  });

  it('also those of the profile keys merged into it', () => {
    expectOwnOnce(online('p1-old'), 'p1', ['p1-old']);
  });

  it('after a start, when the log gives its counts without their groups, takes them out of each group it is in (at most)', () => {
    const c = new OutcomeCounts();
    c.loadGroup('shoes', 'segment:vip', 20, 5);
    c.loadTrials('shoes', 'p1', 10);
    c.loadSuccesses('shoes', 'p1', 3);
    for (let k = 0; k < 10; k++) c.loadTrials('shoes', `q${k}`, 1);
    for (let k = 0; k < 2; k++) c.loadSuccesses('shoes', `q${k}`, 1);
    for (let k = 0; k < 30; k++) c.loadTrials('shoes', `r${k}`, 1);
    for (let k = 0; k < 3; k++) c.loadSuccesses('shoes', `r${k}`, 1);
    expectOwnOnce(c);
  });

  it('a subject with no choices of its own in a group leaves that group whole', () => {
    const c = online();
    // p1 now sits in segment:new, where only others were chosen (1 of 10): nothing of it to take out.
    for (let k = 0; k < 10; k++) c.trial('shoes', `n${k}`, 1, ['segment:new'], `n${k}`);
    c.success('shoes', 'n0', 1, 'n0');
    expect(c.ownShare('shoes', 'p1', 'segment:new')).toEqual({ successes: 0, trials: 0 });
    expect(c.ownShare('shoes', 'p1', 'segment:vip')).toEqual({ successes: 3, trials: 10 });
  });

  it('when its personal rung is not earned, the estimate is still of its rate, its own outcomes in it once', () => {
    // A lone subject: 1 success in 2 choices, no one else. Personal data weight 2/(2+20) < 0.2, so
    // the rung is not earned. The others' population is empty, Beta(1, 19); the subject's rate
    // around it, κ_eff = min(30, 20) = 20, with its own 1 of 2: Beta(1 + 1, 19 + 1) = Beta(2, 20),
    // on 0 + 2 trials (until 2026-12-06 the population as logged gave the same Beta).
    const c = new OutcomeCounts();
    c.trial('shoes', 'p1', 1, [], 'd1');
    c.trial('shoes', 'p1', 1, [], 'd2');
    c.success('shoes', 'p1', 1, 'd1');
    const e = new LadderEstimates(c, () => config).estimate(shoes, { key: 'p1', vars: {} });
    expect(e).toMatchObject({ source: 'population', evidence: 2 });
    expect(e.posterior!.alpha).toBeCloseTo(2, 10);
    expect(e.posterior!.beta).toBeCloseTo(20, 10);
  });

  // QA, 2026-12-06: a subject with no choices of its own was shown the population's posterior of its
  // MEAN rate — Beta(51, 969), 90% [0.0393, 0.0617], "established" — as its own. Its own rate is a
  // member's of the population: Beta(30·0.05, 30·0.95) = Beta(1.5, 28.5), 90% [0.00610, 0.12710]
  // (scipy 1.17, scipy.stats.beta.ppf([0.05, 0.95], 1.5, 28.5)), "learning"; the value the decisions
  // score with is the same 0.05. With 1 of 3 of its own: Beta(2.5, 30.5), [0.01817, 0.16241].
  it('a subject with no or few choices of its own gets an interval for its own rate, learning — not the population mean\'s', () => {
    const c = new OutcomeCounts();
    for (let k = 0; k < 1000; k++) c.trial('shoes', `r${k}`, 1, [], `r${k}`);
    for (let k = 0; k < 50; k++) c.success('shoes', `r${k}`, 1, `r${k}`);
    const provider = new LadderEstimates(c, () => config);
    const fresh = provider.estimate(shoes, { key: 'new', vars: {} });
    expect(fresh).toMatchObject({ source: 'population', status: 'learning', evidence: 1000 });
    expect(fresh.value).toBeCloseTo(0.05, 12);
    expect(fresh.low).toBeCloseTo(0.00610079, 6);
    expect(fresh.high).toBeCloseTo(0.12709649, 6);
    for (let k = 0; k < 3; k++) c.trial('shoes', 'few', 1, [], `f${k}`);
    c.success('shoes', 'few', 1, 'f0');
    const few = provider.estimate(shoes, { key: 'few', vars: {} });
    expect(few).toMatchObject({ source: 'population', status: 'learning', evidence: 1003 });
    expect(few.value).toBeCloseTo(2.5 / 33, 12);
    expect(few.low).toBeCloseTo(0.01816538, 6);
    expect(few.high).toBeCloseTo(0.16241327, 6);
  });

  it('is dated by the newest decision or success in the counts it reads, on the cached and the personal path, and again as they change', () => {
    const T = Date.parse('2026-12-07T10:00:00Z');
    const c = new OutcomeCounts();
    const provider = new LadderEstimates(c, () => config, { now: () => T + 60_000 });
    expect(provider.estimate(shoes, { key: 'p1', vars: {} }).updatedAt).toBeNull();
    c.trial('shoes', 'q1', 1, ['segment:vip'], 'd1', T);
    c.trial('shoes', 'p1', 1, [], 'd2', T + 1_000);
    const iso = (t: number) => new Date(t).toISOString();
    expect(provider.estimate(shoes, { key: 'p1', vars: {} }).updatedAt).toBe(iso(T + 1_000));
    expect(provider.estimate(shoes, { key: 'r1', vars: {}, segment: 'segment:vip' }).updatedAt).toBe(iso(T + 1_000));
    // A success of q1's, timed after both: every estimate of the action moves to it, cached or not.
    c.success('shoes', 'q1', 1, 'd1', undefined, T, undefined, T + 2_000);
    expect(provider.estimate(shoes, { key: 'p1', vars: {} }).updatedAt).toBe(iso(T + 2_000));
    expect(provider.estimate(shoes, { key: 'r1', vars: {}, segment: 'segment:vip' }).updatedAt).toBe(iso(T + 2_000));
    // One timed before them changes the counts, not the date (docs/models.md).
    c.success('shoes', 'p1', 1, 'd2', undefined, T + 1_000, undefined, T + 1_500);
    expect(provider.estimate(shoes, { key: 'p1', vars: {} })).toMatchObject({ updatedAt: iso(T + 2_000) });
  });
});
