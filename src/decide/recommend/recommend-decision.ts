import { validationError } from '../../errors/tact-error.js';
import type { Estimate } from '../../learn/estimate.js';
import type { Recommender } from '../../models/recommend/recommender.js';
import { rerankListProblems } from '../../models/recommend/rerank-list.js';
import type { ProfileState } from '../../profiles/profile-state.js';
import { testRule } from '../../rules/cel.js';
import type { CompiledPlacement } from '../catalog-compile.js';
import type { Choice } from '../decision.js';

/** One item of a recommendation answer. @example { id: 'sku-3', score: 0.42, source: 'personal', explanation: 'because you viewed Trail shoe' } */
export interface RecommendedChoice {
  id: string;
  score: number;
  source: 'personal' | 'population';
  explanation: string;
  /** Re-ranking: the caller's relevance and the subject's affinity that were blended. */
  relevance?: number;
  affinity?: number;
  /** Personal items: the score's bootstrap interval over the subject's history and the history items behind it. */
  interval?: { low: number; high: number; level: number; evidence: number };
}

/** What the recommender answered for a recommendation placement. @example { mode: 'recommend', items: [...], modelVersion: 'recommendations@2', evidence: 1, status: 'personal' } */
export interface RecommendationAnswer {
  mode: 'recommend' | 'rerank';
  items: RecommendedChoice[];
  /** `recommendations@<version>`, or `recommendations@none` before any model is trained. */
  modelVersion: string;
  /** Personal evidence behind the list: the subject's history items used. */
  evidence: number;
  /** "personal", "popular" (popularity fallback while the subject has no history), or "learning" (no model yet). */
  status: string;
}

/**
 * Asks the recommender for a recommendation placement. With `context.items` ([{id, relevance}])
 * the caller's list is re-ranked (relevance blended with the subject's affinities) after the
 * placement's rules; otherwise the top `n` items come from the live model with every business
 * filter (already purchased — read fresh from the profile —, out of stock, the rules).
 *
 * @example
 * const a = await recommendationFor(recommender, placement, state, { page: '/cart' }, 3, Date.now());
 */
export async function recommendationFor(r: Recommender, placement: CompiledPlacement, state: ProfileState | undefined, context: Record<string, unknown>, n: number, now: number, vars: Record<string, unknown>): Promise<RecommendationAnswer> {
  const spec = placement.recommend ?? { rules: [], exclude: [] };
  if (context.items !== undefined) {
    const problems = rerankListProblems(context.items, 'context.items');
    if (problems.length) throw validationError(problems);
    const list = (context.items as { id: string; relevance: number }[]).map((x) => ({ id: x.id, relevance: x.relevance }));
    const excluded = new Set(spec.exclude);
    const kept = list.filter((x) => !excluded.has(x.id) && spec.rules.every((rule) => testRule(rule, { ...vars, item: r.item(x.id) }).pass));
    const out = await r.rerank({ subject: state, items: kept }, now);
    return {
      mode: 'rerank', modelVersion: out.modelVersion ?? 'recommendations@none', evidence: out.evidence, status: out.evidence ? 'personal' : 'popular',
      items: out.items.slice(0, n).map((x) => ({ id: x.id, score: x.score, source: x.affinity > 0 ? 'personal' : 'population', explanation: x.explanation, relevance: x.relevance, affinity: x.affinity })),
    };
  }
  // The same-named placement of the recommendations settings adds its rule and exclusions.
  const named = r.hasPlacement(placement.id) ? placement.id : undefined;
  const out = await r.recommend({ subject: state, n, placement: named, rules: spec.rules, context, filters: { exclude: spec.exclude } }, now);
  return {
    mode: 'recommend', modelVersion: out.modelVersion ?? 'recommendations@none', status: out.status, evidence: out.items.filter((i) => i.source === 'personal').length,
    items: out.items.map((x) => ({ id: x.id, score: x.score, source: x.source, explanation: x.explanation, ...(x.interval ? { interval: x.interval } : {}) })),
  };
}

/**
 * The choices of a recommendation decision: one `item` choice per item, ranked, each with its
 * score as an Estimate and its sentence. The recommender is deterministic — no exploration is
 * applied here — so every propensity is 1. A personal item's Estimate carries the 90%
 * bootstrap interval of its score over the subject's history and, as evidence, the number of
 * history items behind it (src/learn/recommend/score-interval.ts); a popularity fallback item
 * has no personal evidence: its score and Estimate are the share of the trained subjects who
 * interacted with it, with its 90% Wilson interval and those subjects as evidence, source
 * "population", status "learning" (nothing personal yet).
 * An empty list answers "none".
 *
 * @example
 * recommendationChoices(answer, now); // [{ rank: 1, kind: 'item', item: 'sku-3', propensity: 1, why: 'because you viewed Trail shoe', … }]
 */
export function recommendationChoices(a: RecommendationAnswer, now: number): Choice[] {
  if (!a.items.length) {
    const why = a.status === 'learning' ? 'Nothing to recommend yet: no recommendation model has been trained (tact train recommendations).' : 'No item passed the business filters.';
    return [{ rank: 1, kind: 'none', score: 0, propensity: 1, why }];
  }
  const updatedAt = new Date(now).toISOString();
  return a.items.map((x, i): Choice => {
    const iv = x.interval;
    const estimate: Estimate = {
      value: x.score, low: iv ? iv.low : x.score, high: iv ? iv.high : x.score, level: iv ? iv.level : 0, evidence: iv ? iv.evidence : x.source === 'personal' ? a.evidence : 0,
      source: x.source, status: x.source === 'personal' ? 'established' : 'learning', modelVersion: a.modelVersion, updatedAt,
    };
    const blend = x.relevance !== undefined ? ` (relevance ${x.relevance}, affinity ${Number((x.affinity ?? 0).toPrecision(3))})` : '';
    return { rank: i + 1, kind: 'item', item: x.id, score: x.score, propensity: 1, estimate, why: `${x.explanation}${blend}` };
  });
}
