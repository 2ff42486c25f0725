import { type Interactions, itemCounts } from '../../learn/recommend/interactions.js';
import { type Neighbours, neighbourScores } from '../../learn/recommend/neighbours.js';
import { Rng } from '../../learn/math/prng.js';

/**
 * The k items a subject with this history is shown, as the service ranks them: personal
 * neighbour scores first, popularity fills the rest; nothing from the history.
 *
 * @example
 * topK(nb, byPopularity, Int32Array.from([3, 7]), 10).has(12)
 */
export function topK(nb: Neighbours, byPopularity: readonly number[], history: ArrayLike<number>, k: number): Set<number> {
  const exclude = new Set(Array.from(history));
  const { scores } = neighbourScores(nb, history);
  const personal = [...new Set(Array.from(history).flatMap((i) => nb.to[i] ?? []))].filter((i) => scores[i] > 0 && !exclude.has(i)).sort((a, b) => scores[b] - scores[a] || a - b).slice(0, k);
  const top = new Set(personal);
  for (const i of byPopularity) {
    if (top.size >= k) break;
    if (!exclude.has(i)) top.add(i);
  }
  return top;
}

/**
 * Held-out recall@k: for up to `sample` subjects with at least two items, one item (seeded draw)
 * is hidden from training; the model fitted without it ranks every item the subject has not
 * touched, and a hit is the hidden item in the top k. Popularity ranked the same way is the
 * baseline a personal model must beat.
 *
 * @example
 * heldOutRecall(data, (train) => fitNeighbours(train, cfg).neighbours, { seed: 0, sample: 1000, k: 10 });
 * // { recallAt10: 0.41, popularityRecallAt10: 0.22, evaluated: 1000 }
 */
export function heldOutRecall(data: Interactions, fit: (train: Interactions) => Neighbours, o: { seed: number; sample: number; k: number }): Record<string, number> {
  const rng = new Rng(o.seed);
  const eligible = data.bySubject.map((l, s) => (l.length >= 2 ? s : -1)).filter((s) => s >= 0);
  for (let i = eligible.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [eligible[i], eligible[j]] = [eligible[j], eligible[i]];
  }
  const chosen = eligible.slice(0, o.sample);
  if (!chosen.length) return { evaluated: 0 };
  const hidden = new Map<number, number>();
  const train: Interactions = { items: data.items, bySubject: [...data.bySubject] };
  for (const s of chosen) {
    const list = data.bySubject[s];
    const h = list[rng.int(list.length)];
    hidden.set(s, h);
    train.bySubject[s] = list.filter((i) => i !== h);
  }
  const nb = fit(train);
  const pop = itemCounts(train);
  const byPopularity = Array.from({ length: data.items }, (_, i) => i).sort((a, b) => pop[b] - pop[a] || a - b);
  let hits = 0;
  let popHits = 0;
  for (const s of chosen) {
    const history = train.bySubject[s];
    const exclude = new Set(history);
    const h = hidden.get(s)!;
    if (topK(nb, byPopularity, history, o.k).has(h)) hits++;
    let n = 0;
    for (const i of byPopularity) {
      if (n >= o.k) break;
      if (exclude.has(i)) continue;
      n++;
      if (i === h) popHits++;
    }
  }
  const r = (x: number) => Math.round((x / chosen.length) * 1000) / 1000;
  return { [`recallAt${o.k}`]: r(hits), [`popularityRecallAt${o.k}`]: r(popHits), evaluated: chosen.length };
}
