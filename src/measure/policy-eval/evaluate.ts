import type { DocumentStore } from '../../config/document-store.js';
import type { DecisionRecord } from '../../decide/decision.js';
import { playbookFor, type Playbook } from '../../decide/playbook.js';
import { TactError, validationError } from '../../errors/tact-error.js';
import { closestWord } from '../../errors/edit-distance.js';
import { nameNotFound } from '../../errors/not-found.js';
import { checkWindow, throughNow } from '../experiments-service/compare.js';
import { PolicyVersions } from '../experiments-service/router.js';
import type { MeasureStore } from '../measure-store.js';
import { fitSmoothedMeans, predictSmoothed } from '../ope/smoothed-means.js';
import { droppedWarning, opeReport, type OpeReport } from '../ope/report.js';
import type { OpeWarning } from '../ope/diagnostics.js';
import { checkCandidate, withCandidate, type PolicyCandidate } from './candidate.js';
import { refitIntervals } from './model-bootstrap.js';
import { rewardModelWarning } from './reward-model-check.js';
import { candidateModel, type CandidateModel } from './model-candidate.js';
import type { ModelStore } from '../../models/registry/model-store.js';
import { catalogVersions } from './logged-catalog.js';
import { NONE, loggedRates, replayFirstRank, shownDistribution, variantShare } from './replay-choice.js';
import { timeFeaturesAt } from '../../decide/replay.js';

const PAGE = 1000;

/** What to evaluate, on which part of the log. */
export interface EvaluatePolicyRequest {
  candidate: PolicyCandidate;
  placement: string;
  from?: number;
  to?: number;
  /** Bootstrap replicates (default 500) and seed (default 1). */
  replicates?: number;
  seed?: number;
  /** At most this many logged decisions (newest are read last; default 200,000). */
  limit?: number;
  /** Also report clipped IPS with every weight capped at this value, beside IPS (`report.clippedIps`). */
  clip?: number;
  /**
   * The time the outcomes are read at (default: the clock, Date.now()): a decision whose attribution
   * window is still open at it is left out (`skipped`), not counted as earning nothing.
   */
  now?: number;
}

/** The report: what was read, what was skipped and why, the logged value, and the OPE report. */
export interface PolicyEvaluation {
  placement: string;
  candidate: PolicyCandidate;
  read: number;
  /** Logged decisions that cannot be evaluated, by reason. */
  skipped: Record<string, number>;
  /** Mean reward of the logged decisions evaluated (the logging policy's own value). */
  loggedValue: number | null;
  /** Logged decisions whose first-rank propensity the replay did not reproduce (left out; should be 0). */
  replayMismatches: number;
  /**
   * Candidates admitted by the candidate's rules that the log never scored: kept in the candidate's
   * distribution at the lowest score (ε/K each, a lower bound) and counted as probability without support.
   */
  unscoredCandidates: number;
  report: OpeReport;
  warnings: OpeWarning[];
}

/**
 * Off-policy evaluation on the decision log: for every logged decision at the placement, the
 * candidate's probability of the logged first choice (replaying the decision under the candidate
 * from its facts and logged estimates), its reward under the value function (the outcomes
 * credited to it), then IPS, SNIPS, DM and DR with bootstrap intervals and the diagnostics.
 * The direct method's reward model is each option's smoothed mean logged reward.
 *
 * @example
 * const r = await evaluatePolicy(store.measure, store.documents, { placement: 'home', candidate: { exploration: 0.1 } });
 * r.report.estimates.snips; // { value, ci, sd } — or null with r.warnings saying why
 */
