import { validationError } from '../../errors/tact-error.js';
import type { Estimate } from '../../learn/estimate.js';
import { droppedSentence, ruleErrorSentences, type DroppedItem, type RuleErrors } from '../../models/recommend/item-filter.js';
import type { Recommender } from '../../models/recommend/recommender.js';
import type { PopularFallback } from '../../models/recommend/popular-fallback.js';
import { rerankListProblems } from '../../models/recommend/rerank-list.js';
import type { ProfileState } from '../../profiles/profile-state.js';
import type { CompiledPlacement } from '../catalog-compile.js';
import type { Choice } from '../decision.js';

/** One item of a recommendation answer. @example { id: 'sku-3', score: 0.42, explanation: 'because you viewed Trail shoe', estimate: { value: 0.42, source: 'personal', … } } */
export interface RecommendedChoice {
  id: string;
  /** The order's key: a recommendation's score, or a re-ranking's blend of relevance and affinity. */
  score: number;
  explanation: string;
  /** Re-ranking: the caller's relevance and the subject's affinity that were blended. */
  relevance?: number;
  affinity?: number;
  /**
   * What the recommender inferred of the item, as the model built it (recommender.ts): a
   * recommendation's score, or a re-ranked item's affinity — with its interval, evidence and the
   * time its evidence last changed; absent where nothing was inferred (an item the model does not know).
   */
  estimate?: Estimate;
}

/** What the recommender answered for a recommendation placement. @example { mode: 'recommend', items: [...], modelVersion: 'recommendations@2', evidence: 1, status: 'personal' } */
export interface RecommendationAnswer {
  mode: 'recommend' | 'rerank';
  items: RecommendedChoice[];
  /** `recommendations@<version>`, or `recommendations@none` before any model is trained. */
  modelVersion: string;
  /** Personal evidence behind the list: the subject's history items used. */
  evidence: number;
  /** "personal", "popular" (popularity fallback: `fallback` says why), or "learning" (no model yet). */
  status: string;
  /** A recommendation of popular items only: why (no history the model knows, a history leading nowhere, or the filters). */
  fallback?: PopularFallback;
  /** Re-ranking: the caller's items the business filters left out, each with its reason. */
  dropped?: DroppedItem[];
  /** Rules that could not be evaluated on some items (those items are left out). */
  ruleErrors?: RuleErrors[];
}

/**
 * Asks the recommender for a recommendation placement. With `context.items` ([{id, relevance}])
 * the caller's list is re-ranked (relevance blended with the subject's affinities); otherwise the
 * top `n` items come from the live model. Both apply every business filter: already purchased
 * (read fresh from the profile), out of stock, exclusions, the recommendations settings' rule and
 * that of their same-named placement, and the placement's own `recommend` rules (named
 * `<placement>.recommend.rule` / `.outOfStock` in the answer). The items a re-ranking left out
 * and the rules that could not be evaluated on some items come back with the answer.
 *
 * @example
 * const a = await recommendationFor(recommender, placement, state, { page: '/cart' }, 3, Date.now(), vars);
 */
