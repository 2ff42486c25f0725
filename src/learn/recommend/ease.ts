/**
 * EASE (Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", WWW 2019): item-item weights
 * in closed form, B = I − P·diag(1/diag(P)) with P = (XᵀX + λI)⁻¹ and diag(B) = 0. Scores of a
 * subject are x·B. Cost: one n×n Float64 matrix (n = 20,000 items: 3.2 GB, in the inverse's
 * WebAssembly memory) and an SPD inverse of about n³/2 multiply-adds,
 * by the blocked sweep with a SIMD kernel (math/spd-sweep.ts; `npm run bench -- ease`: 8–9 billion
 * a second on one core here). Measured whole fits on 2 cores / Node 20: 1,000 items 0.2 s, 2,000
 * items 0.7 s, 3,000 items 2.2 s, 5,000 items 7.1 s, 20,000 items 7.9 min (until 2026-12-07, by the
 * row-by-row Cholesky inverse, which waits on memory past about 1,000 items: 1.0 s, 6.2 s and 26 s
 * for the first three, hours for 20,000). Restrict EASE to the most popular few thousand items
 * and let co-occurrence and popularity cover the tail, or train the whole catalog at a quiet hour
 * (docs/models.md). */
import { spdInverseSweptFilled } from '../math/spd-sweep.js';
import type { Interactions } from './interactions.js';

/** Fitted EASE weights (row-major n×n, B[i][j] = weight of history item i for candidate j). */
export interface EaseModel {
  items: number;
  weights: Float64Array;
}

/**
 * Fits EASE with L2 strength λ (Steck reports λ in the hundreds for typical data).
 *
 * @example
 * const ease = fitEase(interactions, 200);
 */
export function fitEase(data: Interactions, lambda = 200): EaseModel {
  const n = data.items;
  // The Gram matrix written where the inverse runs (the SIMD kernel's memory): held once, not copied there and back.
  const P = spdInverseSweptFilled(n, (G) => addGram(data, lambda, G));
  const diag = Float64Array.from({ length: n }, (_, j) => P[j * n + j]);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) P[i * n + j] = i === j ? 0 : -P[i * n + j] / diag[j];
  }
  return { items: n, weights: P };
}

/**
 * Adds XᵀX + λI — the matrix EASE inverts: co-occurrence counts, λ on the diagonal — into `G`
 * (row-major items × items, zeroed).
 *
 * @example
 * const G = new Float64Array(n * n); addGram(interactions, 200, G);
 */
export function addGram(data: Interactions, lambda: number, G: Float64Array): void {
  const n = data.items;
  for (const list of data.bySubject) {
    for (let a = 0; a < list.length; a++) {
      const row = list[a] * n;
      for (let b = 0; b < list.length; b++) G[row + list[b]] += 1;
    }
  }
  for (let i = 0; i < n; i++) G[i * n + i] += lambda;
}

/**
 * Scores every item for a history, with the history item of largest contribution per item.
 *
 * @example
 * const { scores, because } = easeScores(ease, [3, 9]);
 */
export function easeScores(model: EaseModel, history: ArrayLike<number>): { scores: Float64Array; because: Int32Array } {
  const n = model.items;
  const scores = new Float64Array(n);
  const best = new Float64Array(n).fill(-Infinity);
  const because = new Int32Array(n).fill(-1);
  for (let h = 0; h < history.length; h++) {
    const i = history[h];
    const row = i * n;
    for (let j = 0; j < n; j++) {
      const w = model.weights[row + j];
      scores[j] += w;
      if (w > best[j]) {
        best[j] = w;
        because[j] = i;
      }
    }
  }
  return { scores, because };
}
