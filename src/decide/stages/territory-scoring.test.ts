import { describe, expect, it } from 'vitest';
import type { Hold } from '../records.js';
import type { Policy } from '../policy.js';
import { outcome, stageContext } from './fixture-context.js';
import { humanTerritory } from './human-territory.js';
import { scoring } from './scoring.js';

const catalog = {
  actions: [
    { id: 'upsell', name: 'Upsell', channels: ['web'], value: 50, contactCost: 1, topics: ['marketing'] },
    { id: 'loan', name: 'Loan', channels: ['web'], value: 300, highStakes: true },
  ],
  placements: [{ id: 'home', channel: 'web' }],
};
const territory = {
  humanTerritory: [
    { name: 'key accounts', queue: 'enterprise-am', accounts: ['acme'] },
    { name: 'paused', queue: 'account-managers', flags: ['procurement_delay'] },
    { name: 'big spenders', queue: 'vip-desk', when: 'features.revenue >= 10000.0' },
  ],
};
const hold = (status: Hold['status'], decidedAt: number | null = null, createdAt = decidedAt ?? Date.parse('2026-06-01T11:00:00Z')): Hold => ({
  id: `r-${status}`, decisionId: 'd0', profileKey: 'p1', subject: 'ana', placement: 'home', action: 'loan', variant: null, queue: 'review',
  status, createdAt, decidedAt, reviewer: status === 'pending' ? null : 'kim', note: status === 'rejected' ? 'affordability' : null, deliveredIn: null,
});

describe('human territory', () => {
  it('hands a subject the policy marks human-owned to the named queue: by account, flag or segment', () => {
    const cases = [
      [{ accounts: ['acme'] }, 'enterprise-am'],
      [{ flags: ['procurement_delay'] }, 'account-managers'],
      [{ vars: { features: { revenue: 12000 } } }, 'vip-desk'],
      [{ vars: { features: { revenue: 10 } } }, undefined],
    ] as const;
    for (const [extra, queue] of cases) {
      const { ctx, candidates } = stageContext({ catalog, policy: territory, placement: 'home', vars: { features: { revenue: 0 } }, ...extra });
      const t = humanTerritory(candidates, ctx);
      expect(t?.queue).toBe(queue);
      if (queue) expect(outcome(candidates).in).toEqual([]);
      if (queue) expect(candidates[0].out!.reason).toContain(`handed to the queue "${queue}"`);
    }
  });

  it('hands a subject of a segment territory to its queue even when the placement has no candidate action', () => {
    const bare = { actions: catalog.actions, placements: [{ id: 'home', channel: 'web' }, { id: 'sms', channel: 'sms' }] };
    const { ctx, candidates } = stageContext({ catalog: bare, policy: territory, placement: 'sms', vars: { features: { revenue: 12000 } } });
    expect(candidates).toEqual([]);
    expect(humanTerritory(candidates, ctx)?.queue).toBe('vip-desk');
  });

  it('marks high-stakes actions: needs review, pending, approved, or excluded after a recent rejection', () => {
    const now = Date.parse('2026-06-01T12:00:00Z');
    const run = (holds: Hold[]) => {
      const { ctx, candidates } = stageContext({ catalog, placement: 'home', now, holds });
      humanTerritory(candidates, ctx);
      return candidates.find((c) => c.action.id === 'loan')!;
    };
    expect(run([]).review).toBe('review');
    expect(run([hold('pending')]).review).toBe('pending');
    expect(run([hold('approved', now - 1000)]).review).toBe('approved');
    const rejected = run([hold('rejected', now - 1000)]);
    expect(rejected.out).toMatchObject({ stage: 'human territory', rule: 'review' });
    expect(rejected.out!.reason).toContain('a reviewer rejected it');
    expect(rejected.out!.reason).toContain('affordability');
    // a rejection older than review.rejectFor (30 days) no longer excludes
    expect(run([hold('rejected', now - 31 * 86_400_000)]).review).toBe('review');
  });

  it('asks for a new review once the pending one has expired (the policy\'s review.expireAfter, 7 days by default)', () => {
    const now = Date.parse('2026-06-01T12:00:00Z');
    const DAY = 86_400_000;
    const run = (holds: Hold[], policy: Policy = {}) => {
      const { ctx, candidates } = stageContext({ catalog, policy, placement: 'home', now, holds });
      humanTerritory(candidates, ctx);
      return candidates.find((c) => c.action.id === 'loan')!;
    };
    expect(run([hold('pending', null, now - 6 * DAY)]).review).toBe('pending');
    const expired = run([hold('pending', null, now - 8 * DAY)]);
    expect(expired.review).toBe('review');
    expect(expired.hold).toBeUndefined();
    expect(run([hold('pending', null, now - 2 * DAY)], { review: { expireAfter: '1d' } }).review).toBe('review');
    // an expired review does not hide a newer pending one
    expect(run([hold('pending', null, now - 8 * DAY), { ...hold('pending', null, now - DAY), id: 'r-new' }]).hold?.id).toBe('r-new');
  });
});

describe('scoring', () => {
  it('is estimate × value × levers − contact cost, keeping the levers that applied', () => {
    const policy = { levers: [{ name: 'summer push', weight: 1.5, topics: ['marketing'] }, { name: 'never applies', weight: 9, when: 'false' }] };
    const { ctx, candidates } = stageContext({ catalog, policy, placement: 'home', rates: { upsell: 0.04, loan: 0.01 } });
    scoring(candidates, ctx);
    const [upsell, loan] = candidates;
    expect(upsell.score).toBeCloseTo(0.04 * 50 * 1.5 - 1, 12);
    expect(loan.score).toBeCloseTo(0.01 * 300, 12);
    expect(upsell.levers).toEqual([['summer push', 1.5]]);
    expect(loan.levers).toBeUndefined();
    expect(upsell.estimate!.evidence).toBe(100);
  });

  it('applies a lever whose rule reads action fields to each candidate as per-candidate evaluation would', () => {
    const actions = Array.from({ length: 12 }, (_, i) => ({ id: `a${i}`, name: `A${i}`, channels: ['web'], value: [10, 40, 80][i % 3] }));
    const policy = { levers: [{ name: 'premium push', weight: 2, when: 'action.value >= 40.0 && features.views_7d >= 2.0' }] };
    const score = (shared: boolean) => {
      const { ctx, candidates } = stageContext({ catalog: { actions, placements: [{ id: 'home', channel: 'web' }] }, policy, placement: 'home', vars: { features: { views_7d: 3 } } });
      if (!shared) for (const c of candidates) for (const l of c.rules.levers) delete l.when!.byAction;
      let reads = 0;
      ctx.vars = new Proxy(ctx.vars, { get: (t, k) => (k === 'features' && reads++, t[k as string]) });
      scoring(candidates, ctx);
      return { scores: candidates.map((c) => [c.action.id, c.score, c.levers ?? null]), reads };
    };
    const shared = score(true);
    const each = score(false);
    expect(shared.scores).toEqual(each.scores);
    expect(shared.scores.filter(([, , l]) => l).map(([id]) => id)).toEqual(['a1', 'a2', 'a4', 'a5', 'a7', 'a8', 'a10', 'a11']);
    // The rule reads `features` only past `action.value >= 40.0`: once per such price point (2), not per such candidate (8).
    expect([shared.reads, each.reads]).toEqual([2, 8]);
  });
});
