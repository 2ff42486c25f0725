import { describe, expect, it } from 'vitest';
import { type BanditConfig, type BanditState, createBandit } from '../learn/bandit/thompson.js';
import { createRng } from '../measure/stats/prng.js';
import type { BanditBook } from './bandit/bandit-select.js';
import type { Catalog } from './catalog.js';
import type { Choice } from './decision.js';
import { runPipeline } from './pipeline.js';
import { playbookFor } from './playbook.js';
import { compileCatalog } from './catalog-compile.js';
import { compilePolicy } from './policy-compile.js';
import { stageContext } from './stages/fixture-context.js';
import type { Policy } from './policy.js';

// A high-stakes loan that wins (score 15), an upsell (4), the safe default banner (0.2, two variants), "none" (0).
const catalog: Catalog = {
  actions: [
    { id: 'loan', name: 'Loan', channels: ['web'], value: 300, highStakes: true },
    { id: 'upsell', name: 'Upsell', channels: ['web'], value: 50, contactCost: 1 },
    { id: 'banner', name: 'Banner', channels: ['web'], value: 2, variants: [{ id: 'a', content: {} }, { id: 'b', content: {} }] },
  ],
  placements: [
    { id: 'home', channel: 'web', slots: 1, safeDefault: 'banner' },
    { id: 'bare', channel: 'web', slots: 1 },
    { id: 'bandit', channel: 'web', slots: 1, safeDefault: 'banner', selection: { kind: 'thompson', features: ['features.orders'] } },
  ],
};
const policy: Policy = { exploration: { budget: 0.3 } };

/** A bandit at its prior (no outcome learned yet): every action's score is a wide distribution. */
function priorBook(): BanditBook {
  let state: BanditState | undefined;
  return {
    stateFor: (_p: string, actions: readonly string[], config: BanditConfig) => (state ??= createBandit([...actions], config)),
    versionOf: () => 'bandit:bandit@0',
  };
}

function decide(placement: string, random: () => number, bandits?: BanditBook): Choice {
  const { ctx } = stageContext({ catalog, policy, placement, random, vars: { features: { orders: 1 } }, rates: { loan: 0.05, upsell: 0.1, banner: 0.1 } });
  if (bandits) ctx.bandits = bandits;
  const play = playbookFor(compileCatalog(catalog), compilePolicy(policy), 1, 1);
  let k = 0;
  return runPipeline(ctx, play.rulebook.forPlacement(ctx.placement), 1, () => `review-${++k}`).choices[0];
}

/** What the customer saw: the action and its variant, or "none". */
const shown = (c: Choice) => (c.kind === 'action' ? `${c.action}/${c.variant ?? ''}` : c.kind);

/**
 * The Horvitz–Thompson identity behind IPS (Dudík, Langford & Li 2011, "Doubly Robust Policy
 * Evaluation and Learning", §2; Swaminathan & Joachims 2015, "Counterfactual Risk Minimization",
 * eq. 1): with q the logging probability of the logged (= shown) option, E[1{shown = s} / q] = 1
 * for every s the logger can show — the IPS value of "always show s" under a reward of 1. Over n
 * seeded decisions the mean has standard error √((1 − q) / (q·n)); each option must be within 5
 * of them of 1.
 */
function expectHorvitzThompson(placement: string, n: number, seed: number, bandits?: BanditBook): Map<string, number> {
  const rng = createRng(seed);
  const sums = new Map<string, { sum: number; qs: Set<number> }>();
  for (let i = 0; i < n; i++) {
    const c = decide(placement, rng, bandits);
    const q = c.exposurePropensity ?? c.propensity;
    const s = sums.get(shown(c)) ?? sums.set(shown(c), { sum: 0, qs: new Set() }).get(shown(c))!;
    s.sum += 1 / q;
    s.qs.add(Math.round(q * 1e9) / 1e9);
  }
  for (const [option, { sum, qs }] of sums) {
    const q = Math.min(...qs);
    expect(Math.abs(sum / n - 1), option).toBeLessThanOrEqual(5 * Math.sqrt((1 - q) / (q * n)));
    expect(qs.size, option).toBe(1); // the same state: one probability of what was shown, whichever route led to it
  }
  return new Map([...sums].map(([o, s]) => [o, [...s.qs][0]]));
}

