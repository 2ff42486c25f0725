import type { Estimate } from '../../learn/estimate.js';
import type { CompiledAction, CompiledPlacement } from '../catalog-compile.js';
import type { StageName, Verdict } from '../decision.js';
import type { EstimateProvider } from '../estimates.js';
import { actionClass, type Check } from '../facts.js';
import type { CompiledBudget, CompiledPolicy } from '../policy-compile.js';
import type { Hold } from '../records.js';
import type { ActionRules } from '../rulebook.js';
import type { BanditBook } from '../bandit/bandit-select.js';
import type { RecommendationAnswer } from '../recommend/recommend-decision.js';
import { type CompiledRule, conditionOf, ruleError, testRule } from '../../rules/cel.js';

/** One action on its way through the pipeline; a stage that excludes it sets `out`. */
export interface Candidate {
  action: CompiledAction;
  rules: ActionRules;
  out?: Verdict;
  /** High-stakes state: needs review if chosen, a review is pending, or a person approved it. */
  review?: 'review' | 'pending' | 'approved';
  hold?: Hold;
  estimate?: Estimate;
  score?: number;
  /** Levers that applied: [name, weight]. */
  levers?: (readonly [string, number])[];
  /** Uplift scoring: the action's incremental effect over "none" the score used. */
  uplift?: Estimate;
  /** Uplift scoring was asked for but the rate was used: why. */
  upliftFallback?: string;
}

/** An action choice the subject received, as contact rules count it. */
export interface Contact {
  at: number;
  action: string;
  channel: string;
  topics: readonly string[];
  decisionId: string;
}

/** Global volume use of one budget's current window. */
export interface BudgetUse {
  windowStart: number;
  total: number;
  byAction: ReadonlyMap<string, number>;
}

/** Which contacts a cap counts: every part given must match. */
export interface ContactMatch {
  channel?: string;
  topic?: string;
  action?: string;
}

/** What the contact-policy stage may know about the subject's history and the global volume. */
export interface ContactView {
  /** How many of the subject's contacts (action choices) at or after `since` match. */
  count(since: number, match: ContactMatch): number;
  /** The subject's contacts, oldest first, within the contact window (made on each call: for attribution, not per candidate). */
  list(): Contact[];
  /** The subject's dismissals, oldest first. */
  dismissals: readonly { at: number; action: string }[];
  budgetUse(b: CompiledBudget, now: number): BudgetUse;
}

/** Who the decision is for. */
export interface Subject {
  key: string;
  identifier: string;
  timezone: string | null;
  accounts: readonly string[];
  /** Names of the subject's active flags (own and its accounts'). */
  flags: ReadonlySet<string>;
  /** Profile keys merged into this subject (their contacts and outcomes count as the subject's). */
  mergedKeys?: readonly string[];
  /** The person, as experiments and the global holdout assign them (src/decide/experiment-unit.ts); the key when not given. */
  unit?: string;
}

/** The experiment arm a decision runs in (src/measure/experiments-service): the estimate provider honours `model`, selection `variant`. */
export interface StageExperiment {
  id: string;
  arm: string;
  model?: string;
  variant?: { action: string; variant: string };
}

/** Everything the stages read. Only `vars.action` and `facts` change while they run. */
export interface StageContext {
  now: number;
  vars: Record<string, unknown>;
  subject: Subject;
  policy: CompiledPolicy;
  placement: CompiledPlacement;
  contacts: ContactView;
  /** The subject's live holds (pending, approved, recently rejected). */
  holds: readonly Hold[];
  estimates: EstimateProvider;
  /** Fact paths read by the rules evaluated so far. */
  facts: Set<string>;
  /** All candidates' weights in budgets' fair shares (sum over the placement's channel). */
  budgetWeights: ReadonlyMap<string, number>;
  random: () => number;
  /** The subject's arm in the placement's running experiment, if any. */
  experiment?: StageExperiment;
  /** The placements' bandits (placements with `selection.kind: thompson`). */
  bandits?: BanditBook;
  /** A recommendation placement's answer, asked before the pipeline runs. */
  recommendation?: RecommendationAnswer;
  /** Results of rules that never name `action`, by compiled expression: evaluated once a decision, not once a candidate. */
  subjectRules?: Map<CompiledRule, { pass: boolean; error?: string }>;
  /** Results of rules that read only member paths of `action`, per rule by class of action (facts.ts, actionClass): once a class, not once a candidate. */
  actionRules?: Map<Check, CheckResult[]>;
  /**
   * Rules that could not be evaluated where no exclusion says so (a lever that did not apply, a
   * human territory entry that did not hold): the sentence per rule, for the operator's sentence.
   */
  ruleErrors?: Map<string, string>;
}

