import { TRACE_DETAIL, type Choice, type ExclusionTrace, type ScoreTrace, type StageName } from '../decision.js';
import type { PipelineResult } from '../pipeline.js';
import type { Pick } from './selection.js';
import { contactLimits, type ContactLimit } from './contact-policy.js';
import type { Candidate, StageContext } from './types.js';
import { openWords, statusWords } from '../../learn/estimate.js';
import { andList } from '../../errors/words.js';

const num = (x: number) => String(Number(x.toPrecision(3)));
// The score's terms as configured (a value of 2499.5 read "2500", so the sentence's arithmetic missed the score).
const exact = (x: number) => String(Number(x.toPrecision(6)));
const pct = (x: number) => `${Number((x * 100).toPrecision(3))}%`;
const nameOf = (ctx: StageContext, id: string | undefined) => (id ? `"${ctx.placement.candidates.find((a) => a.id === id)?.def.name ?? id}"` : '"none"');

/**
 * The arithmetic of a candidate's score, in words.
 *
 * @example
 * scoreWords(c); // "4.1% conversion rate (population, established, n=412) × value 40 × 1.2 (spring push) − contact cost 0.5"
 * // with choices still inside their windows: "… (population, established, n=412, 190 inside their windows, weighed as 57.3 by the delay learned) × …"
 */
export function scoreWords(c: Candidate): string {
  const e = c.estimate;
  if (!e) return 'not scored';
  const parts = [`${pct(e.value)} ${c.action.goal} rate (${e.source}, ${statusWords(e.status, e.reason)}, n=${e.evidence}${openWords(e.open, false)})`, `value ${exact(c.action.value)}`];
  const u = c.uplift;
  if (u && !c.upliftFallback) parts[0] = `${u.value >= 0 ? '+' : ''}${pct(u.value)} ${c.action.goal} uplift over "none" (${Math.round(u.level * 100)}% ${pct(u.low)} to ${pct(u.high)}, n=${u.evidence}, ${u.modelVersion})`;
  if (c.upliftFallback) parts[0] += ` [scored on the rate, not the uplift: ${c.upliftFallback}]`;
  for (const [name, w] of c.levers ?? []) parts.push(`${exact(w)} (${name})`);
  return `${parts.join(' × ')}${c.action.contactCost ? ` - contact cost ${exact(c.action.contactCost)}` : ''}`;
}

/**
 * One operator sentence for one choice of the answer.
 *
 * @example
 * choiceWhy(choice, pick, ctx, candidates, choices);
 */
export function choiceWhy(choice: Choice, pick: Pick | undefined, ctx: StageContext, candidates: readonly Candidate[], choices: readonly Choice[] = []): string {
  if (choice.held) {
    const instead = choice.kind === 'action' ? `the placement's safe default ${nameOf(ctx, choice.action)}` : `nothing in its place (${noStandIn(ctx, choice, choices)})`;
    const held = `${nameOf(ctx, choice.held.action)} is high-stakes and waits for a person's review (${choice.held.reviewId}); meanwhile the subject gets ${instead}.`;
    // Exploration may pick it over a better option: the reviewer should not read it as the winner. The
    // pick's own probability (the choice's also counts the safe default's content variant).
    if (!pick || pick.greedy) return held;
    return `${held} Exploration picked ${nameOf(ctx, choice.held.action)} with probability ${pct(pick.propensity)}; the best-scoring option was ${pick.best ? nameOf(ctx, pick.best.action.id) : '"none"'} (${num(pick.bestScore)}).`;
  }
  let s: string;
  if (choice.kind === 'none') {
    // The ranks above took their actions: "none" is weighed against what was left.
    const above = choices.filter((c) => c.rank < choice.rank);
    const best = bestAction(candidates, above);
    if (pick && !pick.greedy) s = `Doing nothing (score ${num(ctx.policy.noneScore)}).`;
    // A greedy "none" below a better action not taken: the caps and budgets had no room for it with the ranks above (contactRoom).
    else if (best && above.length && (best.score ?? 0) > ctx.policy.noneScore) s = noRoomWhy(ctx, candidates, above);
    else if (best) s = `Doing nothing (score ${num(ctx.policy.noneScore)}) was worth at least as much as the best admitted action, ${nameOf(ctx, best.action.id)} at ${num(best.score ?? 0)} = ${scoreWords(best)}.`;
    else if (above.length) s = 'No other action passed the rules, so the list ends here.';
    else s = candidates.length ? 'No action passed the rules, so the answer is to do nothing.' : noCandidates(ctx);
  } else {
    const c = pick?.candidate;
    s = `${nameOf(ctx, choice.action)} scored ${num(choice.score)} = ${c ? scoreWords(c) : ''}${c?.review === 'approved' ? `; a person approved it for this subject${approvalWords(c.hold)}` : ''}.`;
  }
  if (pick && !pick.greedy) s += ` Chosen by exploration with probability ${pct(choice.propensity)}; the best-scoring option was ${pick.best ? nameOf(ctx, pick.best.action.id) : '"none"'} (${num(pick.bestScore)}).`;
  return s;
}