export async function evaluatePolicy(store: MeasureStore, documents: DocumentStore, req: EvaluatePolicyRequest, onProgress?: (read: number, lastAt: number) => void, models?: Pick<ModelStore, 'live' | 'getVersion'>): Promise<PolicyEvaluation> {
  const problems = checkCandidate(req.candidate);
  if (problems.length) throw validationError(problems);
  checkWindow(req, req.to ?? throughNow());
  if (req.candidate.model && !models) throw validationError([{ field: 'candidate.model', message: 'This evaluation has no access to the model registry, so it cannot pin a model.' }]);
  const model: CandidateModel | undefined = req.candidate.model && models ? await candidateModel(models, req.candidate.model) : undefined;
  const policies = new PolicyVersions(documents);
  // Which kept feature values are times, by the features version in force at each decision.
  const timesAt = await timeFeaturesAt(documents);
  const catalogAt = catalogVersions(documents);
  const plays = new Map<string, Playbook>();
  const pinned = req.candidate.policy !== undefined ? await pinnedPolicy(documents, policies, req.candidate.policy) : undefined;
  const now = req.now ?? Date.now();
  // The lever names of the policies the candidate changes: the pinned version, or each logged decision's.
  const leverNames = new Set(pinned?.levers.map((l) => l.name));
  const playsFor = async (d: DecisionRecord): Promise<{ logged: Playbook; target: Playbook }> => {
    const key = `${d.catalogVersion}|${d.policyVersion}`;
    let logged = plays.get(`l|${key}`);
    let target = plays.get(`t|${key}`);
    if (!logged || !target) {
      const catalog = await catalogAt(d.catalogVersion);
      const policy = await policies.get(d.policyVersion);
      logged = playbookFor(catalog, policy, d.catalogVersion, d.policyVersion);
      target = playbookFor(catalog, withCandidate(pinned ?? policy, req.candidate), d.catalogVersion, req.candidate.policy ?? d.policyVersion);
      plays.set(`l|${key}`, logged).set(`t|${key}`, target);
    }
    return { logged, target };
  };

  const rows: { reward: number; logged: number; target: number; option: string; targetDist: Map<string, number>; loggedDist: Map<string, number> }[] = [];
  const skipped: Record<string, number> = {};
  const skip = (why: string) => (skipped[why] = (skipped[why] ?? 0) + 1);
  let read = 0;
  const versions = new Set<number>();
  let mismatches = 0;
  let unscored = 0;
  let pending = 0;
  let lastPending = -Infinity;
  const limit = req.limit ?? 200_000;
  let after: { at: number; id: string } | undefined;
  while (read < limit) {
    const page = await store.decisionsPage({ placement: req.placement, from: req.from, to: req.to, after, limit: Math.min(PAGE, limit - read) });
    if (!page.length) break;
    read += page.length;
    after = { at: page[page.length - 1].at, id: page[page.length - 1].id };
    for (const d of page) versions.add(d.policyVersion);
    const usable: { d: DecisionRecord; row: (typeof rows)[number] }[] = [];
    for (const d of page) {
      const c = d.choices[0];
      if (d.arm === 'holdout') skip('global holdout (never personalized)');
      else if (!c || c.kind === 'handoff') skip('handed to a person');
      else if (!(c.propensity > 0)) skip('no propensity logged');
      else if (d.bandit) skip('chosen by a bandit (its draw cannot be replayed under a candidate)');
      else {
        const { logged, target } = await playsFor(d);
        // Outcomes still to come would read as no reward and pull every estimate down: leave the decision out until its window closes.
        const shown = c.kind === 'action' ? logged.catalog.actions.get(c.action as string)?.attributionMs : undefined;
        if (d.at + (shown ?? logged.policy.attributionMs) > now) {
          pending++;
          lastPending = Math.max(lastPending, d.at);
          skip(PENDING);
          continue;
        }
        const times = timesAt(d.at);
        const rates = loggedRates(d, logged, times);
        const l = replayFirstRank(d, logged, rates, undefined, false, times);
        const t = replayFirstRank(d, target, rates, model, true, times);
        unscored += t.unscored;
        // The option is what the customer saw — a held action's stand-in, not the held action — and
        // its probabilities are of being shown: the sum over every pick that leads to it.
        const option = c.kind === 'action' ? (c.action as string) : NONE;
        const safe = logged.catalog.placements.get(d.placement)?.safeDefault;
        const lShown = shownDistribution(l.distribution, d, safe);
        const tShown = shownDistribution(t.distribution, d, target.catalog.placements.get(d.placement)?.safeDefault);
        const lp = lShown.get(option) ?? 0;
        const lPick = l.distribution.get(c.held ? c.held.action : option) ?? 0;
        // The variant's probability: 1/V when drawn, 1 when an experiment pinned it (the replay tells which).
        const share = [variantShare(c, logged.catalog), 1].find((v) => near(lPick * v, c.propensity) && (c.exposurePropensity === undefined || near(lp * v, c.exposurePropensity)));
        if (share === undefined) {
          // The replay does not reproduce how this decision was made (e.g. uplift scoring): leave it out rather than guess.
          mismatches++;
          skip('the replay did not reproduce its logged propensity');
          continue;
        }
        // The replay reproduced the pick, so its exposure is the logged one (and gives it for decisions logged without one).
        // Both policies draw the variant the same way, so the variant's probability cancels in the weight.
        usable.push({ d, row: { reward: 0, logged: lp * share, target: (tShown.get(option) ?? 0) * share, option, targetDist: tShown, loggedDist: lShown } });
      }
    }
    const rewardOf = new Map<string, number>();
    const firstAction = new Map(usable.map((u) => [u.d.id, u.row.option]));
    for (const o of await store.outcomesOfDecisions(usable.map((u) => u.d.id))) {
      // Only the first choice is replayed, so only what it earned counts (a multi-slot answer's other ranks are not evaluated).
      if (o.action !== null && o.action !== firstAction.get(o.decisionId!)) continue;
      rewardOf.set(o.decisionId!, (rewardOf.get(o.decisionId!) ?? 0) + o.reward);
    }
    for (const u of usable) rows.push({ ...u.row, reward: rewardOf.get(u.d.id) ?? 0 });
    onProgress?.(read, after.at);
    if (page.length < PAGE) break;
  }
  if (read === 0) await checkPlacement(documents, req.placement);
  if (!pinned && req.candidate.levers) {
    // Every policy version of the decisions read (replayed or not), or the one in force on an empty log.
    const bases = read ? [...versions].map((v) => policies.get(v).catch(() => undefined)) : [latestPolicy(documents, policies)];
    for (const p of await Promise.all(bases)) for (const l of p?.levers ?? []) leverNames.add(l.name);
  }
  checkLevers(req.candidate, leverNames);
  return finish(req, rows, { read, skipped, mismatches, unscored, pending, lastPending });
}