/** A stage: marks the candidates it excludes (those already out are left alone). */
export type Stage = (candidates: Candidate[], ctx: StageContext) => void;

/** Excludes a candidate with a verdict. @example exclude(c, 'consent', 'consent:Email', 'the subject withdrew consent for "Email"') */
export function exclude(c: Candidate, stage: StageName, rule: string, reason: string): void {
  c.out = { stage, rule, reason };
}

/**
 * Runs one named rule for one candidate: `action` is the candidate, the facts it reads are noted.
 * A rule that cannot be evaluated does not hold, and says why.
 *
 * @example
 * const r = runCheck(check, candidate, ctx); if (!r.pass) exclude(candidate, 'eligibility', check.name, r.reason);
 */
export function runCheck(check: Check, c: Candidate, ctx: StageContext): CheckResult {
  for (const f of check.facts) ctx.facts.add(f);
  if (check.subjectOnly) {
    const memo = (ctx.subjectRules ??= new Map());
    let r = memo.get(check.run);
    if (!r) memo.set(check.run, (r = testRule(check.run, ctx.vars)));
    return r.pass ? PASS : failed(check, r.error);
  }
  const k = actionClass(check, c.action.celVar);
  if (k === undefined) return evaluateFor(check, c, ctx);
  const memo = (ctx.actionRules ??= new Map());
  let byClass = memo.get(check);
  if (!byClass) memo.set(check, (byClass = new Array<CheckResult>(check.byAction?.keys.size ?? 0)));
  return (byClass[k] ??= evaluateFor(check, c, ctx));
}

/** What runCheck answers: whether the rule holds, and if not, the sentence why. */
export type CheckResult = { readonly pass: boolean; readonly reason: string; readonly error?: string };

function evaluateFor(check: Check, c: Candidate, ctx: StageContext): CheckResult {
  ctx.vars.action = c.action.celVar;
  // The hot path: a rule that gives true passes and one that gives false fails, each without
  // allocating; an error (a missing field: CEL throws) is explained from the error caught, without
  // evaluating the rule — and throwing — a second time.
  let v: unknown;
  try {
    v = check.run(ctx.vars);
  } catch (err) {
    return failed(check, ruleError(err));
  }
  if (v === true) return PASS;
  if (v === false) return check.fails;
  const r = conditionOf(v);
  return r.pass ? PASS : failed(check, r.error);
}

const failed = (check: Check, error: string | undefined): CheckResult => (error ? { pass: false, reason: `the rule \`${check.name}\` could not be evaluated (${error}), so it does not hold`, error } : check.fails);

/**
 * Notes a rule `r` says could not be evaluated, where nothing excluded says so (a lever, a human
 * territory entry): the decision's operator sentence names it and why (explanation.ts). The first
 * error of each rule in a decision is kept.
 *
 * @example
 * noteRuleError(ctx, 'lever', l.when, runCheck(l.when, c, ctx), 'did not apply');
 * // ctx.ruleErrors: 'The lever `gold boost` could not be evaluated (No such key: tier), so it did not apply.'
 */
export function noteRuleError(ctx: StageContext, what: string, check: Check, r: CheckResult, so: string): void {
  if (r.error === undefined) return;
  const key = `${what}\u0000${check.name}`;
  if (!ctx.ruleErrors?.has(key)) (ctx.ruleErrors ??= new Map()).set(key, `The ${what} \`${check.name}\` could not be evaluated (${r.error}), so it ${so}.`);
}

const PASS = { pass: true, reason: '' } as const;

/** Runs a list of rules in order; the first that does not hold excludes the candidate. @example runChecks('suitability', c.rules.suitability, c, ctx) */
export function runChecks(stage: StageName, checks: readonly Check[], c: Candidate, ctx: StageContext): void {
  for (const check of checks) {
    const r = runCheck(check, c, ctx);
    if (!r.pass) {
      // A rule that does not hold gives every candidate it excludes the same verdict.
      if (r === check.fails) c.out = check.verdicts[stage] ??= Object.freeze({ stage, rule: check.name, reason: check.reason });
      else exclude(c, stage, check.name, r.reason);
      return;
    }
  }
}