/**
 * Who approved a delivered high-stakes action and when, as the review records them (until
 * 2026-12-06 the sentence said only that "a person" had: QA).
 *
 * @example
 * approvalWords(hold); // ' (kim, at 2026-12-06T09:30:00.000Z; review 01J…)'
 */
function approvalWords(h: Candidate['hold']): string {
  if (!h) return '';
  const at = h.decidedAt === null ? '' : `, at ${new Date(h.decidedAt).toISOString()}`;
  return ` (${h.reviewer ?? 'reviewer not recorded'}${at}; review ${h.id})`;
}

/**
 * Why a held action below rank 1 has nothing in its place: the safe default is "none", is already
 * shown at a rank above (it stands in once; until 2026-12-05 the sentence said it was "none" or not
 * admitted even then), or is not admitted here (excluded, high-stakes itself, or without room
 * under a cap or budget with the ranks above — pipeline.ts, standIn).
 *
 * @example
 * noStandIn(ctx, choice, choices); // 'the safe default "Newsletter" is already shown above, at rank 1'
 */
function noStandIn(ctx: StageContext, choice: Choice, choices: readonly Choice[]): string {
  const safe = ctx.placement.safeDefault;
  if (safe === 'none') return 'the safe default is "none"';
  const above = choices.find((c) => c.rank < choice.rank && c.kind === 'action' && c.action === safe);
  if (above) return `the safe default ${nameOf(ctx, safe)} is already shown above, at rank ${above.rank}`;
  return `the safe default ${nameOf(ctx, safe)} is not admitted here`;
}

/**
 * Why a placement has no candidate action at all: the catalog's actions compete only on the
 * placement's channel, narrowed by its `actions` list and its `topics` (catalog-compile.ts).
 *
 * @example
 * noCandidates(ctx); // 'No action can be shown here: none of the catalog\'s actions is on this placement\'s channel (push), so the answer is to do nothing.'
 */
function noCandidates(ctx: StageContext): string {
  const p = ctx.placement.def;
  const narrowed = [p.actions ? `in its \`actions\` list (${p.actions.join(', ')})` : '', p.topics ? `with one of its topics (${p.topics.join(', ')})` : ''].filter((x) => !!x).join(' ');
  return `No action can be shown here: none of the catalog's actions is on this placement's channel (${ctx.placement.channel})${narrowed ? ` ${narrowed}` : ''}, so the answer is to do nothing.`;
}

/**
 * Why a greedy "none" comes below ranks that took actions while remaining actions beat doing
 * nothing: each of them would, with the ranks above, go over a cap or budget (contactRoom). Every
 * one of them is counted, and each group named with the limits it would go over (until 2026-12-05
 * the sentence named the best one and said no other remaining action beat doing nothing, though
 * others did and were blocked by the cap too).
 *
 * @example
 * noRoomWhy(ctx, candidates, above);
 * // 'The contact policy\'s caps and budgets leave no room for another contact in this decision: the 2 remaining actions that beat doing nothing (score 0), "Socks bundle" (0.145) and "Newsletter" (0.0081), would each go over the cap "email cap (1 per 7 days)".'
 */
