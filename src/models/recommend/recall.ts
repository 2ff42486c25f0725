import { type Interactions, itemCounts } from '../../learn/recommend/interactions.js';
import { type Neighbours, neighbourScores } from '../../learn/recommend/neighbours.js';
import { Rng } from '../../learn/math/prng.js';
import { pairedHitDifference } from '../../learn/recommend/paired-hits.js';
import { wilsonInterval } from '../../measure/stats/proportion-intervals.js';

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
 * baseline a personal model must beat. Each recall has its 95% Wilson interval (Wilson 1927),
 * and the difference from popularity's — paired, on the same subjects — its 95% interval
 * (Newcombe's square-and-add, paired-hits.ts): on a few dozen subjects a recall of 1 is not a
 * certainty, and "beats popularity" is a claim only when that interval is above 0.
 *
 * @example
 * heldOutRecall(data, (train) => fitNeighbours(train, cfg).neighbours, { seed: 0, sample: 1000, k: 10 });
 * // { recallAt10: 0.41, recallAt10Ci: [0.38, 0.44], popularityRecallAt10: 0.22, popularityRecallAt10Ci: [0.2, 0.25],
 * //   recallOverPopularityAt10: 0.19, recallOverPopularityAt10Ci: [0.16, 0.22], evaluated: 1000 }
 */
export function heldOutRecall(data: Interactions, fit: (train: Interactions) => Neighbours, o: { seed: number; sample: number; k: number }): Record<string, number | [number, number]> {
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
  const hits: number[] = [];
  const popHits: number[] = [];
  for (const s of chosen) {
    const history = train.bySubject[s];
    const exclude = new Set(history);
    const h = hidden.get(s)!;
    hits.push(topK(nb, byPopularity, history, o.k).has(h) ? 1 : 0);
    let n = 0;
    let popHit = 0;
    for (const i of byPopularity) {
      if (n >= o.k) break;
      if (exclude.has(i)) continue;
      n++;
      if (i === h) popHit = 1;
    }
    popHits.push(popHit);
  }
  const n = chosen.length;
  const r = (x: number) => Math.round(x * 1000) / 1000;
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const ci = (x: number): [number, number] => wilsonInterval(x, n, 1.959964).map(r) as [number, number];
  const d = pairedHitDifference(hits, popHits);
  return {
    [`recallAt${o.k}`]: r(sum(hits) / n), [`recallAt${o.k}Ci`]: ci(sum(hits)),
    [`popularityRecallAt${o.k}`]: r(sum(popHits) / n), [`popularityRecallAt${o.k}Ci`]: ci(sum(popHits)),
    [`recallOverPopularityAt${o.k}`]: r(d.difference), [`recallOverPopularityAt${o.k}Ci`]: [r(d.low), r(d.high)],
    evaluated: n,
  };
}
