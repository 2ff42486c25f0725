import { fitCooccurrence } from '../../learn/recommend/cooccurrence.js';
import { fitEase } from '../../learn/recommend/ease.js';
import { type Interactions, buildInteractions, itemCounts } from '../../learn/recommend/interactions.js';
import { type Neighbours, toNeighbours } from '../../learn/recommend/neighbours.js';
import { extract } from '../../profiles/features/state.js';
import { forEachEvent } from '../train/subjects.js';
import type { Trainer, TrainContext } from '../train/trainer.js';
import { type CompiledRecommendations, recommendationsKind } from './recommendations-kind.js';
import { heldOutRecall } from './recall.js';

/** The stored `recommendations` model: item ids, their popularity, and each item's neighbours. */
export interface RecommendationsState {
  algorithm: 'ease' | 'cooccurrence';
  items: string[];
  popularity: number[];
  neighbours: Neighbours;
}

const DAY = 86_400_000;

/** (live subject, item id) pairs from the interaction events of the window, with when Tact received each. */
export async function readInteractions(ctx: Pick<TrainContext, 'store'>, cfg: CompiledRecommendations, from: number): Promise<{ subjects: string[]; items: string[]; pairs: [number, number][]; received: number[] }> {
  const byEvent = new Map(cfg.interactions.map((x) => [x.event, x.property.split('.')]));
  const names = [...byEvent.keys()];
  const subjectIndex = new Map<string, number>();
  const itemIndex = new Map<string, number>();
  const pairs: [number, number][] = [];
  const received: number[] = [];
  await forEachEvent(ctx.store, async (e) => {
    const m = e.message;
    const path = m.type === 'track' ? byEvent.get(m.event ?? '') : undefined;
    if (!path || m.timestamp < from) return;
    // Merged-away ids count as the profile they joined (an embedded store's rows may lag a running server by a checkpoint).
    const subject = (await e.subject())?.id ?? e.profileId;
    const s = subjectIndex.get(subject) ?? subjectIndex.set(subject, subjectIndex.size).get(subject)!;
    for (const v of extract(m.properties ?? {}, path)) {
      if (v === null || v === undefined || typeof v === 'object') continue;
      const id = String(v);
      const i = itemIndex.get(id) ?? itemIndex.set(id, itemIndex.size).get(id)!;
      pairs.push([s, i]);
      received.push(m.receivedAt);
    }
  }, { mayMatch: (json) => names.some((ev) => json.includes(ev)) });
  return { subjects: [...subjectIndex.keys()], items: [...itemIndex.keys()], pairs, received };
}

/**
 * Fits the configured algorithm and cuts it to each item's strongest neighbours.
 *
 * @example
 * fitNeighbours(data, settings.get(recommendationsKind)); // { algorithm: 'ease', neighbours }
 */
export function fitNeighbours(data: Interactions, cfg: CompiledRecommendations): { algorithm: 'ease' | 'cooccurrence'; neighbours: Neighbours } {
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
 * Item neighbours from the interaction events of the last `windowDays` (EASE for catalogs up to
 * `easeMaxItems`, co-occurrence with shrinkage beyond), item popularity for the fallback, and a
 * held-out figure: recall@10 of one hidden item per sampled subject, against popularity's.
 *
 * @example
 * await trainModels(ctx, [recommendationsTrainer], ['recommendations'], 'cli');
 */
export const recommendationsTrainer: Trainer = {
  name: 'recommendations',
  description: 'Item neighbours (EASE or co-occurrence) and popularity from interaction events, with held-out recall@10.',
  async train(ctx) {
    const cfg = ctx.settings.get(recommendationsKind);
    if (!cfg.interactions.length) return { skipped: 'recommendations.interactions names no events' };
    const from = ctx.now - cfg.windowDays * DAY;
    const { subjects, items, pairs } = await readInteractions(ctx, cfg, from);
    if (items.length < 2 || subjects.length < 2) return { skipped: `too few interactions in the last ${cfg.windowDays} days (${subjects.length} subjects, ${items.length} items)` };
    const data = buildInteractions(subjects.length, items.length, pairs.map((p) => p[0]), pairs.map((p) => p[1]));
    const recall = heldOutRecall(data, (train) => fitNeighbours(train, cfg).neighbours, { seed: 0, sample: 1000, k: 10 });
    const { algorithm, neighbours } = fitNeighbours(data, cfg);
    const state: RecommendationsState = { algorithm, items, popularity: [...itemCounts(data)], neighbours };
    return {
      state,
      metrics: { algorithm, subjects: subjects.length, items: items.length, interactions: pairs.length, windowDays: cfg.windowDays, ...recall },
      dataFrom: from,
      dataTo: ctx.now,
    };
  },
};
