import { describe, expect, it } from 'vitest';
import { Rng } from '../../learn/math/prng.js';
import { normalQuantile, sigmoid } from '../../learn/math/special.js';
import { type BanditConfig, type BanditState, addAction, createBandit, defaultBanditConfig, updateBandit } from '../../learn/bandit/thompson.js';
import type { Estimate } from '../../learn/estimate.js';
import type { Catalog } from '../catalog.js';
import { runPipeline } from '../pipeline.js';
import { compileCatalog } from '../catalog-compile.js';
import { playbookFor } from '../playbook.js';
import { compilePolicy } from '../policy-compile.js';
import { stageContext } from '../stages/fixture-context.js';
import { scoring } from '../stages/scoring.js';
import type { Candidate } from '../stages/types.js';
import { type BanditBook, banditSelect } from './bandit-select.js';

const catalog: Catalog = {
  actions: [
    { id: 'a', name: 'A', channels: ['web'], value: 10, contactCost: 0.5 },
    { id: 'b', name: 'B', channels: ['web'], value: 6, contactCost: 0.2 },
    { id: 'c', name: 'C', channels: ['web'], value: 20, contactCost: 1 },
    { id: 'd', name: 'D', channels: ['web'], value: 4 },
  ],
  placements: [{ id: 'home', channel: 'web', slots: 2, selection: { kind: 'thompson', features: ['context.mobile', 'features.orders'] } }],
};

/** A bandit that saw a few hundred seeded outcomes (truth: logistic in the two features). */
function trainedBook(): BanditBook & { state: BanditState } {
  let state: BanditState | undefined;
  const rng = new Rng(11);
  const truth: Record<string, number[]> = { a: [-2, 0.5, 0.1], b: [-1.5, -0.5, 0], c: [-3, 1, 0.2], d: [-1, 0, 0] };
  return {
    get state() {
      return state as BanditState;
    },
    stateFor(_p: string, actions: readonly string[], config: BanditConfig) {
      if (!state) {
        state = createBandit([...actions], config);
        for (let t = 0; t < 400; t++) {
          const id = actions[t % actions.length];
          const x = [rng.int(2), rng.int(4)];
          const [b0, b1, b2] = truth[id];
          updateBandit(state, id, x, rng.float() < sigmoid(b0 + b1 * x[0] + b2 * x[1]) ? 1 : 0, Date.UTC(2026, 10, 1) + t);
        }
      }
      Object.assign(state.config, config);
      for (const id of actions) if (!state.actions.some((a) => a.id === id)) addAction(state, id); // as PlacementBandits does
      return state;
    },
    versionOf: () => `bandit:home@${state?.updates ?? 0}`,
  };
}

/** The candidates as the rule stages hand them over, before scoring. */
const fresh = (cs: Candidate[]): Candidate[] => cs.map((c) => ({ action: c.action, rules: c.rules }));

