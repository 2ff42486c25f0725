import type { PipelineResult } from '../pipeline.js';
import { filterSentences, recommendationChoices, type RecommendationAnswer } from './recommend-decision.js';

/**
 * The pipeline's result for a recommendation placement: the ranked items (no action competes,
 * so no candidate is scored or excluded), with the operator's and the customer's sentences.
 * `_now` (the decision's time) is not read: an item's estimate is dated by its evidence
 * (recommender.ts), not by when it was asked for — until 2026-12-05 it was that time. A list of
 * popular items says why it fell back (`fallback`: no history the model knows, a history leading
 * nowhere, or which filters left out what it leads to); until 2026-12-06 every one said the first.
 *
 * @example
 * recommendationResult(answer, Date.now()).choices[0]; // { rank: 1, kind: 'item', item: 'sku-3', … }
 */
export function recommendationResult(a: RecommendationAnswer, _now?: number): PipelineResult {
  const choices = recommendationChoices(a);
  const first = a.items[0];
  // With no model trained a re-ranked list is ordered by the relevance the caller sent, ties as listed
  // (until 2026-12-05 this said it was blended; until 2026-12-06 that it kept the caller's order).
  const how = a.mode === 'rerank'
    ? (a.status === 'learning' ? 'the caller\'s list by the relevance it was sent with (ties in its own order): no recommendation model has been trained yet (tact train recommendations)' : 'the caller\'s list re-ranked by relevance blended with the subject\'s affinities')
    : a.status === 'personal' ? 'from the subject\'s own history' : `popular items because ${a.fallback?.why ?? 'the subject has no history the model knows yet'}`;
  const filtered = filterSentences(a);
  const operator = first
    ? `${a.items.length} item${a.items.length === 1 ? '' : 's'} recommended, ${how} (${a.modelVersion}); first "${first.id}" ${first.explanation}.${filtered ? ` ${filtered}` : ''}`
    : choices[0].why;
  const customer = first ? (first.explanation.startsWith('because') ? `Recommended for you ${first.explanation}.` : `Recommended: ${first.explanation}.`) : 'We are not showing you anything personalised here right now.';
  return { arm: 'treatment', candidates: [], choices, newHolds: [], delivered: [], operator, customer };
}