function noRoomWhy(ctx: StageContext, candidates: readonly Candidate[], above: readonly Choice[]): string {
  const none = ctx.policy.noneScore;
  const sent = above.flatMap((x) => (x.kind === 'action' ? candidates.filter((c) => c.action.id === x.action) : []));
  const beating = candidates
    .filter((c) => !c.out && c.score !== undefined && c.score > none && !above.some((x) => x.action === c.action.id || x.held?.action === c.action.id))
    .sort((a, b) => (b.score ?? 0) - (a.score ?? 0) || a.action.order - b.action.order);
  // Grouped by the limits each would go over, in the order of their best action.
  const groups = new Map<string, Candidate[]>();
  const limits = contactLimits(candidates, ctx);
  for (const c of beating) {
    const key = limitsPassed(c, sent, limits);
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const named = (cs: readonly Candidate[]) => {
    const shown = cs.slice(0, 3).map((c) => `${nameOf(ctx, c.action.id)} (${num(c.score ?? 0)})`);
    if (cs.length > 3) shown.push(`${cs.length - 3} more`);
    return andList(shown);
  };
  const over = (key: string) => key || 'one of them';
  const head = 'The contact policy\'s caps and budgets leave no room for another contact in this decision:';
  const nothing = `doing nothing (score ${num(none)})`;
  if (beating.length === 1) return `${head} ${named(beating)} would go over ${over([...groups.keys()][0])}, and no other remaining action beats ${nothing}.`;
  if (groups.size === 1) return `${head} the ${beating.length} remaining actions that beat ${nothing}, ${named(beating)}, would each go over ${over([...groups.keys()][0])}.`;
  return `${head} the ${beating.length} remaining actions that beat ${nothing} would each go over one of them: ${[...groups].map(([key, cs]) => `${named(cs)} ${over(key)}`).join('; ')}.`;
}

/**
 * The caps and budgets a candidate would go over, chosen with `sent` (the actions the ranks above
 * deliver), in words: 'the cap "email cap"', or '' when none — the limits contactRoom binds.
 */
function limitsPassed(c: Candidate, sent: readonly Candidate[], limits: readonly ContactLimit[]): string {
  const names = limits.filter((l) => l.about(c) && sent.filter(l.about).length >= l.left).map((l) => l.name);
  return andList(names);
}

/** The best-scoring admitted action not already taken by a rank above (delivered, or held for review). */
function bestAction(candidates: readonly Candidate[], above: readonly Choice[]): Candidate | undefined {
  let best: Candidate | undefined;
  for (const c of candidates) {
    if (c.out || c.score === undefined || (best && c.score <= (best.score ?? 0))) continue;
    if (above.some((x) => x.action === c.action.id || x.held?.action === c.action.id)) continue;
    best = c;
  }
  return best;
}

/** Why a holdout subject gets the safe default (or nothing), and what treatment would have given them. @example holdoutWhy(choices[0], ctx, 'newsletter') */
export function holdoutWhy(would: Choice | undefined, ctx: StageContext, safeDefault?: string): string {
  // A high-stakes pick is what treatment chose, its stand-in only what it would have shown meanwhile
  // (until 2026-12-08 the sentence named the stand-in, as if treatment had chosen it).
  const shown = would?.kind === 'action' ? nameOf(ctx, would.action) : 'nothing';
  const what = would?.held ? `${nameOf(ctx, would.held.action)}, held for a person's review (${shown === 'nothing' ? 'nothing' : shown} shown meanwhile)` : shown;
  const gets = safeDefault ? `, so it gets the placement's safe default ${nameOf(ctx, safeDefault)}` : '';
  return `Holdout: the policy keeps ${pct(ctx.policy.holdout?.share ?? 0)} of subjects out of automated decisions to measure them${gets}; the decision would otherwise have been ${what}.`;
}

/** The experiment and arm a decision ran in, for the operator. @example experimentWords('hero-test', 'b') // 'Experiment "hero-test", arm "b".' */
export function experimentWords(id: string, arm: string): string {
  return `Experiment "${id}", arm "${arm}".`;
}

/** Candidates excluded per stage. @example excludedCounts(cs) // { eligibility: 28, suitability: 10 } */
export function excludedCounts(candidates: readonly Candidate[]): Partial<Record<StageName, number>> {
  const out: Partial<Record<StageName, number>> = {};
  for (const c of candidates) if (c.out) out[c.out.stage] = (out[c.out.stage] ?? 0) + 1;
  return out;
}

/**
 * `x` to {@link SIGNIFICANT} significant digits, as the log keeps a candidate's score and estimate:
 * one logarithm and one exact power of ten, not `toPrecision` (a decision has a hundred of them).
 *
 * @example
 * significant(0.0769230769231); // 0.0769231
 */
export function significant(x: number): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  const e = Math.floor(Math.log10(Math.abs(x))) - (SIGNIFICANT - 1);
  if (e < -300 || e > 300) return x; // a power of ten past a double's range
  // Dividing or multiplying by an exact power of ten gives the double nearest the decimal.
  return e < 0 ? Math.round(x * 10 ** -e) / 10 ** -e : Math.round(x / 10 ** e) * 10 ** e;
}

