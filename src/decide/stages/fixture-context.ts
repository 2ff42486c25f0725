import type { Estimate } from '../../learn/estimate.js';
import { compileCatalog } from '../catalog-compile.js';
import type { Catalog } from '../catalog.js';
import { ContactLedger } from '../contact-ledger.js';
import type { EstimateProvider } from '../estimates.js';
import { playbookFor } from '../playbook.js';
import { compilePolicy } from '../policy-compile.js';
import type { Policy } from '../policy.js';
import type { Hold } from '../records.js';
import type { Candidate, StageContext } from './types.js';

/** An estimate provider that answers a fixed rate per action (tests). @example fixedEstimates({ upsell: 0.04 }) */
export function fixedEstimates(rates: Record<string, number>, dflt = 0.05): EstimateProvider {
  return {
    modelVersion: 'fixed@test',
    estimate: (a): Estimate => {
      const v = rates[a.id] ?? dflt;
      return { value: v, low: v / 2, high: Math.min(1, v * 2), level: 0.9, evidence: 100, source: 'population', status: 'established', modelVersion: 'fixed@test', updatedAt: '2026-01-01T00:00:00.000Z' };
    },
  };
}

/**
 * A stage context over a small catalog and policy, for the stages' unit tests: pass what the test
 * is about, the rest defaults to an empty profile at noon UTC.
 *
 * @example
 * const { ctx, candidates } = stageContext({ catalog, policy, placement: 'home' });
 */
export function stageContext(o: {
  catalog: Catalog;
  policy?: Policy;
  placement: string;
  vars?: Record<string, unknown>;
  now?: number;
  timezone?: string | null;
  accounts?: readonly string[];
  flags?: readonly string[];
  ledger?: ContactLedger;
  holds?: Hold[];
  rates?: Record<string, number>;
  random?: () => number;
}): { ctx: StageContext; candidates: Candidate[] } {
  const catalog = compileCatalog(o.catalog);
  const policy = compilePolicy(o.policy ?? {});
  const play = playbookFor(catalog, policy, 1, 1);
  const placement = catalog.placements.get(o.placement);
  if (!placement) throw new Error(`no placement ${o.placement}`);
  const ledger = o.ledger ?? new ContactLedger(policy.lookbackMs);
  const ctx: StageContext = {
    now: o.now ?? Date.parse('2026-06-01T12:00:00Z'),
    vars: { traits: {}, features: {}, events: {}, consent: {}, flags: {}, context: {}, accounts: [...(o.accounts ?? [])], ...o.vars },
    subject: { key: 'p1', identifier: 'ana', timezone: o.timezone ?? null, accounts: o.accounts ?? [], flags: new Set(o.flags ?? []) },
    policy,
    placement,
    contacts: ledger.view('p1'),
    holds: o.holds ?? [],
    estimates: fixedEstimates(o.rates ?? {}),
    facts: new Set(),
    budgetWeights: play.budgetWeightsAt(o.now ?? Date.parse('2026-06-01T12:00:00Z')),
    random: o.random ?? (() => 0.99),
  };
  const rules = play.rulebook.forPlacement(placement);
  return { ctx, candidates: placement.candidates.map((action) => ({ action, rules: rules.get(action.id)! })) };
}

/** The ids of the candidates still in, and the verdicts of those out. @example outcome(cs) // { in: ['a'], out: { b: 'consent/consent:Email' } } */
export function outcome(candidates: Candidate[]): { in: string[]; out: Record<string, string> } {
  return {
    in: candidates.filter((c) => !c.out).map((c) => c.action.id),
    out: Object.fromEntries(candidates.filter((c) => c.out).map((c) => [c.action.id, `${c.out!.stage}/${c.out!.rule}`])),
  };
}