describe('bandit selection', () => {
  it('logs propensities that sum to 1 over the options (within the bound) and equal the seeded Monte Carlo frequency (5 s.e.)', () => {
    const book = trainedBook();
    const rng = new Rng(3);
    const random = () => rng.float();
    const n = 30_000;
    const counts = new Map<string, number>();
    const logged = new Map<string, { p: number; err: number }>();
    const base = stageContext({ catalog, policy: { exploration: { budget: 0.3 } }, placement: 'home', vars: { context: { mobile: true }, features: { orders: 2 } }, random });
    for (let i = 0; i < n; i++) {
      const { ctx } = base;
      const candidates = fresh(base.candidates);
      scoring(candidates, ctx);
      const { picks } = banditSelect(candidates, ctx, book, 1);
      const id = picks[0].candidate?.action.id ?? 'none';
      counts.set(id, (counts.get(id) ?? 0) + 1);
      const prev = logged.get(id);
      if (prev) expect(picks[0].propensity).toBe(prev.p); // the same state and context: the same exact probability
      else logged.set(id, { p: picks[0].propensity, err: picks[0].propensityError ?? 0 });
    }
    expect([...logged.keys()].sort()).toEqual(['a', 'b', 'c', 'd', 'none']);
    const sum = [...logged.values()].reduce((s, v) => s + v.p, 0);
    const bound = [...logged.values()].reduce((s, v) => s + v.err, 0);
    expect(bound).toBeLessThan(1e-6);
    expect(Math.abs(sum - 1)).toBeLessThanOrEqual(bound + 1e-12);
    for (const [id, { p }] of logged) {
      expect(Math.abs((counts.get(id) ?? 0) / n - p)).toBeLessThanOrEqual(5 * Math.sqrt((p * (1 - p)) / n));
    }
  });

  it('logs at rank 2 the exact probability given rank 1: joint frequencies match π₁(a)·π₂(b | a) (seeded, 5 s.e.)', () => {
    const book = trainedBook();
    const rng = new Rng(8);
    const random = () => rng.float();
    const n = 20_000;
    const pairs = new Map<string, { count: number; p: number }>();
    const base = stageContext({ catalog, policy: { exploration: { budget: 0.4 } }, placement: 'home', vars: { context: { mobile: false }, features: { orders: 1 } }, random });
    for (let i = 0; i < n; i++) {
      const { ctx } = base;
      const candidates = fresh(base.candidates);
      scoring(candidates, ctx);
      const { picks } = banditSelect(candidates, ctx, book, 2);
      const key = picks.map((p) => p.candidate?.action.id ?? 'none').join('>');
      const p = picks.reduce((acc, x) => acc * x.propensity, 1);
      const prev = pairs.get(key);
      if (prev) {
        expect(p).toBeCloseTo(prev.p, 12);
        prev.count++;
      } else pairs.set(key, { count: 1, p });
    }
    expect(pairs.size).toBeGreaterThan(5);
    const total = [...pairs.values()].reduce((s, v) => s + v.p, 0);
    expect(total).toBeLessThanOrEqual(1 + 1e-6);
    for (const { count, p } of pairs.values()) expect(Math.abs(count / n - p)).toBeLessThanOrEqual(5 * Math.sqrt((p * (1 - p)) / n) + 1e-9);
  });

  it('keeps the exploration budget: the non-greedy share is at most the policy\'s exploration', () => {
    const book = trainedBook();
    const rng = new Rng(5);
    const { ctx, candidates } = stageContext({ catalog, policy: { exploration: { budget: 0.05 } }, placement: 'home', vars: { context: { mobile: false }, features: { orders: 0 } }, random: () => rng.float() });
    scoring(candidates, ctx);
    const { picks } = banditSelect(candidates, ctx, book, 1);
    const greedyP = picks[0].greedy ? picks[0].propensity : undefined;
    if (greedyP !== undefined) expect(1 - greedyP).toBeLessThanOrEqual(0.05 + 1e-9);
    else expect(picks[0].propensity).toBeLessThanOrEqual(0.05 + 1e-9);
  });

  it('keeps the policy\'s exploration budget when the placement asks for a higher floor: the policy is the humans\' strategy', () => {
    const floored: Catalog = { ...catalog, placements: [{ id: 'home', channel: 'web', slots: 1, selection: { kind: 'thompson', features: ['context.mobile', 'features.orders'], floor: 0.3 } }] };
    const book = trainedBook();
    const rng = new Rng(9);
    const base = stageContext({ catalog: floored, policy: { exploration: { budget: 0.05 } }, placement: 'home', vars: { context: { mobile: false }, features: { orders: 0 } }, random: () => rng.float() });
    let greedyP: number | undefined;
    for (let i = 0; i < 50 && greedyP === undefined; i++) {
      const candidates = fresh(base.candidates);
      scoring(candidates, base.ctx);
      const [pick] = banditSelect(candidates, base.ctx, book, 1).picks;
      if (pick.greedy) greedyP = pick.propensity;
    }
    // the greedy option's probability is 1 − the non-greedy share; a floor of 0.3 over K = 5 options alone would explore 0.3 × 4/5 = 24%
    expect(greedyP).toBeGreaterThanOrEqual(0.95 - 1e-9);
  });

  it('puts the bandit\'s estimate on each candidate and its version and context in the decision', () => {
    const book = trainedBook();
    const rng = new Rng(9);
    const { ctx } = stageContext({ catalog, policy: { exploration: { budget: 0.2 } }, placement: 'home', vars: { context: { mobile: true }, features: { orders: 3 } }, random: () => rng.float() });
    ctx.bandits = book;
    const play = playbookFor(compileCatalog(catalog), compilePolicy({ exploration: { budget: 0.2 } }), 1, 1);
    const r = runPipeline(ctx, play.rulebook.forPlacement(ctx.placement), 2, () => 'id');
    expect(r.bandit).toEqual({ model: 'bandit:home@400', features: [1, 3] });
    expect(r.candidates).toHaveLength(4);
    for (const c of r.candidates) {
      expect(c.estimate?.modelVersion).toBe('bandit:home@400');
      expect(c.score).toBeCloseTo(c.action.value * (c.estimate?.value ?? 0) - c.action.contactCost, 12);
    }
    expect(r.choices[0].propensityError).toBeLessThan(1e-6);
    expect(r.choices[0].propensity).toBeGreaterThan(0);
  });
});