describe('the propensity of what a held action\'s stand-in showed', () => {
  it('logs the safe default standing in for a held action with the probability it was shown: every route to it, summed', () => {
    // Greedy: the loan wins (1 − ε + ε/K = 0.775) and is held; the banner stands in. Exploration picks the banner itself with ε/K = 0.075.
    const held = decide('home', () => 0.99);
    expect(held).toMatchObject({ kind: 'action', action: 'banner', held: { action: 'loan', reviewId: 'review-1' } });
    expect(held.propensity).toBeCloseTo(0.775 * 0.5, 12); // the pick's own probability (the held loan's), unchanged
    expect(held.exposurePropensity).toBeCloseTo((0.775 + 0.075) * 0.5, 12);
    // The banner picked directly shows the same thing: the same exposure, its own pick probability.
    const direct = decide('home', seq([0.1, 0.5, 0.1]));
    expect(direct).toMatchObject({ kind: 'action', action: 'banner' });
    expect(direct.held).toBeUndefined();
    expect(direct.propensity).toBeCloseTo(0.075 * 0.5, 12);
    expect(direct.exposurePropensity).toBeCloseTo(0.85 * 0.5, 12);
    // An action with one route to it has none.
    const upsell = decide('home', seq([0.1, 0.25]));
    expect(upsell).toMatchObject({ kind: 'action', action: 'upsell', propensity: 0.075 });
    expect(upsell.exposurePropensity).toBeUndefined();
    // Without a safe default the held loan leaves "none": "none" is shown by its own pick or the loan's.
    const none = decide('bare', () => 0.99);
    expect(none).toMatchObject({ kind: 'none', held: { action: 'loan' } });
    expect(none.exposurePropensity).toBeCloseTo(0.85, 12);
  });

  it('makes IPS weights unbiased for what was shown: E[1{shown = s} / q] = 1 for every option (seeded, 5 s.e.)', () => {
    const q = expectHorvitzThompson('home', 20_000, 7);
    expect([...q.keys()].sort()).toEqual(['banner/a', 'banner/b', 'none', 'upsell/']);
    expect(q.get('banner/a')).toBeCloseTo(0.425, 12);
    expectHorvitzThompson('bare', 20_000, 8);
  });

  it('does the same under bandit selection: the stand-in sums the Thompson mixture\'s probability of each route', () => {
    const q = expectHorvitzThompson('bandit', 20_000, 9, priorBook());
    expect([...q.keys()].sort()).toEqual(['banner/a', 'banner/b', 'none', 'upsell/']);
  });
});

/** A random source that answers these numbers, then 0.99. */
function seq(xs: number[]): () => number {
  let i = 0;
  return () => (i < xs.length ? xs[i++] : 0.99);
}

describe('the ranks below a held action\'s stand-in', () => {
  // Loan 15 (held), banner 0.2 (the safe default), upsell 0.05 ("upsell" 50 × 2.1% − 1), none 0; three slots.
  const listed: Catalog = { actions: catalog.actions, placements: [{ id: 'list', channel: 'web', slots: 3, safeDefault: 'banner' }, { id: 'bandit-list', channel: 'web', slots: 3, safeDefault: 'banner', selection: { kind: 'thompson', features: ['features.orders'] } }] };
  const decideList = (placement: string, random: () => number, bandits?: BanditBook) => {
    const { ctx } = stageContext({ catalog: listed, policy: { exploration: { budget: 0.5 } }, placement, random, vars: { features: { orders: 1 } }, rates: { loan: 0.05, upsell: 0.021, banner: 0.1 } });
    if (bandits) ctx.bandits = bandits;
    const play = playbookFor(compileCatalog(listed), ctx.policy, 1, 1);
    return runPipeline(ctx, play.rulebook.forPlacement(ctx.placement), 3, () => 'review').choices;
  };

  /**
   * Rank 2's logged propensity must be the probability of what it shows, given what rank 1 showed
   * (the held loan, the banner in its place): one value per option, equal to its frequency (5 s.e.
   * of a binomial proportion). The banner is shown already: rank 2 draws from what is left.
   */
  const expectExactRankTwo = (placement: string, n: number, seed: number, bandits?: BanditBook) => {
    const rng = createRng(seed);
    const seen = new Map<string, { count: number; ps: Set<number> }>();
    let held = 0;
    for (let i = 0; i < n; i++) {
      const choices = decideList(placement, rng, bandits);
      if (choices[0].held?.action !== 'loan') continue;
      held++;
      const second = choices[1] ? (choices[1].action ?? choices[1].kind) : 'end';
      const s = seen.get(second) ?? seen.set(second, { count: 0, ps: new Set() }).get(second)!;
      s.count++;
      if (choices[1]) s.ps.add(Math.round(choices[1].propensity * 1e9) / 1e9);
    }
    expect(seen.has('banner')).toBe(false);
    expect(seen.has('end')).toBe(false);
    for (const [option, { count, ps }] of seen) {
      expect(ps.size, option).toBe(1);
      const p = [...ps][0];
      expect(Math.abs(count / held - p), option).toBeLessThanOrEqual(5 * Math.sqrt((p * (1 - p)) / held));
    }
    return new Map([...seen].map(([o, s]) => [o, [...s.ps][0]]));
  };

  it('draws from the options left once the stand-in is shown, and logs that draw\'s exact probability (ε-greedy)', () => {
    // rank 2 draws from { upsell, none }: π(upsell) = 1 − ε + ε/2 = 0.75, π(none) = 0.25
    const p = expectExactRankTwo('list', 20_000, 11);
    expect(p.get('upsell')).toBeCloseTo(0.75, 12);
    expect(p.get('none')).toBeCloseTo(0.25, 12);
  });

  it('does the same under bandit selection', () => {
    expectExactRankTwo('bandit-list', 6_000, 12, priorBook());
  });
});
