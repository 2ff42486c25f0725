import type { DecisionRecord, Factor, ScoreTrace } from './decision.js';
import type { OutcomeRecord } from './records.js';
import { openWords, statusWords } from '../learn/estimate.js';

const iso = (t: number) => new Date(t).toISOString();
/**
 * A computed number as answered: 12 significant digits, so 0.1 + 0.2 reads 0.3, not
 * 0.30000000000000004 (a double's last digits are rounding noise). The log keeps a choice's score
 * as computed and a candidate's score and estimate to 6 significant digits (explanation.ts
 * `significant`), answered as kept; propensities are answered exact.
 */
const shown = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(12)) : x);
const pct = (x: number) => `${Number((x * 100).toPrecision(3))}%`;

/**
 * A scored candidate's estimate, as every estimate is shown (undefined when the log kept only its
 * score): its interval is at the level of the decision's policy. `updatedAt` is when its evidence
 * last changed as of the decision: a bandit's action's last outcome (logged since 2026-12-05), the
 * newest decision or outcome in the ladder's counts (since 2026-12-07); null for decisions logged
 * before, and for counts whose log rows retention removed before they were dated. `reason` says why
 * it is learning when the estimate said (a bandit's `extrapolated`).
 */
function estimateOf(t: ScoreTrace, d: DecisionRecord, level: number): Record<string, unknown> | undefined {
  if (t.p === undefined) return undefined;
  return { value: t.p, low: t.lo, high: t.hi, level, evidence: t.n, source: t.rung, status: t.learning ? 'learning' : 'established', ...(t.why ? { reason: t.why } : {}), ...(t.open ? { open: { choices: t.open.n, ...(t.open.w !== undefined ? { exposure: t.open.w } : {}) } } : {}), modelVersion: d.modelVersion, updatedAt: t.at !== undefined ? iso(t.at) : null };
}

/**
 * Uplift scoring: the uplift over "none" the score used, as every estimate is shown — the model's
 * figure for this subject's facts (source `population`: one model for everyone), at the policy's
 * level, dated by the end of the model's data window (null for decisions logged before 2026-12-07).
 * Only an established uplift is used (else the rate, and `fallback` says why).
 */
function upliftOf(t: ScoreTrace, level: number): Record<string, unknown> | undefined {
  const u = t.uplift;
  if (!u) return undefined;
  return { value: shown(u.p), low: shown(u.lo), high: shown(u.hi), level, evidence: u.n, source: 'population', status: 'established', modelVersion: u.model, updatedAt: u.at !== undefined ? iso(u.at) : null };
}

/** A learning estimate's words, as the choice's sentence says them (explanation.ts). */
const traceWords = (t: ScoreTrace) => statusWords(t.learning ? 'learning' : 'established', t.why);

/** A scored candidate's terms: estimate (or uplift over "none") × value × levers − contact cost. */
function factorsOf(t: ScoreTrace): Factor[] | undefined {
  if (t.p === undefined) return undefined;
  const u = t.uplift;
  return [
    u
      ? { name: 'uplift', value: u.p, detail: `${pct(u.p)} over doing nothing (${pct(u.lo)} to ${pct(u.hi)}, n=${u.n}, ${u.model})` }
      : { name: 'estimate', value: t.p, detail: `${pct(t.p)} (${pct(t.lo ?? 0)} to ${pct(t.hi ?? 0)}, n=${t.n}${openWords(t.open && { choices: t.open.n, exposure: t.open.w })}, ${t.rung}, ${traceWords(t)})${t.fallback ? `; uplift not used: ${t.fallback}` : ''}` },
    { name: 'value', value: t.value ?? 1 },
    ...(t.levers ?? []).map(([name, w]) => ({ name: `lever: ${name}`, value: w })),
    ...(t.cost ? [{ name: 'contact cost', value: -t.cost }] : []),
  ];
}

/** Who approved a high-stakes candidate and when, as the API shows it. */
const approvalOf = (a: NonNullable<ScoreTrace['approval']>) => ({ reviewId: a.review, reviewer: a.by, at: a.at === null ? null : iso(a.at) });

/** Every candidate with its verdict spelled out: the scored ones best first, then the excluded ones. */
function candidatesOf(d: DecisionRecord, level: number): Record<string, unknown>[] {
  return [
    ...d.scored.map((t) => ({ action: t.action, status: 'scored', score: t.score, ...(t.p !== undefined ? { estimate: estimateOf(t, d, level), ...(t.uplift ? { uplift: upliftOf(t, level) } : {}), factors: factorsOf(t) } : {}), ...(t.review ? { review: t.review } : {}), ...(t.approval ? { approval: approvalOf(t.approval) } : {}) })),
    ...d.excluded.flatMap((g) => g.actions.map((action) => ({ action, status: 'excluded', stage: g.stage, rule: g.rule, reason: g.reason }))),
  ];
}