/** A bandit of the placement `shop` whose actions a, b learned 400 outcomes at contexts of `unit` (1: euros, 100: cents); c has none. */
function shopBook(unit: number, at = Date.UTC(2026, 10, 20)): BanditBook & { state: BanditState } {
  let state: BanditState | undefined;
  const rng = new Rng(4);
  return {
    get state() {
      return state as BanditState;
    },
    stateFor(_p: string, actions: readonly string[], config: BanditConfig) {
      if (!state) {
        state = createBandit([...actions], config);
        for (let t = 0; t < 400; t++) {
          const orders = 20 + rng.int(40);
          const spend = 500 + 1000 * rng.float();
          const id = t % 2 ? 'a' : 'b';
          updateBandit(state, id, [orders, spend * unit], rng.float() < sigmoid(-2 + 0.02 * (orders - 40) + 0.001 * (spend - 1000)) ? 1 : 0, at + t);
        }
      }
      Object.assign(state.config, config);
      return state;
    },
    versionOf: () => `bandit:shop@${state?.updates ?? 0}`,
  };
}
const shopCatalog: Catalog = {
  actions: [
    { id: 'a', name: 'A', channels: ['web'], value: 10 },
    { id: 'b', name: 'B', channels: ['web'], value: 10 },
    { id: 'c', name: 'C', channels: ['web'], value: 10 },
  ],
  placements: [{ id: 'shop', channel: 'web', slots: 1, selection: { kind: 'thompson', features: ['features.orders', 'features.spend'] } }],
};
function shopDecision(book: BanditBook, unit: number, now = Date.UTC(2026, 11, 1)) {
  const rng = new Rng(6);
  const { ctx, candidates } = stageContext({ catalog: shopCatalog, policy: { exploration: { budget: 0.2 } }, placement: 'shop', vars: { features: { orders: 40, spend: 1000 * unit } }, now, random: () => rng.float() });
  scoring(candidates, ctx);
  const { picks } = banditSelect(candidates, ctx, book, 1);
  return { picks, estimates: Object.fromEntries(candidates.map((c) => [c.action.id, c.estimate as Estimate])) };
}

