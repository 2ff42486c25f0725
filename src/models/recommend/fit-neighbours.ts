/**
 * The fits of a `recommendations` training and of its comparison with the live version — pure
 * functions of the interactions and the settings, so they can run in a worker thread
 * (src/models/train/off-thread.ts): EASE's inverse takes 1 s at 1,000 items and 26 s at 3,000
 * (src/learn/recommend/ease.ts), and run on the server's thread it held every request that long.
 */
import { fitCooccurrence } from '../../learn/recommend/cooccurrence.js';
import { fitEase } from '../../learn/recommend/ease.js';
import { type Interactions, itemCounts } from '../../learn/recommend/interactions.js';
import { type Neighbours, toNeighbours } from '../../learn/recommend/neighbours.js';
import { runOffThread } from '../train/off-thread.js';
import { heldOutRecall } from './recall.js';
import type { CompiledRecommendations } from './recommendations-kind.js';

/** The settings a fit reads (the catalog, rules and placements stay behind: a worker needs none of them). */
export type FitSettings = Pick<CompiledRecommendations, 'algorithm' | 'easeMaxItems' | 'lambda' | 'shrinkage' | 'neighbours'>;

/** The fit settings of the compiled `recommendations` settings. */
export const fitSettings = (cfg: FitSettings): FitSettings => ({ algorithm: cfg.algorithm, easeMaxItems: cfg.easeMaxItems, lambda: cfg.lambda, shrinkage: cfg.shrinkage, neighbours: cfg.neighbours });

/** A fitted model: which algorithm, and each item's strongest neighbours. */
export interface FittedNeighbours {
  algorithm: 'ease' | 'cooccurrence';
  neighbours: Neighbours;
}

/**
 * Fits the configured algorithm and cuts it to each item's strongest neighbours.
 *
 * @example
 * fitNeighbours(data, settings.get(recommendationsKind)); // { algorithm: 'ease', neighbours }
 */
export function fitNeighbours(data: Interactions, cfg: FitSettings): FittedNeighbours {
  const useEase = cfg.algorithm === 'ease' || (cfg.algorithm === 'auto' && data.items <= cfg.easeMaxItems);
  if (!useEase) return { algorithm: 'cooccurrence', neighbours: toNeighbours({ kind: 'cooccurrence', model: fitCooccurrence(data, { shrinkage: cfg.shrinkage }) }, cfg.neighbours) };
  // EASE on the most popular `easeMaxItems` items; the tail is left to popularity.
  const counts = itemCounts(data);
  const head = Array.from({ length: data.items }, (_, i) => i).sort((a, b) => counts[b] - counts[a] || a - b).slice(0, cfg.easeMaxItems);
  const local = new Map(head.map((g, l) => [g, l]));
  const restricted: Interactions = { items: head.length, bySubject: data.bySubject.map((list) => Int32Array.from([...list].filter((i) => local.has(i)).map((i) => local.get(i)!)).sort()) };
  const nb = toNeighbours({ kind: 'ease', model: fitEase(restricted, cfg.lambda) }, cfg.neighbours);
  const to: number[][] = Array.from({ length: data.items }, () => []);
  const weight: number[][] = Array.from({ length: data.items }, () => []);
  head.forEach((g, l) => {
    to[g] = nb.to[l].map((j) => head[j]);
    weight[g] = nb.weight[l];
  });
  return { algorithm: 'ease', neighbours: { items: data.items, to, weight } };
}

/**
 * A training's fits: held-out recall@10 (one refit without the hidden items) and the model on all
 * the interactions.
 *
 * @example
 * fitRecommendations(data, fitSettings(cfg)); // { recall: { recallAt10: 0.41, … }, algorithm: 'ease', neighbours }
 */
export function fitRecommendations(data: Interactions, cfg: FitSettings): FittedNeighbours & { recall: Record<string, number | [number, number]> } {
  const recall = heldOutRecall(data, (train) => fitNeighbours(train, cfg).neighbours, { seed: 0, sample: 1000, k: 10 });
  return { recall, ...fitNeighbours(data, cfg) };
}

/**
 * {@link fitRecommendations} in a worker thread: the server keeps answering while it runs. The
 * same result as in this thread (structured clone keeps every number).
 *
 * @example
 * const { recall, algorithm, neighbours } = await fitRecommendationsOffThread(data, cfg);
 */
export function fitRecommendationsOffThread(data: Interactions, cfg: FitSettings): Promise<ReturnType<typeof fitRecommendations>> {
  return runOffThread<typeof fitRecommendations>(import.meta.url, 'fitRecommendations', [data, fitSettings(cfg)]);
}

/**
 * {@link fitNeighbours} in a worker thread (the comparison's refit).
 *
 * @example
 * const refit = (await fitNeighboursOffThread(train, cfg)).neighbours;
 */
export function fitNeighboursOffThread(data: Interactions, cfg: FitSettings): Promise<FittedNeighbours> {
  return runOffThread<typeof fitNeighbours>(import.meta.url, 'fitNeighbours', [data, fitSettings(cfg)]);
}