/** Why a decision whose attribution window is still open is left out (a key of `skipped`). */
const PENDING = 'its attribution window is still open (outcomes may still come)';

/**
 * The pinned candidate policy version, or a 404 naming `candidate.policy`, the versions stored, and
 * (as nameNotFound does for names) the one meant: for a number, the nearest stored version.
 */
async function pinnedPolicy(documents: DocumentStore, policies: PolicyVersions, version: number) {
  if (!(await documents.get('policy', version))) {
    const stored = (await documents.history('policy', 10_000)).map((d) => d.version).sort((a, b) => a - b);
    const what = 'policy version (`candidate.policy`)';
    if (!stored.length) throw nameNotFound({ one: what, many: 'policy versions' }, String(version), []);
    const nearest = String(stored.reduce((best, v) => (Math.abs(v - version) < Math.abs(best - version) ? v : best)));
    const known = `The policy versions are ${stored.length > 20 ? `${stored[0]} to ${stored.at(-1)}` : stored.join(', ')}.`;
    throw new TactError('unknown_name', { what, id: String(version), suggestion: nearest, known }, { extra: { suggestion: nearest } });
  }
  return policies.get(version);
}

/**
 * A placement with no logged decision must be one of the catalog in force: else it is a typo, and the
 * answer would be a report of nothing (a placement since removed from the catalog keeps its log).
 */
