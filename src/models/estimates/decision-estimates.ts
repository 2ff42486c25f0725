import type { CompiledCatalog } from '../../decide/catalog-compile.js';
import type { DecisionStore } from '../../decide/decision-store.js';
import type { EstimateProvider } from '../../decide/estimates.js';
import { keptChoices, LIFE_TABLE_MS, loadCounts, loadDelays, loadOpenChoices } from '../../decide/counts-load.js';
import { everyAttributionWindow } from '../../decide/decision-calibration.js';
import { decisionEstimates } from '../../decide/estimating/prefetch.js';
import { catalogKind, policyKind } from '../../decide/kinds.js';
import { LadderEstimates } from '../../decide/ladder-estimates.js';
import { MergedKeys } from '../../decide/merged-keys.js';
import { OutcomeCounts } from '../../decide/outcome-counts.js';
import type { CompiledPolicy } from '../../decide/policy-compile.js';
import type { DecideService } from '../../decide/service.js';
import type { Settings } from '../../config/settings.js';
import type { ProfileState } from '../../profiles/profile-state.js';
import type { ProfileStore } from '../../profiles/profile-store.js';
import type { LadderPosition } from '../../segments/segment-lookup.js';
import { type EstimateView, estimateView } from './estimate-view.js';

/**
 * Where the decisions' own estimates come from: the decider's provider (the Beta-Binomial ladder
 * over the decision log's counts, src/decide/ladder-estimates.ts), the catalog and policy in force,
 * and the profile keys whose history is the subject's (its merged profiles, its `anon:` keys).
 */
export interface DecisionEstimateSource {
  provider: EstimateProvider;
  catalog(): Pick<CompiledCatalog, 'actions'>;
  policy(): Pick<CompiledPolicy, 'estimates'>;
  mergedKeys(state: ProfileState): Promise<readonly string[]>;
  /** Reads what the estimates need of the subject's own history (its profile key and merged keys) before they are asked. */
  readSubject?(keys: readonly string[]): Promise<void>;
}

/** One action's goal rate for the subject, as the decisions score it: the action, its goal, and the Estimate. */
export type DecisionEstimateView = { action: string; name?: string; goal: string } & EstimateView;

/**
 * The goal rate of every catalog action for a subject, as a decision for it now would score it
 * with rate scoring: the decider's provider under the policy's `estimates` settings, bound to the
 * subject's ladder position and merged keys as the decider binds it (decisionEstimates in
 * src/decide/estimating/prefetch.ts). `updatedAt` is the newest decision or credited success in
 * the counts read, as in the decisions' explanations.
 *
 * @example
 * await decisionEstimatesFor(source, state, position); // [{ action: 'shoes-offer', goal: 'conversion', value: 0.114, source: 'population', modelVersion: 'beta-ladder@1', … }]
 */
export async function decisionEstimatesFor(source: DecisionEstimateSource, state: ProfileState, position: LadderPosition): Promise<DecisionEstimateView[]> {
  const policy = source.policy();
  const bound = decisionEstimates(source.provider.under?.(policy.estimates) ?? source.provider, { position }, policy);
  const also = await source.mergedKeys(state);
  await source.readSubject?.([state.id, ...also]);
  const subject = { key: state.id, vars: {}, ...(also.length ? { also } : {}) };
  return [...source.catalog().actions.values()].map((a) => {
    const e = bound.estimate(a, subject);
    return { action: a.id, ...(a.def.name ? { name: a.def.name } : {}), goal: a.goal, ...estimateView(e, 'share') };
  });
}

/**
 * The running server's source: the decider's own provider over its in-memory counts, so the answer
 * is what the next decision would score.
 *
 * @example
 * const source = liveDecisionEstimates(tact.decide, tact.store.profiles);
 */
export function liveDecisionEstimates(decide: Pick<DecideService, 'estimates' | 'playbook' | 'state' | 'readSubject'>, profiles: Pick<ProfileStore, 'merges' | 'identities'>): DecisionEstimateSource {
  const merged = new MergedKeys(profiles, Date.now, decide.state.ledger);
  return { provider: decide.estimates, catalog: () => decide.playbook().catalog, policy: () => decide.playbook().policy, mergedKeys: (s) => merged.of(s), readSubject: (keys) => decide.readSubject(keys) };
}

/**
 * A source read from the store (for `tact estimates`, which has no decider): the counts as a
 * starting server rebuilds them from the decision log (the same reads as DecideState.rebuild: the
 * counts, the successes' delays and the choices of the longest window and two hours more),
 * the ladder over them with the policy's settings. A subject's `anon:` keys count when the log has
 * counts under them (the server counts those whose contacts it holds: the same for recent ones).
 *
 * @example
 * const source = await storedDecisionEstimates(store, settings);
 */
export async function storedDecisionEstimates(store: { decisions: Pick<DecisionStore, 'groupCounts' | 'trialCounts' | 'successCounts' | 'readOpenChoices' | 'successDelays' | 'lastOutcomeSeq' | 'contactsOf' | 'successesOf'>; profiles: Pick<ProfileStore, 'merges' | 'identities'> }, settings: Pick<Settings, 'get'>): Promise<DecisionEstimateSource> {
  const counts = new OutcomeCounts();
  const catalog = () => settings.get(catalogKind);
  const policy = () => settings.get(policyKind);
  const now = Date.now();
  await loadCounts(store.decisions, counts);
  // The choices whose windows may be open (those of the longest window any action has), and the delays of their successes.
  const since = now - Math.max(...everyAttributionWindow(settings)) - LIFE_TABLE_MS;
  const upTo = await store.decisions.lastOutcomeSeq?.();
  if (upTo !== undefined) counts.delays.startedAt(now);
  await loadOpenChoices(store.decisions, counts, since, now);
  if (upTo !== undefined) await loadDelays(store.decisions, counts, since, now, upTo);
  const anonymous = { hasAnonymous: true, has: (key: string) => [...catalog().actions.keys()].some((a) => counts.personalCounts(a, key) !== undefined) };
  const merged = new MergedKeys(store.profiles, Date.now, anonymous);
  // The subject's own choices of the longest window, for its personal rung to read those inside their windows as open (ADR 0007).
  const readSubject = async (keys: readonly string[]) => {
    for (const c of await keptChoices(store.decisions, await store.decisions.contactsOf(keys, since, now + 1))) counts.noteLoggedChoice(c.action, c.profileKey, c.at, c.won);
  };
  return { provider: new LadderEstimates(counts, () => policy().estimates, { defaultWindow: () => policy().attributionMs }), catalog, policy, mergedKeys: (s) => merged.of(s), readSubject };
}