/** Significant digits of the scores and estimates a decision's log keeps for its candidates. */
export const SIGNIFICANT = 6;

/**
 * What each candidate came to, compact, for the log: scored ones best first (the best
 * TRACE_DETAIL and the chosen ones with their estimate and terms), excluded ones grouped by stage,
 * rule and reason. Scores and estimates are kept to 6 significant digits (until 2026-12-05 a score
 * was rounded to 4 decimals and an estimate to 6: a score of 0.00004 was logged, and answered, as
 * 0; kept as computed, a hundred candidates' scores made the record a quarter larger).
 *
 * @example
 * const { scored, excluded } = traces(r.candidates, new Set(['shoes-offer']));
 */
export function traces(candidates: readonly Candidate[], chosen: ReadonlySet<string>): { scored: ScoreTrace[]; excluded: ExclusionTrace[] } {
  const scored: Candidate[] = [];
  // A decision has a handful of distinct exclusions: a scan finds a candidate's group without
  // building a key string per candidate (a hundred candidates a decision).
  const groups: ExclusionTrace[] = [];
  for (const c of candidates) {
    const out = c.out;
    if (!out) {
      scored.push(c);
      continue;
    }
    let g: ExclusionTrace | undefined;
    for (const x of groups) {
      if (x.reason === out.reason && x.rule === out.rule && x.stage === out.stage) {
        g = x;
        break;
      }
    }
    if (g) g.actions.push(c.action.id);
    else groups.push({ stage: out.stage, rule: out.rule, reason: out.reason, actions: [c.action.id] });
  }
  // -1, 0 or 1: a fractional difference would be boxed into a heap number at every comparison.
  scored.sort((a, b) => Math.sign((b.score ?? 0) - (a.score ?? 0)));
  return { scored: scored.map((c, i) => scoreTrace(c, i < TRACE_DETAIL || chosen.has(c.action.id), chosen.has(c.action.id))), excluded: groups };
}