async function checkPlacement(documents: DocumentStore, placement: string): Promise<void> {
  const latest = await documents.latest('catalog');
  const placements = latest ? (await catalogVersions(documents)(latest.version)).placements : new Map();
  if (placements.has(placement)) return;
  const near = closestWord(placement, placements.keys());
  throw validationError([{ field: 'placement', message: `No decision was logged at the placement \`${placement}\`, and the catalog has no such placement${near ? ` (did you mean \`${near}\`?)` : ''}.` }]);
}

async function latestPolicy(documents: DocumentStore, policies: PolicyVersions) {
  const latest = await documents.latest('policy');
  return latest ? policies.get(latest.version) : undefined;
}

/**
 * A lever the candidate sets must be one of the policies it changes (the pinned version, or those the
 * logged decisions were made under): an unknown name changes nothing, and the report would be the
 * logging policy's own value under the candidate's name.
 */
function checkLevers(candidate: PolicyCandidate, known: ReadonlySet<string>): void {
  const problems = Object.keys(candidate.levers ?? {}).filter((name) => !known.has(name)).map((name) => {
    const near = closestWord(name, known);
    const has = known.size ? `its levers are ${[...known].map((k) => `\`${k}\``).join(', ')}` : 'it has no levers';
    return { field: `candidate.levers.${name}`, message: `The policy the candidate changes has no lever \`${name}\`${near ? ` (did you mean \`${near}\`?)` : ''}; ${has}.` };
  });
  if (problems.length) throw validationError(problems);
}

const near = (a: number, b: number) => Math.abs(a - b) <= 1e-9;

/**
 * The `candidate-unchanged` caution: the candidate chose exactly as the logger did — the same
 * probability for every option — in every decision read, so each estimate is the logging policy's
 * own value under the candidate's name. It happens with a `model` whose estimates are never
 * established under the policy the decisions were made with (each falls back to the logged rate:
 * QA 2026-12-06, `uplift@1` with intervals 0.1–0.15 wide under an `establishedWidth` of 0.05), or
 * settings equal to the logger's. Said, not refused: that the candidate changes nothing is itself
 * the finding.
 */
function unchangedWarning(req: EvaluatePolicyRequest, rows: readonly { targetDist: Map<string, number>; loggedDist: Map<string, number> }[]): OpeWarning | undefined {
  if (!rows.length) return undefined;
  const same = (a: Map<string, number>, b: Map<string, number>) => [...new Set([...a.keys(), ...b.keys()])].every((o) => near(a.get(o) ?? 0, b.get(o) ?? 0));
  if (!rows.every((r) => same(r.targetDist, r.loggedDist))) return undefined;
  const model = req.candidate.model ? ` Its model \`${req.candidate.model}\` changed no choice: a model's estimate is used only once established under the policy (its interval no wider than the policy's \`establishedWidth\`), and a learning one falls back to the logged rate — try it with a \`policy\` whose width it meets, or train it on more data.` : '';
  return {
    code: 'candidate-unchanged' as OpeWarning['code'],
    severity: 'caution',
    message: `The candidate chooses exactly as the logged decisions did — the same probability for every option — in all ${rows.length} decisions read, so every estimate here is the logging policy's own value under the candidate's name.${model}`,
    details: { n: rows.length },
  };
}

function finish(req: EvaluatePolicyRequest, rows: { reward: number; logged: number; target: number; option: string; targetDist: Map<string, number>; loggedDist: Map<string, number> }[], s: { read: number; skipped: Record<string, number>; mismatches: number; unscored: number; pending: number; lastPending: number }): PolicyEvaluation {
  const options = [...new Set(rows.flatMap((r) => [...r.targetDist.keys(), ...r.loggedDist.keys()]))];
  const index = new Map(options.map((o, i) => [o, i]));
  const n = rows.length;
  const k = Math.max(1, options.length);
  const action = Int32Array.from(rows, (r) => index.get(r.option) ?? 0);
  const reward = Float64Array.from(rows, (r) => r.reward);
  const model = fitSmoothedMeans(reward, action, new Int32Array(n), k, 1);
  const targetDistribution = new Float64Array(n * k);
  const loggedDistribution = new Float64Array(n * k);
  const rewardPrediction = new Float64Array(n * k);
  rows.forEach((r, i) => {
    for (const [o, p] of r.targetDist) targetDistribution[i * k + index.get(o)!] = p;
    for (const [o, p] of r.loggedDist) loggedDistribution[i * k + index.get(o)!] = p;
    for (let a = 0; a < k; a++) rewardPrediction[i * k + a] = predictSmoothed(model, a, 0);
  });
  const report = opeReport(
    { reward, loggedPropensity: Float64Array.from(rows, (r) => r.logged), targetProbability: Float64Array.from(rows, (r) => r.target), nActions: k, action, targetDistribution, rewardPrediction, loggedDistribution },
    { seed: req.seed ?? 1, replicates: req.replicates ?? 500, clip: req.clip },
  );
  // With nothing evaluated, the only thing to say is why (not an effective sample size of 0).
  const warnings = n === 0 ? [noDecisions(req, s)] : [...report.warnings];
  if (s.pending > 0) warnings.push(pendingWarning(s.pending, s.lastPending, n));
  const unchanged = unchangedWarning(req, rows);
  if (unchanged) warnings.push(unchanged);
  if (n > 0 && report.diagnostics.candidateDeterministic) {
    warnings.unshift({
      code: 'candidate-deterministic' as OpeWarning['code'],
      severity: 'block',
      message: 'The candidate never explores: it puts probability 1 on one choice in every logged decision. A policy that never explores cannot learn and its value rests only on the decisions where the logger happened to agree with it, so no estimate is given; evaluate it with an exploration budget (e.g. "exploration": 0.05).',
      details: { n },
    });
  }
  const blocked = warnings.some((w) => w.severity === 'block');
  // Resamples without a value are recounted below from the intervals kept; nothing is clipped when blocked.
  for (const code of ['dropped-replicates', ...(blocked ? ['clipped-weights'] : [])]) {
    const stale = warnings.findIndex((w) => w.code === code);
    if (stale >= 0) warnings.splice(stale, 1);
  }
  const estimates = blocked ? { ips: null, snips: null, dm: null, dr: null, sndr: null } : { ...report.estimates };
  if (!blocked && n > 0) {
    const weight = Float64Array.from(rows, (r) => r.target / r.logged);
    const refit = refitIntervals({ n, k, action, reward, weight, targetDistribution }, { seed: req.seed ?? 1, replicates: req.replicates ?? 500 });
    for (const name of ['dm', 'dr', 'sndr'] as const) {
      const e = estimates[name];
      if (e) estimates[name] = { value: e.value, ci: refit[name].ci, sd: refit[name].sd, dropped: refit[name].dropped };
    }
    const dropped = droppedWarning(estimates, req.replicates ?? 500);
    if (dropped) warnings.push(dropped);
    // DM against the estimates that need no reward model (with the refitted DM interval).
    const disagrees = rewardModelWarning(estimates);
    if (disagrees) warnings.push(disagrees);
  }
  return {
    placement: req.placement,
    candidate: req.candidate,
    read: s.read,
    skipped: s.skipped,
    loggedValue: n ? reward.reduce((a, b) => a + b, 0) / n : null,
    replayMismatches: s.mismatches,
    unscoredCandidates: s.unscored,
    report: { ...report, estimates, blocked, warnings, clippedIps: blocked ? null : report.clippedIps },
    warnings,
  };
}

/** The block when no logged decision could be evaluated: none in the window, or every one left out (by `skipped`'s reasons). */
function noDecisions(req: EvaluatePolicyRequest, s: { read: number; skipped: Record<string, number> }): OpeWarning {
  const iso = (t: number | undefined) => (t === undefined ? undefined : new Date(t).toISOString());
  const window = req.from !== undefined || req.to !== undefined ? ` from ${iso(req.from) ?? 'the start of the log'} to ${iso(req.to) ?? 'now'}` : '';
  const why = Object.entries(s.skipped).map(([reason, k]) => `${k}: ${reason}`).join('; ');
  return {
    code: 'no-decisions',
    severity: 'block',
    message: s.read === 0
      ? `No decision at \`${req.placement}\` was logged${window}: there is nothing to estimate from. Widen the window (\`from\`, \`to\`).`
      : `No decision at \`${req.placement}\`${window} could be evaluated: all ${s.read} read were left out (${why}).`,
    details: { read: s.read },
  };
}

/** The caution for decisions left out because their attribution window had not closed when the outcomes were read. */
function pendingWarning(pending: number, last: number, n: number): OpeWarning {
  return {
    code: 'pending-rewards',
    severity: 'caution',
    message: `${pending} logged decisions (the latest at ${new Date(last).toISOString()}) were left out because their attribution window is still open: their outcomes may still come, and counted now they would read as earning nothing. The estimates are of the ${n} decisions whose window has closed; evaluate again later to include them.`,
    details: { pending },
  };
}
