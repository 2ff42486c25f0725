/**
 * Item-to-item co-occurrence with shrinkage: sim(i → j) = C_ij / (C_i + β), the share of item i's
 * subjects who also touched j, shrunk towards 0 when i is rare (β pseudo-subjects), so that two
 * items seen together once do not look like a rule. Sparse (one map per item).
 */
import { Rng } from '../math/prng.js';
import type { Interactions } from './interactions.js';

/** Fitted co-occurrence model. */
export interface CooccurrenceModel {
  items: number;
  shrinkage: number;
  counts: Float64Array;
  /** pairs[i]: item j → subjects who touched both. */
  pairs: Map<number, number>[];
}

/**
 * Counts co-occurrences. A subject with more than `maxItemsPerSubject` items (bounding the
 * quadratic cost per subject) counts a seeded sample of that many of them, drawn alike from every
 * item — not its lowest indices, which are the items first seen in the window, so the newest
 * would lose every heavy subject's pairs. Item counts C_i come from the same sampled lists, so
 * C_ij ≤ C_i and sim(i → j) stays a shrunk share.
 *
 * @example
 * const model = fitCooccurrence(interactions, { shrinkage: 10 });
 */
export function fitCooccurrence(data: Interactions, opts: { shrinkage?: number; maxItemsPerSubject?: number } = {}): CooccurrenceModel {
  const cap = opts.maxItemsPerSubject ?? 200;
  const pairs = Array.from({ length: data.items }, () => new Map<number, number>());
  const counts = new Float64Array(data.items);
  data.bySubject.forEach((all, s) => {
    const list = all.length > cap ? sample(all, cap, s) : all;
    for (let a = 0; a < list.length; a++) {
      counts[list[a]] += 1;
      const row = pairs[list[a]];
      for (let b = 0; b < list.length; b++) if (a !== b) row.set(list[b], (row.get(list[b]) ?? 0) + 1);
    }
  });
  return { items: data.items, shrinkage: opts.shrinkage ?? 10, counts, pairs };
}

/** `k` of the list's items, uniformly (partial Fisher–Yates seeded by the subject: the same every fit). */
function sample(list: Int32Array, k: number, subject: number): Int32Array {
  const rng = new Rng(subject + 1);
  const a = Int32Array.from(list);
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(a.length - i);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a.subarray(0, k);
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