function scoreTrace(c: Candidate, detail: boolean, isChosen: boolean): ScoreTrace {
  const t: ScoreTrace = { action: c.action.id, score: significant(c.score ?? 0) };
  const e = c.estimate;
  if (detail && e) {
    t.p = significant(e.value);
    t.lo = significant(e.low);
    t.hi = significant(e.high);
    t.n = e.evidence;
    t.rung = e.source;
    if (isChosen && e.posterior) {
      t.a = significant(e.posterior.alpha);
      t.b = significant(e.posterior.beta);
    }
    if (e.status === 'learning') t.learning = true;
    // `shift` is a metric baseline's (learn/baselines), never an action's estimate's.
    if (e.reason && e.reason !== 'shift') t.why = e.reason;
    if (e.open?.choices) t.open = { n: e.open.choices, ...(e.open.exposure !== undefined ? { w: significant(e.open.exposure) } : {}) };
    // When its evidence last changed: a bandit's by the action's last outcome, the ladder's by the
    // newest decision or outcome in its counts (until 2026-12-07 the ladder's was not kept).
    if (e.updatedAt) t.at = Date.parse(e.updatedAt);
    t.value = c.action.value;
    if (c.action.contactCost) t.cost = c.action.contactCost;
    if (c.levers) t.levers = c.levers;
  }
  if (detail && c.uplift && !c.upliftFallback) {
    t.uplift = { p: significant(c.uplift.value), lo: significant(c.uplift.low), hi: significant(c.uplift.high), n: c.uplift.evidence, model: c.uplift.modelVersion };
    if (c.uplift.updatedAt) t.uplift.at = Date.parse(c.uplift.updatedAt);
  }
  if (detail && c.upliftFallback) t.fallback = c.upliftFallback;
  if (c.review) t.review = c.review;
  // Who approved what this decision may deliver, and when: the human-territory stage's verdict on it.
  if (c.review === 'approved' && c.hold) t.approval = { review: c.hold.id, by: c.hold.reviewer, at: c.hold.decidedAt };
  return t;
}

/**
 * The one sentence for an operator: the first choice's reason and what the rules excluded; then
 * each lever or human territory entry that could not be evaluated (no exclusion says so, and the
 * lever would silently not apply: "The lever `gold boost` could not be evaluated (No such key: tier), so it did not apply.").
 *
 * @example
 * operatorSentence(r, ctx); // '… 3 of 5 candidate actions were excluded (suitability 1, eligibility 2); most often: …'
 */
export function operatorSentence(r: PipelineResult, ctx: StageContext): string {
  const errors = ctx.ruleErrors?.size ? ` ${[...ctx.ruleErrors.values()].join(' ')}` : '';
  return `${excludedSentence(r, ctx)}${errors}`;
}

function excludedSentence(r: PipelineResult, ctx: StageContext): string {
  const first = r.choices[0]?.why ?? '';
  const n = r.candidates.length;
  const counts = excludedCounts(r.candidates);
  const total = Object.values(counts).reduce((a, b) => a + (b ?? 0), 0);
  // No candidate at all: the first choice's sentence says why (noCandidates).
  if (!n) return first;
  if (!total) return `${first} ${n} candidate action${n === 1 ? '' : 's'}, none excluded.`;
  const byStage = Object.entries(counts).flatMap(([s, k]) => (s === 'human territory' ? territoryCounts(r.candidates, k ?? 0) : [`${s} ${k}`])).join(', ');
  const top = mostCommon(r.candidates);
  return `${first} ${total} of ${n} candidate actions were excluded (${byStage}); most often: ${top}.`;
}

/**
 * The human-territory stage's exclusions, in words: a reviewer's rejection (the stage's rule
 * `review`, a name no territory may take) is a person's verdict, not territory, and is counted as
 * one (until 2026-12-06 "human territory 3" counted three rejections: QA).
 *
 * @example
 * territoryCounts(candidates, 3); // ['rejected by a reviewer 3']
 */
function territoryCounts(candidates: readonly Candidate[], k: number): string[] {
  let rejected = 0;
  for (const c of candidates) if (c.out?.stage === 'human territory' && c.out.rule === 'review') rejected++;
  return [...(k > rejected ? [`human territory ${k - rejected}`] : []), ...(rejected ? [`rejected by a reviewer ${rejected}`] : [])];
}