export async function recommendationFor(r: Recommender, placement: CompiledPlacement, state: ProfileState | undefined, context: Record<string, unknown>, n: number, now: number, vars: Record<string, unknown>): Promise<RecommendationAnswer> {
  const spec = placement.recommend ?? { rules: [], exclude: [] };
  const rules = spec.rules.map((x) => ({ field: `${placement.id}.${x.field}`, rule: x.rule }));
  // The same-named placement of the recommendations settings adds its rule and exclusions.
  const named = r.hasPlacement(placement.id) ? placement.id : undefined;
  const query = { subject: state, placement: named, rules, context, vars, filters: { exclude: spec.exclude } };
  if (context.items !== undefined) {
    const problems = rerankListProblems(context.items, 'context.items');
    if (problems.length) throw validationError(problems);
    const list = (context.items as { id: string; relevance: number }[]).map((x) => ({ id: x.id, relevance: x.relevance }));
    const out = await r.rerank({ ...query, items: list }, now);
    const dropped = out.dropped.map((d) => (d.reason === 'rule' && !d.error && d.rule?.endsWith('.recommend.outOfStock') ? { ...d, reason: 'out of stock' as const } : d));
    return {
      mode: 'rerank', modelVersion: out.modelVersion ?? 'recommendations@none', evidence: out.evidence, status: !out.modelVersion ? 'learning' : out.evidence ? 'personal' : 'popular',
      items: out.items.slice(0, n).map((x) => ({ id: x.id, score: x.score, explanation: x.explanation, relevance: x.relevance, affinity: x.affinity, ...(x.estimate ? { estimate: x.estimate } : {}) })),
      dropped, ...(out.ruleErrors ? { ruleErrors: out.ruleErrors } : {}),
    };
  }
  const out = await r.recommend({ ...query, n }, now);
  return {
    mode: 'recommend', modelVersion: out.modelVersion ?? 'recommendations@none', status: out.status, evidence: out.items.filter((i) => i.source === 'personal').length,
    items: out.items.map((x) => ({ id: x.id, score: x.score, explanation: x.explanation, estimate: x.estimate })),
    ...(out.fallback ? { fallback: out.fallback } : {}), ...(out.ruleErrors ? { ruleErrors: out.ruleErrors } : {}),
  };
}

/**
 * The choices of a recommendation decision: one `item` choice per item, ranked, each with its
 * score, its sentence and the Estimate the recommender built (recommender.ts). The recommender
 * is deterministic — no exploration is applied here — so every propensity is 1. A personal
 * item's Estimate is its neighbour-weight sum (a recommendation's score, a re-ranked item's
 * affinity) with the 90% bootstrap interval of that sum over the subject's history and, as
 * evidence, the history items behind it (src/learn/recommend/score-interval.ts); an item the
 * history does not lead to has the population's: the share of the trained subjects who
 * interacted with it, with its 90% Wilson interval and those subjects as evidence, status
 * "learning". A re-ranked item's score is the blend the list is ordered by — not an inference,
 * so not its Estimate's value. `updatedAt` is when the evidence last changed (the model's
 * `dataTo`, or the subject's newest history fact behind a personal one), never the time of
 * reading; an item the model does not know has no Estimate rather than a made-up point.
 * An empty list answers "none".
 *
 * @example
 * recommendationChoices(answer); // [{ rank: 1, kind: 'item', item: 'sku-3', propensity: 1, why: 'because you viewed Trail shoe', … }]
 */
export function recommendationChoices(a: RecommendationAnswer): Choice[] {
  if (!a.items.length) {
    const why = a.mode === 'rerank' && !a.dropped?.length
      ? 'The list to re-rank (`context.items`) was empty: there was no item to show.'
      : a.status === 'learning' && a.mode !== 'rerank' ? 'Nothing to recommend yet: no recommendation model has been trained (tact train recommendations).' : ['No item passed the business filters.', filterSentences(a)].filter((x) => !!x).join(' ');
    return [{ rank: 1, kind: 'none', score: 0, propensity: 1, why }];
  }
  return a.items.map((x, i): Choice => {
    const blend = x.relevance !== undefined ? ` (relevance ${x.relevance}, affinity ${Number((x.affinity ?? 0).toPrecision(3))})` : '';
    return { rank: i + 1, kind: 'item', item: x.id, score: x.score, propensity: 1, ...(x.estimate ? { estimate: x.estimate } : {}), why: `${x.explanation}${blend}` };
  });
}

/**
 * What the business filters left out that the operator should know of: the caller's items dropped
 * (re-ranking) and the rules that could not be evaluated on some items; '' when neither.
 *
 * @example
 * filterSentences({ …, dropped: [{ id: 'sku-b', reason: 'purchased' }] }); // "Left out of the caller's list: sku-b (already purchased)."
 */
export function filterSentences(a: Pick<RecommendationAnswer, 'dropped' | 'ruleErrors'>): string {
  return [droppedSentence(a.dropped ?? []), ruleErrorSentences(a.ruleErrors ?? [])].filter((x) => !!x).join(' ');
}
