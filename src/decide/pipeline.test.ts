import { describe, expect, it } from 'vitest';
import { runPipeline } from './pipeline.js';
import { playbookFor } from './playbook.js';
import { compileCatalog } from './catalog-compile.js';
import { compilePolicy } from './policy-compile.js';
import { stageContext } from './stages/fixture-context.js';
import type { Catalog } from './catalog.js';
import type { Policy } from './policy.js';
import type { Hold } from './records.js';

const catalog: Catalog = {
  actions: [
    { id: 'loan', name: 'Loan', channels: ['web'], value: 300, highStakes: true, eligibility: 'features.orders >= 1.0' },
    { id: 'upsell', name: 'Upsell', channels: ['web'], value: 50, contactCost: 1, customerReason: 'you bought the starter kit' },
    { id: 'banner', name: 'Banner', channels: ['web'], value: 2 },
  ],
  placements: [{ id: 'home', channel: 'web', slots: 2, safeDefault: 'banner' }, { id: 'bare', channel: 'web', slots: 1 }],
};

function run(o: { policy?: Policy; placement?: string; holds?: Hold[]; accounts?: string[]; n?: number; orders?: number; random?: () => number }) {
  const { ctx } = stageContext({ catalog, policy: o.policy, random: o.random, placement: o.placement ?? 'home', holds: o.holds, accounts: o.accounts, vars: { features: { orders: o.orders ?? 2 } }, rates: { loan: 0.05, upsell: 0.1, banner: 0.1 } });
  const play = playbookFor(compileCatalog(catalog), compilePolicy(o.policy ?? {}), 1, 1);
  let k = 0;
  return runPipeline(ctx, play.rulebook.forPlacement(ctx.placement), o.n ?? 2, () => `review-${++k}`);
}

describe('the pipeline', () => {
  it('ranks by expected value and explains each choice and the decision, for the operator and the customer', () => {
    const r = run({ orders: 0 });
    expect(r.choices.map((c) => c.action ?? c.kind)).toEqual(['upsell', 'banner']);
    expect(r.choices[0].why).toBe('"Upsell" scored 4 = 10% conversion rate (population, established, n=100) × value 50 - contact cost 1.');
    expect(r.operator).toContain('1 of 3 candidate actions were excluded (eligibility 1); most often: its own eligibility rule does not hold, 1 time.');
    expect(r.customer).toBe('You are seeing "Upsell" because you bought the starter kit.');
    expect(r.newHolds).toEqual([]);
  });

  it('holds a winning high-stakes action for review and gives the subject the safe default', () => {
    const r = run({});
    expect(r.choices[0]).toMatchObject({ kind: 'action', action: 'banner', held: { action: 'loan', reviewId: 'review-1' } });
    expect(r.newHolds).toEqual([{ action: 'loan', variant: null, reviewId: 'review-1' }]);
    expect(r.choices[1].action).toBe('upsell');
    expect(r.choices[0].why).toContain('"Loan" is high-stakes and waits for a person\'s review (review-1)');
    expect(r.customer).toBe('You are seeing "Banner", our standard content here.');
    // a pending review is not duplicated; without a safe default the subject gets nothing
    const pending: Hold = { id: 'r-9', decisionId: 'd', profileKey: 'p1', subject: 'ana', placement: 'home', action: 'loan', variant: null, queue: 'review', status: 'pending', createdAt: Date.parse('2026-06-01T11:00:00Z'), decidedAt: null, reviewer: null, note: null, deliveredIn: null };
    const again = run({ placement: 'bare', holds: [pending], n: 1 });
    expect(again.newHolds).toEqual([]);
    expect(again.choices).toMatchObject([{ kind: 'none', held: { action: 'loan', reviewId: 'r-9' } }]);
    // once approved, the next decision delivers it
    const approved = run({ holds: [{ ...pending, status: 'approved', reviewer: 'kim', decidedAt: Date.parse('2026-06-01T11:30:00Z') }] });
    expect(approved.choices[0]).toMatchObject({ kind: 'action', action: 'loan' });
    expect(approved.choices[0].held).toBeUndefined();
    expect(approved.delivered).toEqual(['r-9']);
  });

  it('hands human territory to a person and runs nothing after the territory stage', () => {
    const r = run({ policy: { humanTerritory: [{ name: 'key accounts', queue: 'enterprise-am', accounts: ['acme'] }] }, accounts: ['acme'] });
    expect(r.choices).toEqual([{ rank: 1, kind: 'handoff', queue: 'enterprise-am', score: 0, propensity: 1, why: 'Handed to the queue "enterprise-am": the subject is human territory ("key accounts").' }]);
    expect(r.candidates.every((c) => c.out && c.score === undefined)).toBe(true);
    expect(r.customer).toBe('A member of our team will look after this for you personally.');
  });

  it('keeps a holdout subject out of automated decisions (the safe default, or nothing), and records what treatment would have done', () => {
    const r = run({ policy: { holdout: { share: 1 } } });
    expect(r.arm).toBe('holdout');
    expect(r.choices).toMatchObject([{ kind: 'action', action: 'banner', propensity: 1 }]);
    expect(run({ policy: { holdout: { share: 1 } }, placement: 'bare' }).choices).toMatchObject([{ kind: 'none', propensity: 1 }]);
    // Treatment would have picked the high-stakes loan and held it for review, the banner standing in: the sentence says so.
    expect(r.choices[0].why).toContain('would otherwise have been "Loan", held for a person\'s review ("Banner" shown meanwhile).');
    expect(run({ policy: { holdout: { share: 1 } }, orders: 0 }).choices[0].why).toContain('would otherwise have been "Upsell".');
    expect(run({ policy: { holdout: { share: 1 } }, placement: 'bare', n: 1 }).choices[0].why).toContain('would otherwise have been "Loan", held for a person\'s review (nothing shown meanwhile).');
    expect(r.newHolds).toEqual([]);
    expect(run({ policy: { holdout: { share: 0.0000001 } } }).arm).toBe('treatment');
  });

  it('lets "none" win when no action is worth its contact cost', () => {
    const r = run({ policy: { noneScore: 100 } });
    expect(r.choices).toMatchObject([{ kind: 'none' }]);
    expect(r.choices[0].why).toMatch(/^Doing nothing \(score 100\) was worth at least as much as the best admitted action, "Loan" at 15 = 5% conversion rate/);
  });

  it('weighs "none" at a lower rank against the actions left, not against the ones chosen above', () => {
    const r = run({ policy: { noneScore: 1 }, orders: 0 });
    expect(r.choices.map((c) => c.action ?? c.kind)).toEqual(['upsell', 'none']);
    expect(r.choices[1].why).toMatch(/^Doing nothing \(score 1\) was worth at least as much as the best admitted action, "Banner" at 0.2 = /);
  });

  it('says when exploration, not the score, picked the high-stakes action now held for review', () => {
    // ε = 0.4, K = 4 (none 20, Loan 15, Upsell 4, Banner 0.2): the first draw explores, the second takes option 1, "Loan" (π = 0.4 / 4)
    const draws = [0, 0.3];
    const r = run({ policy: { exploration: { budget: 0.4 }, noneScore: 20 }, n: 1, random: () => draws.shift() ?? 0.99 });
    expect(r.choices).toMatchObject([{ kind: 'action', action: 'banner', held: { action: 'loan' }, propensity: 0.1 }]);
    expect(r.choices[0].why).toBe('"Loan" is high-stakes and waits for a person\'s review (review-1); meanwhile the subject gets the placement\'s safe default "Banner". Exploration picked "Loan" with probability 10%; the best-scoring option was "none" (20).');
    // picked on its score, it says nothing of exploration
    expect(run({ n: 1 }).choices[0].why).not.toContain('xploration');
  });

  it('does not claim "none" was worth more when exploration chose it over a better action', () => {
    // the first draw explores, the second picks the last option: "none" ranks below "Upsell" (4) and "Banner" (0.2)
    const draws = [0, 0.99];
    const r = run({ policy: { exploration: { budget: 0.5 } }, orders: 0, n: 1, placement: 'bare', random: () => draws.shift() ?? 0.99 });
    expect(r.choices).toMatchObject([{ kind: 'none' }]);
    expect(r.choices[0].why).not.toContain('was worth at least as much');
    expect(r.choices[0].why).toContain('Chosen by exploration with probability 16.7%; the best-scoring option was "Upsell" (4).');
  });
});

