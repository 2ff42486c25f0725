/**
 * Item neighbours: a fitted item-item model (co-occurrence or EASE) cut to each item's `topK`
 * strongest positive weights, so it can be stored as JSON and scored in O(history · topK).
 * Keeping every weight reproduces the full model's scores exactly; cutting drops the weakest
 * (and, for EASE, the negative) weights — the candidates a list of top items rarely needs.
 */
import type { CooccurrenceModel } from './cooccurrence.js';
import type { EaseModel } from './ease.js';

/** Sparse item → neighbours weights: `to[i]` and `weight[i]` list item i's neighbours, strongest first. */
export interface Neighbours {
  items: number;
  to: number[][];
  weight: number[][];
}

/**
 * The strongest `topK` weights per item of a co-occurrence or EASE model (Infinity keeps all,
 * negatives included).
 *
 * @example
 * const nb = toNeighbours({ kind: 'ease', model: fitEase(data, 200) }, 100);
 */
export function toNeighbours(m: { kind: 'ease'; model: EaseModel } | { kind: 'cooccurrence'; model: CooccurrenceModel }, topK: number): Neighbours {
  const n = m.model.items;
  const to: number[][] = [];
  const weight: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row: [number, number][] = [];
    if (m.kind === 'ease') {
      const w = m.model.weights;
      for (let j = 0; j < n; j++) if (j !== i && (w[i * n + j] > 0 || (topK === Infinity && w[i * n + j] !== 0))) row.push([j, w[i * n + j]]);
    } else {
      const denom = m.model.counts[i] + m.model.shrinkage;
      for (const [j, c] of m.model.pairs[i]) row.push([j, c / denom]);
    }
    row.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    const kept = topK === Infinity ? row : row.slice(0, topK);
    to.push(kept.map((x) => x[0]));
    weight.push(kept.map((x) => x[1]));
  }
  return { items: n, to, weight };
}

/**
 * Scores every item for a history, with the history item of largest contribution per item —
 * the same contract as `cooccurrenceScores` and `easeScores`.
 *
 * @example
 * const { scores, because } = neighbourScores(nb, [3, 9]);
 */
export function neighbourScores(nb: Neighbours, history: ArrayLike<number>): { scores: Float64Array; because: Int32Array } {
  const scores = new Float64Array(nb.items);
  const best = new Float64Array(nb.items).fill(-Infinity);
  const because = new Int32Array(nb.items).fill(-1);
  for (let h = 0; h < history.length; h++) {
    const i = history[h];
    const to = nb.to[i];
    const w = nb.weight[i];
    if (!to) continue;
    for (let k = 0; k < to.length; k++) {
      const j = to[k];
      scores[j] += w[k];
      if (w[k] > best[j]) {
        best[j] = w[k];
        because[j] = i;
      }
    }
  }
  return { scores, because };
}