/**
 * The exclusion that happened most often: counted per stage, rule and reason (the groups a decision
 * keeps), so two rules with the same reason are two exclusions (until 2026-12-05 they were counted
 * together and named by the last one's rule: "rule B, 10 times" for 5 of rule A and 5 of rule B).
 * Exclusions tied for the most are named together, the first three by their first candidate.
 *
 * @example
 * mostCommon(candidates); // 'not for this subject (rule "rule A") and not for this subject (rule "rule B"), 5 times each'
 */
function mostCommon(candidates: readonly Candidate[]): string {
  // Keyed stage → rule → reason, with no key string made per candidate (a decision excludes dozens).
  const by = new Map<string, Map<string, Map<string, { out: NonNullable<Candidate['out']>; n: number }>>>();
  const groups: { out: NonNullable<Candidate['out']>; n: number }[] = [];
  let bestN = 0;
  for (const c of candidates) {
    if (!c.out) continue;
    let rules = by.get(c.out.stage);
    if (!rules) by.set(c.out.stage, (rules = new Map()));
    let reasons = rules.get(c.out.rule);
    if (!reasons) rules.set(c.out.rule, (reasons = new Map()));
    let g = reasons.get(c.out.reason);
    if (g) g.n++;
    else {
      reasons.set(c.out.reason, (g = { out: c.out, n: 1 }));
      groups.push(g);
    }
    if (g.n > bestN) bestN = g.n;
  }
  const top = groups.filter((g) => g.n === bestN);
  if (!top.length) return '';
  // Only an action's own rule, which the stage names `own <stage> rule` for every action alike
  // (catalog-compile.ts; the policy may not take those names, policy-names.ts): its reason says it.
  // A rule, cap or budget a user named "own …" keeps its name.
  const words = top.slice(0, 3).map(({ out }) => `${out.reason}${out.rule === `own ${out.stage} rule` ? '' : ` (rule "${out.rule}")`}`);
  if (top.length > 3) words.push(`${top.length - 3} more`);
  const named = andList(words);
  return `${named}, ${bestN} time${bestN === 1 ? '' : 's'}${top.length > 1 ? ' each' : ''}`;
}

/**
 * The one sentence for the customer: what they got and why, in their words, without internals.
 *
 * @example
 * customerSentence(r, ctx); // 'You are seeing "Running shoes offer" because you looked at running gear recently.'
 */
export function customerSentence(r: PipelineResult, ctx: StageContext): string {
  const c = r.choices[0];
  // A handoff is what the subject gets whatever the arm: human territory wins over the holdout (pipeline.ts).
  if (c?.kind === 'handoff') return 'A member of our team will look after this for you personally.';
  if (!c || c.kind === 'none' || r.arm === 'holdout') return 'We are not showing you anything personalised here right now.';
  const a = ctx.placement.candidates.find((x) => x.id === c.action);
  if (c.held) return `You are seeing ${nameOf(ctx, c.action)}, our standard content here.`;
  if (a?.def.customerReason) return `You are seeing ${nameOf(ctx, c.action)} because ${a.def.customerReason}.`;
  // Exploration chose it (something else scored higher): it is not what we expect to be most useful.
  const explored = c.score < ctx.policy.noneScore || r.candidates.some((x) => !x.out && x.score !== undefined && x.score > c.score);
  if (explored) return `You are seeing ${nameOf(ctx, c.action)} because we sometimes show other content than our first pick, to learn what is most relevant to people like you.`;
  return `You are seeing ${nameOf(ctx, c.action)} because we expect it to be the most useful thing for you right now, ${groundsWords(r.candidates.find((x) => x.action.id === c.action)?.estimate?.source)}.`;
}

/**
 * What the customer's sentence says its pick rests on: the subject's own activity only when the
 * estimate is personal; a group's or everyone's otherwise (until 2026-12-06 "based on your
 * activity with us" for a subject with no activity at all: QA).
 *
 * @example
 * groundsWords('population'); // 'based on what our customers have found most useful'
 */
function groundsWords(source: string | undefined): string {
  if (source === 'personal') return 'based on your activity with us';
  if (source === 'segment' || source === 'micro-segment') return 'based on what people like you have found useful';
  return 'based on what our customers have found most useful';
}
