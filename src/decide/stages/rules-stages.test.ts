import { describe, expect, it } from 'vitest';
import { applicability } from './applicability.js';
import { consent } from './consent.js';
import { eligibility } from './eligibility.js';
import { outcome, stageContext } from './fixture-context.js';
import { suitability } from './suitability.js';

const catalog = {
  actions: [
    { id: 'running', name: 'Running', channels: ['web'], purpose: 'Advertising', topics: ['marketing'], properties: { product_id: 'sku-1' }, eligibility: 'features.orders >= 1.0' },
    { id: 'old', name: 'Old', channels: ['web'], end: '2026-01-01T00:00:00Z' },
    { id: 'future', name: 'Future', channels: ['web'], start: '2027-01-01T00:00:00Z' },
    { id: 'drafty', name: 'Drafty', channels: ['web'], variants: [{ id: 'v1', status: 'draft' as const }] },
    { id: 'vip', name: 'VIP', channels: ['web'], eligibility: 'traits.plan == "vip"' },
    { id: 'service', name: 'Service', channels: ['web'], topics: ['service'] },
  ],
  placements: [{ id: 'home', channel: 'web' }],
};

describe('eligibility', () => {
  it('checks the running window, approved variants and the rules, saying which excluded what', () => {
    const { ctx, candidates } = stageContext({ catalog, placement: 'home', vars: { features: { orders: 0 } } });
    eligibility(candidates, ctx);
    expect(outcome(candidates)).toEqual({
      in: ['service'],
      out: { running: 'eligibility/own eligibility rule', old: 'eligibility/end', future: 'eligibility/start', drafty: 'eligibility/variants', vip: 'eligibility/own eligibility rule' },
    });
    // a rule that cannot be evaluated (no such trait) does not hold, and the reason says why
    expect(candidates.find((c) => c.action.id === 'vip')!.out!.reason).toMatch(/could not be evaluated \(No such key: plan\)/);
    expect(ctx.facts.has('features.orders')).toBe(true);
  });

  it('admits once the facts hold', () => {
    const { ctx, candidates } = stageContext({ catalog, placement: 'home', vars: { features: { orders: 2 }, traits: { plan: 'vip' } } });
    eligibility(candidates, ctx);
    expect(outcome(candidates).in).toEqual(['running', 'vip', 'service']);
  });

  it('runs the policy rules about an action after its own, in order', () => {
    const policy = { rules: [{ name: 'adults only', stage: 'eligibility' as const, when: 'traits.age >= 18', topics: ['marketing'] }] };
    const { ctx, candidates } = stageContext({ catalog, policy, placement: 'home', vars: { features: { orders: 3 }, traits: { age: 16 } } });
    eligibility(candidates, ctx);
    expect(outcome(candidates).out.running).toBe('eligibility/adults only');
    expect(outcome(candidates).in).toContain('service');
  });
});

describe('applicability and suitability', () => {
  const policy = {
    rules: [
      { name: 'not at checkout', stage: 'applicability' as const, topics: ['marketing'], when: '!has(context.page) || context.page != "checkout"' },
      { name: 'not bought already', stage: 'suitability' as const, when: '!has(action.properties.product_id) || !(action.properties.product_id in features.purchased)', reason: 'the subject bought it already' },
    ],
  };
  it('applicability reads the request context', () => {
    const { ctx, candidates } = stageContext({ catalog, policy, placement: 'home', vars: { context: { page: 'checkout' }, features: { purchased: [] } } });
    applicability(candidates, ctx);
    expect(outcome(candidates).out.running).toBe('applicability/not at checkout');
  });
  it('suitability excludes what the subject bought, with the operator\'s reason', () => {
    const { ctx, candidates } = stageContext({ catalog, policy, placement: 'home', vars: { features: { purchased: ['sku-1'] } } });
    suitability(candidates, ctx);
    const running = candidates.find((c) => c.action.id === 'running')!;
    expect(running.out).toEqual({ stage: 'suitability', rule: 'not bought already', reason: 'the subject bought it already' });
    expect(outcome(candidates).in).toContain('service');
  });
});

describe('consent', () => {
  const run = (given: Record<string, boolean>, assumeGranted: string[] = []) => {
    const { ctx, candidates } = stageContext({ catalog, policy: { consent: { assumeGranted } }, placement: 'home', vars: { consent: given } });
    consent(candidates, ctx);
    return { o: outcome(candidates), candidates };
  };
  it('needs consent for the action\'s purpose; actions without a purpose need none', () => {
    expect(run({ Advertising: true }).o.in).toContain('running');
    const withdrawn = run({ Advertising: false });
    expect(withdrawn.o.out.running).toBe('consent/consent:Advertising');
    expect(withdrawn.candidates[0].out!.reason).toMatch(/withdrew consent/);
    expect(run({}).candidates[0].out!.reason).toMatch(/has not given consent/);
    expect(run({}).o.in).toContain('service');
  });
  it('matches a purpose without regard to case or spaces, and a withdrawal under any spelling wins', () => {
    expect(run({ advertising: false }).o.out.running).toBe('consent/consent:Advertising');
    expect(run({ ' ADVERTISING ': true }).o.in).toContain('running');
    expect(run({ Advertising: true, advertising: false }).o.out.running).toBe('consent/consent:Advertising');
    expect(run({ advertising: false }, ['Advertising']).o.out.running).toBe('consent/consent:Advertising');
  });
  it('treats a purpose the policy assumes as granted, unless withdrawn', () => {
    expect(run({}, ['Advertising']).o.in).toContain('running');
    expect(run({ Advertising: false }, ['Advertising']).o.out.running).toBe('consent/consent:Advertising');
  });
});

