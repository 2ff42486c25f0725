/**
 * Item-to-item co-occurrence with shrinkage: sim(i → j) = C_ij / (C_i + β), the share of item i's
 * subjects who also touched j, shrunk towards 0 when i is rare (β pseudo-subjects), so that two
 * items seen together once do not look like a rule. Sparse (one map per item).
 */
import { type Interactions, itemCounts } from './interactions.js';

/** Fitted co-occurrence model. */
export interface CooccurrenceModel {
  items: number;
  shrinkage: number;
  counts: Float64Array;
  /** pairs[i]: item j → subjects who touched both. */
  pairs: Map<number, number>[];
}

/**
 * Counts co-occurrences (subjects with more than `maxItemsPerSubject` items are sampled down to
 * their first items, bounding the quadratic cost per subject).
 *
 * @example
 * const model = fitCooccurrence(interactions, { shrinkage: 10 });
 */
export function fitCooccurrence(data: Interactions, opts: { shrinkage?: number; maxItemsPerSubject?: number } = {}): CooccurrenceModel {
  const cap = opts.maxItemsPerSubject ?? 200;
  const pairs = Array.from({ length: data.items }, () => new Map<number, number>());
  for (const list of data.bySubject) {
    const m = Math.min(list.length, cap);
    for (let a = 0; a < m; a++) {
      const row = pairs[list[a]];
      for (let b = 0; b < m; b++) if (a !== b) row.set(list[b], (row.get(list[b]) ?? 0) + 1);
    }
  }
  return { items: data.items, shrinkage: opts.shrinkage ?? 10, counts: itemCounts(data), pairs };
}

/**
 * Shrunk similarity of j given i.
 *
 * @example
 * similarity(model, 3, 7); // e.g. 0.12
 */
export function similarity(model: CooccurrenceModel, i: number, j: number): number {
  return (model.pairs[i].get(j) ?? 0) / (model.counts[i] + model.shrinkage);
}

/**
 * Scores every item for a history, with the history item that contributed most to each score.
 *
 * @example
 * const { scores, because } = cooccurrenceScores(model, [3, 9]);
 */
export function cooccurrenceScores(model: CooccurrenceModel, history: ArrayLike<number>): { scores: Float64Array; because: Int32Array } {
  const scores = new Float64Array(model.items);
  const best = new Float64Array(model.items);
  const because = new Int32Array(model.items).fill(-1);
  for (let h = 0; h < history.length; h++) {
    const i = history[h];
    const denom = model.counts[i] + model.shrinkage;
    for (const [j, c] of model.pairs[i]) {
      const s = c / denom;
      scores[j] += s;
      if (s > best[j]) {
        best[j] = s;
        because[j] = i;
      }
    }
  }
  return { scores, because };
}
