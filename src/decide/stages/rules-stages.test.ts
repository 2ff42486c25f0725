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
  it('treats a purpose the policy assumes as granted, unless withdrawn', () => {
    expect(run({}, ['Advertising']).o.in).toContain('running');
    expect(run({ Advertising: false }, ['Advertising']).o.out.running).toBe('consent/consent:Advertising');
  });
});
