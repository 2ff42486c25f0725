import type { DocumentKind } from '../config/document-kind.js';
import { catalogPinLosses, catalogPinWarningsOfCatalog } from '../measure/experiments-service/catalog-pins.js';
import { checkCatalog, type Catalog } from './catalog.js';
import { compileCatalog, type CompiledCatalog } from './catalog-compile.js';
import { catalogPurposeWarnings } from './catalog-purposes.js';
import { untrainedDecisionWarnings } from './decision-estimate-warnings.js';
import { checkCatalogNames, checkPolicyNames } from './decision-names.js';
import { catalogRules, policyRules } from './decision-rules.js';
import { catalogFloorWarnings, policyFloorWarnings } from './exploration-floor.js';
import { knownFlagNames, policyFlagWarnings } from './flags-read.js';
import { catalogGoalWarnings } from './goal-hint.js';
import { checkPolicy } from './policy-check.js';
import type { Policy } from './policy.js';
import { compilePolicy, type CompiledPolicy } from './policy-compile.js';
import { catalogRetentionProblems, policyRetentionProblems } from './policy-retention.js';
import { territoryAccountProblems } from './policy-territory.js';

/**
 * The catalog in force: actions (what Tact can do) and placements (where it is asked).
 *
 * @example
 * tact.settings.get(catalogKind).placements.get('home-hero');
 */
export const catalogKind: DocumentKind<Catalog, CompiledCatalog> = {
  kind: 'catalog',
  configKey: 'catalog',
  description: 'Actions (channels, consent purpose, value, contact cost, topics, rules, variants) and placements (channel, slots, competing actions, safe default, selection: ε-greedy or a contextual Thompson bandit, kind: actions or recommendation).',
  empty: {},
  check: checkCatalog,
  // The names its rules read, what the experiments in force pin of it (a running arm would decide as the control), and the policy's retention.
  checkStored: async (body, documents) => [...(await checkCatalogNames(body, documents)), ...(await catalogPinLosses(body, documents)), ...(await catalogRetentionProblems(body, documents))],
  // …and a rule on a rate no trained model holds yet (taken: it reads the default ladder meanwhile).
  warnStored: async (body, documents, lookups) => [...(await catalogFloorWarnings(body, documents)), ...(await catalogPinWarningsOfCatalog(body, documents)), ...(await catalogGoalWarnings(body, documents)), ...catalogPurposeWarnings(body), ...(await untrainedDecisionWarnings(catalogRules(body), 'catalog', lookups))],
  compile: compileCatalog,
};

/**
 * The decision policy in force: the humans' strategy.
 *
 * @example
 * tact.settings.get(policyKind).exploration; // 0.05
 */
export const policyKind: DocumentKind<Policy, CompiledPolicy> = {
  kind: 'policy',
  configKey: 'policy',
  description: 'Rules, consent, contact limits, human territory, levers, value function, exploration budget, holdout and retention of decisions.',
  empty: {},
  check: checkPolicy,
  // The names it gives, the catalog's attribution windows against its retention, the merge rules against its accounts.
  checkStored: async (body, documents) => [...(await checkPolicyNames(body, documents)), ...(await policyRetentionProblems(body, documents)), ...(await territoryAccountProblems(body, documents))],
  // …and a flag name no open or declared flag has, beside one that is close (`procurment_delay`).
  warnStored: async (body, documents, lookups) => [...(await policyFloorWarnings(body, documents)), ...(await untrainedDecisionWarnings(policyRules(body), 'policy', lookups)), ...policyFlagWarnings(body, await knownFlagNames(documents, lookups))],
  compile: compilePolicy,
};
