import { buildInteractions, itemCounts } from '../../learn/recommend/interactions.js';
import type { Neighbours } from '../../learn/recommend/neighbours.js';
import { extract } from '../../profiles/features/state.js';
import { forEachEvent } from '../train/subjects.js';
import type { Trainer, TrainContext } from '../train/trainer.js';
import { fitRecommendationsOffThread } from './fit-neighbours.js';
import { type CompiledRecommendations, recommendationsKind } from './recommendations-kind.js';

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
 * Item neighbours from the interaction events of the last `windowDays` (EASE for catalogs up to
 * `easeMaxItems`, co-occurrence with shrinkage beyond), item popularity for the fallback, and a
 * held-out figure: recall@10 of one hidden item per sampled subject, against popularity's. The
 * fits run off the main thread (fit-neighbours.ts): the server answers while it trains.
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
    // The fits run in a worker thread: on this one they held every request for as long as they
    // took (EASE at 2,000 items: a 66-s training, a recommendation unanswered throughout).
    const { recall, algorithm, neighbours } = await fitRecommendationsOffThread(data, cfg);
    const state: RecommendationsState = { algorithm, items, popularity: [...itemCounts(data)], neighbours };
    return {
      state,
      metrics: { algorithm, subjects: subjects.length, items: items.length, interactions: pairs.length, windowDays: cfg.windowDays, ...recall },
      dataFrom: from,
      dataTo: ctx.now,
    };
  },
};