describe('an approved high-stakes action', () => {
  const withVariants = (status: 'approved' | 'draft'): Catalog => ({
    ...catalog,
    actions: (catalog.actions ?? []).map((a) => (a.id === 'loan' ? { ...a, variants: [{ id: 'a', content: { headline: 'Pay later' } }, { id: 'b', content: { headline: 'Pay in 3, 0% APR' }, status }] } : a)),
  });
  const approvedB: Hold = { id: 'r-1', decisionId: 'd0', profileKey: 'p1', subject: 'ana', placement: 'home', action: 'loan', variant: 'b', queue: 'review', status: 'approved', createdAt: Date.parse('2026-06-01T11:00:00Z'), decidedAt: Date.parse('2026-06-01T11:30:00Z'), reviewer: 'kim', note: null, deliveredIn: null };
  const decide = (c: Catalog) => {
    // every draw 0: a uniform draw of the variant would take "a"
    const { ctx } = stageContext({ catalog: c, policy: { exploration: { budget: 0 } }, placement: 'home', holds: [approvedB], vars: { features: { orders: 2 } }, rates: { loan: 0.05, upsell: 0.1, banner: 0.1 }, random: () => 0 });
    const play = playbookFor(compileCatalog(c), ctx.policy, 1, 1);
    return runPipeline(ctx, play.rulebook.forPlacement(ctx.placement), 1, () => 'review-new');
  };

  it('is delivered with the content the reviewer approved, not a variant drawn afresh', () => {
    const r = decide(withVariants('approved'));
    expect(r.choices).toMatchObject([{ kind: 'action', action: 'loan', variant: 'b', content: { headline: 'Pay in 3, 0% APR' }, propensity: 1 }]);
    expect(r.delivered).toEqual(['r-1']);
  });

  it('whose approved content was since withdrawn from the catalog is held for a new review, not delivered with other content', () => {
    const r = decide(withVariants('draft'));
    expect(r.choices).toMatchObject([{ kind: 'action', action: 'banner', held: { action: 'loan', reviewId: 'review-new' } }]);
    expect(r.delivered).toEqual([]);
    expect(r.newHolds).toEqual([{ action: 'loan', variant: 'a', reviewId: 'review-new' }]);
  });
});
