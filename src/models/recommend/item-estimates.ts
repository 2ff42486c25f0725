import type { Estimate } from '../../learn/estimate.js';

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
 * An item's personal number as an Estimate: the sum of its neighbour weights from the subject's
 * history (a recommendation's score, a re-ranked item's affinity) with that sum's bootstrap
 * interval and the history items behind it as evidence. Its evidence last changed with the newer
 * of the model's data window (`dataTo`) and the subject's newest history fact (`historyAt`, the
 * event time of the last view or purchase read) — not when it is read.
 *
 * @example
 * personalItemEstimate(0.42, { low: 0.1, high: 0.6, level: 0.9, evidence: 2 }, { modelVersion: 'recommendations@3', dataTo }, historyAt);
 */
export function personalItemEstimate(value: number, iv: ItemInterval, m: ItemModel, historyAt: number | undefined): Estimate {
  const at = Math.max(m.dataTo, historyAt ?? -Infinity);
  return { value, low: iv.low, high: iv.high, level: iv.level, evidence: iv.evidence, source: 'personal', status: 'established', modelVersion: m.modelVersion, updatedAt: new Date(at).toISOString() };
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