describe('rules that never name `action`', () => {
  const many = {
    actions: Array.from({ length: 30 }, (_, i) => ({ id: `a${i}`, name: `A${i}`, channels: ['web'], value: i, eligibility: i % 2 ? 'features.orders >= 1.0' : 'traits.plan == "vip"' })),
    placements: [{ id: 'home', channel: 'web' }],
  };
  const policy = { rules: [{ name: 'big offers for big spenders', stage: 'eligibility' as const, when: 'action.value < 10.0 || features.revenue >= 100.0' }] };
  /** Runs eligibility counting the reads of each top-level variable; `perCandidate` turns the once-a-decision evaluation off. */
  function run(perCandidate: boolean) {
    const { ctx, candidates } = stageContext({ catalog: many, policy, placement: 'home', vars: { features: { orders: 2, revenue: 50 }, traits: {} } });
    if (perCandidate) for (const c of candidates) for (const k of c.rules.eligibility) (k as { subjectOnly: boolean }).subjectOnly = false;
    const reads = new Map<string, number>();
    ctx.vars = new Proxy(ctx.vars, { get: (t, k) => (reads.set(String(k), (reads.get(String(k)) ?? 0) + 1), t[k as string]) });
    eligibility(candidates, ctx);
    return { ctx, candidates, reads };
  }

  it('are evaluated once a decision, whatever the number of candidates, with the same verdicts and reasons', () => {
    const once = run(false);
    const each = run(true);
    for (const r of [once, each]) {
      const o = outcome(r.candidates);
      // Odd ones pass their own rule, even ones fail theirs (no such key); the policy rule names `action`, so it runs per candidate.
      expect(o.in).toEqual(['a1', 'a3', 'a5', 'a7', 'a9']);
      expect(o.out.a11).toBe('eligibility/big offers for big spenders');
      expect(o.out.a0).toBe('eligibility/own eligibility rule');
      expect(r.candidates.find((c) => c.action.id === 'a2')!.out!.reason).toMatch(/could not be evaluated \(No such key: plan\)/);
      expect(r.ctx.facts.has('traits.plan') && r.ctx.facts.has('features.orders') && r.ctx.facts.has('features.revenue')).toBe(true);
    }
    expect(once.candidates.map((c) => c.out ?? null)).toEqual(each.candidates.map((c) => c.out ?? null));
    // `traits.plan == "vip"` is the own rule of 15 candidates: read once, against once for each of
    // them per candidate (a rule that cannot be evaluated is explained from the error it threw, not
    // evaluated again).
    expect(once.reads.get('traits')).toBe(1);
    expect(each.reads.get('traits')).toBe(15);
    expect(once.reads.get('features')).toBeLessThan(each.reads.get('features') as number);
  });
});

describe('rules that read `action` only through its fields', () => {
  // 30 offers at 3 price points and 30 product ids; 'cheap or gold' reads action.value, 'not bought' action.properties.sku.
  const many = {
    actions: Array.from({ length: 30 }, (_, i) => ({ id: `a${i}`, name: `A${i}`, channels: ['web'], value: [5, 20, 50][i % 3], properties: { sku: `s${i}`, ...(i % 10 === 0 ? {} : { tier: 'std' }) } })),
    placements: [{ id: 'home', channel: 'web' }],
  };
  const policy = {
    rules: [
      { name: 'cheap or gold', stage: 'eligibility' as const, when: 'action.value < 10.0 || features.revenue >= 100.0' },
      { name: 'not bought', stage: 'eligibility' as const, when: '!(action.properties.sku in features.purchased)' },
      { name: 'has a tier', stage: 'eligibility' as const, when: 'action.properties.tier == "std"' },
    ],
  };
  /** Runs eligibility counting the reads of `features`; `perCandidate` evaluates every rule for every candidate. */
  function run(perCandidate: boolean) {
    const { ctx, candidates } = stageContext({ catalog: many, policy, placement: 'home', vars: { features: { revenue: 50, purchased: ['s3', 's6'] } } });
    if (perCandidate) for (const c of candidates) for (const k of c.rules.eligibility) delete k.byAction;
    let reads = 0;
    ctx.vars = new Proxy(ctx.vars, { get: (t, k) => (k === 'features' && reads++, t[k as string]) });
    eligibility(candidates, ctx);
    return { candidates, reads };
  }

  it('are evaluated once per distinct value of those fields, with the verdicts and reasons of one evaluation per candidate', () => {
    const each = run(true);
    const shared = run(false);
    expect(shared.candidates.map((c) => c.out ?? null)).toEqual(each.candidates.map((c) => c.out ?? null));
    const o = outcome(shared.candidates);
    expect(o.out.a1).toBe('eligibility/cheap or gold');
    expect(o.out.a4).toBe('eligibility/cheap or gold');
    expect(o.out.a3).toBe('eligibility/not bought');
    expect(o.out.a0).toBe('eligibility/has a tier');
    expect(shared.candidates.find((c) => c.action.id === 'a0')!.out!.reason).toMatch(/could not be evaluated \(No such key: tier\)/);
    expect(o.out.a6).toBe('eligibility/not bought');
    expect(o.in).toEqual(['a9', 'a12', 'a15', 'a18', 'a21', 'a24', 'a27']);
    // 'cheap or gold' reads `features` only for an offer at 10 or more: for its 2 such price points,
    // not its 20 such candidates; 'not bought' still once per sku, for the 10 cheap candidates.
    expect(shared.reads).toBe(2 + 10);
    expect(each.reads).toBe(20 + 10);
  });
});

