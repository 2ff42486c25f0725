import type { Estimate } from '../../learn/estimate.js';
import { isEstablished, type EstablishedWhen } from '../../learn/rates/beta-binomial.js';

/** A 90% interval of an item's number and the n it rests on (score-interval.ts, or Wilson's for a share). */
export interface ItemInterval {
  low: number;
  high: number;
  level: number;
  evidence: number;
}

/** The model version an item's estimate reads: its name and the end of its data window. */
export interface ItemModel {
  modelVersion: string;
  dataTo: number;
}

/**
 * When a personal item estimate is established: its interval no wider than the score itself —
 * the relative rule of the send-time share (SEND_TIME_ESTABLISHED, docs/models.md), with no
 * absolute cap. A score is a sum of neighbour weights with no fixed scale (co-occurrence shares,
 * EASE coefficients), so an absolute width such as the policy's `establishedWidth` (made for
 * rates in [0, 1]) would say nothing on it. A low end of 0 is never established (the width then
 * is at least the score): one or two history items behind a score leave it learning.
 */
export const PERSONAL_ITEM_ESTABLISHED: EstablishedWhen = { maxWidth: Infinity, maxRelativeWidth: 1 };

/**
 * An item's personal number as an Estimate: the sum of its neighbour weights from the subject's
 * history (a recommendation's score, a re-ranked item's affinity) with that sum's bootstrap
 * interval and the history items behind it as evidence, "established" by
 * {@link PERSONAL_ITEM_ESTABLISHED} (until 2026-12-06 always, even on 2 history items reading
 * [0, 0.3811]). Its evidence last changed with the newer
 * of the model's data window (`dataTo`) and the subject's newest history fact (`historyAt`, the
 * event time of the last view or purchase read) — not when it is read.
 *
 * @example
 * personalItemEstimate(0.42, { low: 0.2, high: 0.6, level: 0.9, evidence: 12 }, { modelVersion: 'recommendations@3', dataTo }, historyAt); // established: 0.4 wide ≤ 0.42
 */
export function personalItemEstimate(value: number, iv: ItemInterval, m: ItemModel, historyAt: number | undefined): Estimate {
  const at = Math.max(m.dataTo, historyAt ?? -Infinity);
  const status = iv.evidence > 0 && isEstablished(value, iv.low, iv.high, PERSONAL_ITEM_ESTABLISHED) ? 'established' : 'learning';
  return { value, low: iv.low, high: iv.high, level: iv.level, evidence: iv.evidence, source: 'personal', status, modelVersion: m.modelVersion, updatedAt: new Date(at).toISOString() };
}

/**
 * An item the subject's history does not lead to, as the population sees it: the share of the
 * model's trained subjects who interacted with it, with its Wilson interval and those subjects as
 * evidence — learning (nothing personal yet), dated by the model's training alone.
 *
 * @example
 * populationItemEstimate(0.5, { low: 0.27, high: 0.73, level: 0.9, evidence: 10 }, { modelVersion: 'recommendations@3', dataTo });
 */
export function populationItemEstimate(share: number, iv: ItemInterval, m: ItemModel): Estimate {
  return { value: share, low: iv.low, high: iv.high, level: iv.level, evidence: iv.evidence, source: 'population', status: 'learning', modelVersion: m.modelVersion, updatedAt: new Date(m.dataTo).toISOString() };
}