describe('bandit selection: what the estimates mean', () => {
  it('gives a fresh action the interval its prior N(0, 1) implies at a typical subject, whatever the features\' units (Gelman et al. 2008 scaling)', () => {
    const euros = shopDecision(shopBook(1), 1);
    const cents = shopDecision(shopBook(100), 100);
    const c = euros.estimates.c;
    // At the average context the standardised features are ≈ 0: the linear predictor's sd is that of the
    // intercept, 1, and its 90% interval σ(±1.645) = [0.162, 0.838]. Raw features made it σ(±1.645·1000) = [0, 1].
    expect(c.high - c.low).toBeLessThan(0.75);
    expect(c.low).toBeGreaterThan(0.1);
    // the same bandit with spend in cents: the same estimates and the same propensity
    for (const id of ['a', 'b', 'c']) {
      expect(cents.estimates[id].value).toBeCloseTo(euros.estimates[id].value, 9);
      expect(cents.estimates[id].low).toBeCloseTo(euros.estimates[id].low, 9);
      expect(cents.estimates[id].high).toBeCloseTo(euros.estimates[id].high, 9);
    }
    expect(cents.picks[0].candidate?.action.id).toBe(euros.picks[0].candidate?.action.id);
    expect(cents.picks[0].propensity).toBeCloseTo(euros.picks[0].propensity, 9);
  });

  it('dates each estimate by the last outcome its action absorbed, not by the decision (null for a prior that rests on nothing observed)', () => {
    const at = Date.UTC(2026, 10, 20);
    const book = shopBook(1, at);
    const early = shopDecision(book, 1, Date.UTC(2026, 11, 1));
    const late = shopDecision(book, 1, Date.UTC(2026, 11, 3));
    expect(early.estimates.a.updatedAt).toBe(new Date(at + 399).toISOString()); // a learned the odd rounds, the last at t = 399
    expect(early.estimates.b.updatedAt).toBe(new Date(at + 398).toISOString());
    expect(early.estimates.c.updatedAt).toBeNull(); // the configured prior: nothing observed
    for (const id of ['a', 'b', 'c']) expect(late.estimates[id].updatedAt).toBe(early.estimates[id].updatedAt);
  });

  it('gives a new action\'s estimate the evidence its prior was pooled from, and its date (docs/models.md: evidence is the n the interval rests on)', () => {
    const book = trainedBook(); // a, b, c, d learned 100 outcomes each
    const withE: Catalog = { ...catalog, actions: [...(catalog.actions ?? []), { id: 'e', name: 'E', channels: ['web'], value: 5 }] };
    const rng = new Rng(2);
    const first = stageContext({ catalog, policy: { exploration: { budget: 0.2 } }, placement: 'home', vars: { context: { mobile: true }, features: { orders: 2 } }, random: () => rng.float() });
    scoring(first.candidates, first.ctx);
    banditSelect(first.candidates, first.ctx, book, 1);
    const { ctx, candidates } = stageContext({ catalog: withE, policy: { exploration: { budget: 0.2 } }, placement: 'home', vars: { context: { mobile: true }, features: { orders: 2 } }, random: () => rng.float() });
    scoring(candidates, ctx);
    banditSelect(candidates, ctx, book, 1);
    const e = candidates.find((x) => x.action.id === 'e')?.estimate as Estimate;
    expect(book.state.actions.find((a) => a.id === 'e')?.evidence).toBe(0);
    expect(e.evidence).toBe(400); // pooled from a, b, c, d
    expect(e.status).toBe('learning');
    expect(e.updatedAt).toBe(new Date(Date.UTC(2026, 10, 1) + 399).toISOString()); // the pool's latest outcome
  });

  it('keeps each estimate\'s value inside its interval, even a rare rate with a wide linear predictor (s > 3.29)', () => {
    const state = createBandit(['rare'], { ...defaultBanditConfig(0), priorVariance: 16 });
    state.actions[0].mean[0] = -20; // σ(−20 + 1.645·4) = 1.5e−6, below E[σ(Z)] = 5.0e−6 (≈ e^(−20+8), the lognormal mean, when s > 2·1.645)
    const book: BanditBook = { stateFor: () => state, versionOf: () => 'bandit:x@0' };
    const one: Catalog = { actions: [{ id: 'rare', name: 'R', channels: ['web'], value: 1 }], placements: [{ id: 'x', channel: 'web', slots: 1, selection: { kind: 'thompson', features: [] } }] };
    const rng = new Rng(1);
    const { ctx, candidates } = stageContext({ catalog: one, policy: { exploration: { budget: 0.2 } }, placement: 'x', random: () => rng.float() });
    scoring(candidates, ctx);
    banditSelect(candidates, ctx, book, 1);
    const e = candidates[0].estimate as Estimate;
    expect(e.value).toBeGreaterThan(4.9e-6); // still the posterior mean
    expect(e.low).toBeLessThanOrEqual(e.value);
    expect(e.high).toBeGreaterThanOrEqual(e.value);
  });

  it('gives a new placement\'s actions the prior\'s interval [0.16, 0.84] before any outcome, whatever the context\'s units', () => {
    const one: Catalog = {
      actions: [{ id: 'a', name: 'A', channels: ['web'], value: 1 }, { id: 'b', name: 'B', channels: ['web'], value: 1 }],
      placements: [{ id: 'hero5', channel: 'web', slots: 1, selection: { kind: 'thompson', features: ['context.spend'] } }],
    };
    let state: BanditState | undefined;
    const book: BanditBook = {
      stateFor: (_p, actions, config) => (state ??= createBandit([...actions], config)),
      versionOf: () => 'bandit:hero5@0',
    };
    const rng = new Rng(4);
    for (const spend of [0, 10, 1000, 100_000]) {
      const { ctx, candidates } = stageContext({ catalog: one, policy: { exploration: { budget: 0.2 } }, placement: 'hero5', vars: { context: { spend } }, random: () => rng.float() });
      scoring(candidates, ctx);
      const { picks } = banditSelect(candidates, ctx, book, 1);
      for (const c of candidates) {
        const e = c.estimate as Estimate;
        expect(e.value).toBeCloseTo(0.5, 12);
        // σ(±1.645) = [0.16, 0.84]: until 2026-12-05 [0, 1] at a spend of 10 and more (the raw feature until the first outcome)
        expect(e.low).toBeCloseTo(sigmoid(-normalQuantile(0.95)), 12);
        expect(e.high).toBeCloseTo(sigmoid(normalQuantile(0.95)), 12);
      }
      expect(picks[0].propensity).toBeGreaterThan(0);
    }
  });
});