/**
 * A decision as the API shows it. `full` adds every candidate's trace and the fact values;
 * `public` (a browser asking with the write key) keeps only what the customer may read. `level`
 * is the interval level of the decision's policy (`estimates.level` of version `policyVersion`),
 * which the log does not repeat in each decision.
 *
 * @example
 * decisionView(record, { full: false, public: false, level: 0.9 }).choices[0].explanation; // "“Win-back offer” scored 1.47 = …"
 */
export function decisionView(d: DecisionRecord, o: { full: boolean; public: boolean; level: number }, outcomes?: OutcomeRecord[]): Record<string, unknown> {
  // Built by assignment, not by spreading one object into another: on Node 20, objects made by
  // `{ ...base, more }` outlived young-generation collections (a loop that built and dropped them
  // kept ~27% of what it allocated alive through each one), and an answer's view was half of
  // what each collection promoted at 1,000 decisions/s (docs/benchmarks.md, decide).
  const traceOf = (action: string | undefined) => (action ? d.scored.find((c) => c.action === action) : undefined);
  const choices = d.choices.map((c) => {
    const v: Record<string, unknown> = { rank: c.rank, kind: c.kind };
    if (c.action) v.action = c.action;
    if (c.variant) {
      v.variant = c.variant;
      v.content = c.content ?? {};
    }
    if (c.item) v.item = c.item;
    // The queue a customer was handed to is the operator's business (its name may say why).
    if (o.public) return v;
    if (c.queue) v.queue = c.queue;
    v.score = shown(c.score);
    v.propensity = c.propensity;
    if (c.exposurePropensity !== undefined) v.exposurePropensity = c.exposurePropensity;
    if (c.held) v.held = c.held;
    if (c.propensityError !== undefined) v.propensityError = c.propensityError;
    v.explanation = c.why;
    const t = traceOf(c.action);
    if (t && t.p !== undefined) {
      v.estimate = estimateOf(t, d, o.level);
      if (t.uplift) v.uplift = upliftOf(t, o.level);
      v.factors = factorsOf(t);
    }
    if (c.estimate) {
      const e = Object.assign({}, c.estimate);
      e.value = shown(e.value);
      e.low = shown(e.low);
      e.high = shown(e.high);
      v.estimate = e;
    }
    return v;
  });
  const view: Record<string, unknown> = { decisionId: d.id, at: iso(d.at), placement: d.placement, channel: d.channel };
  if (o.public) {
    view.choices = choices;
    view.explanation = { customer: d.customer };
    return view;
  }
  view.subject = { identifier: d.subject, profileId: d.profileKey.startsWith('anon:') ? null : d.profileKey };
  view.arm = d.arm;
  view.choices = choices;
  const explanation: Record<string, unknown> = {
    operator: d.operator,
    customer: d.customer,
    policyVersion: d.policyVersion,
    catalogVersion: d.catalogVersion,
    modelVersion: d.modelVersion,
    experiment: { ...(d.experiment ? { id: d.experiment.id, arm: d.experiment.arm } : { arm: d.arm }), ...(d.unit !== undefined ? { unit: d.unit } : {}) },
  };
  if (d.segment !== undefined) explanation.ladder = { segment: d.segment, microSegment: d.microSegment ?? null, microSegmentModel: d.microSegmentModel ?? null };
  explanation.excludedByStage = d.excludedByStage;
  if (d.handoff) explanation.handoff = d.handoff;
  if (o.full) {
    explanation.candidates = candidatesOf(d, o.level);
    explanation.facts = d.facts;
    explanation.absentFacts = d.absentFacts;
    explanation.context = d.context;
  }
  view.explanation = explanation;
  if (outcomes) view.outcomes = outcomes.map(outcomeView);
  return view;
}

/**
 * An outcome record as answered: its times as ISO-8601 (`recordedAt` only when stored: since 2026-12-07).
 *
 * @example outcomeView({ ...record, at: 0, recordedAt: 86_400_000 }).recordedAt // '1970-01-02T00:00:00.000Z'
 */
export function outcomeView(x: Omit<OutcomeRecord, 'profileKey'>): Record<string, unknown> {
  return { ...x, at: iso(x.at), ...(x.recordedAt !== undefined ? { recordedAt: iso(x.recordedAt) } : {}) };
}
