import type { CompiledCatalog } from './catalog-compile.js';
import type { CompiledPolicy } from './policy-compile.js';
import { Rulebook } from './rulebook.js';

/**
 * The catalog and the policy in force, joined once per pair of versions: the rulebook, the
 * budgets' fair-share weights per channel, whether decisions need the subject's accounts.
 *
 * @example
 * const play = playbookFor(catalog, policy, 3, 7); play.rulebook.forPlacement(p);
 */
export interface Playbook {
  catalog: CompiledCatalog;
  policy: CompiledPolicy;
  catalogVersion: number;
  policyVersion: number;
  rulebook: Rulebook;
  /**
   * Sum of the budget weights of the actions on each channel that can be shown at `now`: started,
   * not ended, and not left with only draft variants (the eligibility stage's own tests) — an
   * action that cannot be shown takes no share of a budget from those that can.
   */
  budgetWeightsAt(now: number): ReadonlyMap<string, number>;
  /** Some rule or territory reads the subject's accounts. */
  needsAccounts: boolean;
  /** Some rule reads `lifecycle` (the subject's stage or value tier): worked out for the decision only then. */
  needsLifecycle: boolean;
  topicsOf(action: string): readonly string[];
  /**
   * How far back a subject's contacts can still count: the longest cap or budget window, and the
   * longest attribution window (the policy's and any action's own) for outcomes that name no decision.
   */
  contactWindowMs: number;
  /** How far back the global budgets count: their longest window (0 without budgets). */
  budgetWindowMs: number;
}

/**
 * Joins a compiled catalog and policy (cheap: placements' rules are built on first use).
 *
 * @example
 * playbookFor(settings.get(catalogKind), settings.get(policyKind), 3, 7).needsAccounts;
 */
export function playbookFor(catalog: CompiledCatalog, policy: CompiledPolicy, catalogVersion: number, policyVersion: number): Playbook {
  const checks = [
    ...policy.rules.map((r) => r.check),
    ...policy.territory.flatMap((t) => (t.when ? [t.when] : [])),
    ...policy.levers.flatMap((l) => (l.when ? [l.when] : [])),
    ...[...catalog.actions.values()].flatMap((a) => Object.values(a.own)),
  ];
  const needsAccounts = policy.territory.some((t) => t.accounts.length > 0) || checks.some((c) => c.facts.includes('accounts'));
  return {
    catalog,
    policy,
    catalogVersion,
    policyVersion,
    rulebook: new Rulebook(policy),
    budgetWeightsAt: budgetWeights(catalog),
    needsAccounts,
    needsLifecycle: checks.some((c) => c.facts.some((f) => f === 'lifecycle' || f.startsWith('lifecycle.'))),
    topicsOf: (id) => catalog.actions.get(id)?.topics ?? [],
    contactWindowMs: Math.max(
      policy.attributionMs,
      ...[...catalog.actions.values()].map((a) => a.attributionMs ?? 0),
      ...policy.caps.map((c) => c.windowMs),
      ...policy.budgets.map((b) => b.windowMs),
    ),
    budgetWindowMs: Math.max(0, ...policy.budgets.map((b) => b.windowMs)),
  };
}

/**
 * The budget weights per channel of the actions live at a time, computed once per span between
 * two of the catalog's start and end times (the answer only changes there).
 */
function budgetWeights(catalog: CompiledCatalog): (now: number) => ReadonlyMap<string, number> {
  const actions = [...catalog.actions.values()].filter((a) => !(a.declaresVariants && a.variants.length === 0));
  // Live while startMs ≤ now ≤ endMs: the answer changes at each start and just after each end.
  const edges = [...new Set(actions.flatMap((a) => [a.startMs, a.endMs + 1]).filter(Number.isFinite))].sort((x, y) => x - y);
  let span: { from: number; to: number; weights: ReadonlyMap<string, number> } | undefined;
  return (now) => {
    if (span && now >= span.from && now < span.to) return span.weights;
    const weights = new Map<string, number>();
    for (const a of actions) {
      if (now < a.startMs || now > a.endMs) continue;
      for (const ch of a.def.channels) weights.set(ch, (weights.get(ch) ?? 0) + a.budgetWeight);
    }
    const next = edges.findIndex((e) => e > now);
    span = { from: next > 0 ? edges[next - 1] : next === -1 && edges.length ? edges[edges.length - 1] : -Infinity, to: next === -1 ? Infinity : edges[next], weights };
    return weights;
  };
}