describe('bandit selection under a policy that scores on uplift', () => {
  it('scores on the bandit\'s estimate and leaves no uplift in the candidate for the explanation to quote (it said "scored 0.5 = −2e-11% uplift × value 1")', () => {
    const book = trainedBook();
    const rng = new Rng(4);
    const { ctx, candidates } = stageContext({ catalog, policy: { exploration: { budget: 0.05 } }, placement: 'home', vars: { context: { mobile: true }, features: { orders: 1 } }, random: () => rng.float() });
    scoring(candidates, ctx);
    // As the scoring stage leaves them under `scoring: uplift`: an established uplift on one, a fallback on another.
    const uplift: Estimate = { value: 0, low: 0, high: 0, level: 0.9, evidence: 100, source: 'population', status: 'established', modelVersion: 'uplift@1', updatedAt: null };
    candidates[0].uplift = uplift;
    candidates[1].upliftFallback = 'uplift@1 has no arm for this action yet';
    banditSelect(candidates, ctx, book, 1);
    for (const c of candidates.filter((x) => !x.out)) {
      expect(c.estimate?.modelVersion).toMatch(/^bandit:home@/);
      expect(c.uplift).toBeUndefined();
      expect(c.upliftFallback).toBeUndefined();
      expect(c.score).toBeCloseTo(c.action.value * (c.estimate?.value ?? 0) - c.action.contactCost, 12);
    }
  });
});
