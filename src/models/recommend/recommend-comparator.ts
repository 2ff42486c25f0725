import type { Settings } from '../../config/settings.js';
import { buildInteractions, itemCounts } from '../../learn/recommend/interactions.js';
import type { Neighbours } from '../../learn/recommend/neighbours.js';
import { pairedHitDifference } from '../../learn/recommend/paired-hits.js';
import type { Store } from '../../store/store.js';
import { type CompareVersions, type Comparison, unseenBy } from '../registry/registry.js';
import { topK } from './recall.js';
import { fitNeighboursOffThread } from './fit-neighbours.js';
import { type RecommendationsState, readInteractions } from './recommend-trainer.js';
import { recommendationsKind } from './recommendations-kind.js';

/** Held-out subjects needed before a comparison can say anything. */
export const MIN_HELD_OUT = 30;
const K = 10;
const DAY = 86_400_000;

/**
 * The rule, on paired hits (did each version's top 10 hold the subject's held-out item): the
 * candidate may go live unless it is significantly worse — the upper end of the 95% interval of
 * recall(candidate) − recall(live) below 0 — and only with at least MIN_HELD_OUT subjects. The
 * interval is Newcombe's square-and-add for paired proportions (paired-hits.ts): the normal
 * approximation on the differences collapses to a point when every subject differs the same way
 * (45 hits against 45 misses gave [1, 1]) and is too narrow with few discordant subjects. The same
 * recall for both (a tie) favours neither: better is false, and the summary says "no difference".
 *
 * Too few held-out subjects are said with the window they were counted in: an interaction received
 * after the live version's training began and by the candidate's (`liveDataTo`, `candidateDataTo`:
 * each version's `dataTo`, named when given). Interactions received since the candidate was trained
 * are in no window of its: the sentence once read "only 0 subjects interacted after version 1 was
 * trained … or wait" while 61 had, all after version 2's training, and waiting never adds one to
 * version 2's count (a newer version's window holds them).
 *
 * @example
 * compareHits([true, false, …], [false, false, …], { candidate: 2, live: 1 }).better; // true
 */
export function compareHits(candidate: readonly boolean[], live: readonly boolean[], versions: { candidate: number; live: number; liveDataTo?: number; candidateDataTo?: number }): Comparison {
  const n = candidate.length;
  const rc = candidate.filter(Boolean).length / Math.max(n, 1);
  const rl = live.filter(Boolean).length / Math.max(n, 1);
  if (n < MIN_HELD_OUT) {
    const at = (t: number | undefined) => (t === undefined ? '' : ` (${new Date(t).toISOString()})`);
    const window = `between the training of version ${versions.live}${at(versions.liveDataTo)} and that of version ${versions.candidate}${at(versions.candidateDataTo)}`;
    return {
      better: false,
      inconclusive: true,
      summary: `only ${n} subjects had an interaction received ${window}, and an earlier one with another item to rank from (at least ${MIN_HELD_OUT} are needed to compare held-out recall@${K}); interactions received since are not in version ${versions.candidate}'s data: promote it by hand (\`tact models promote --force\`), or train a new version once more subjects have interacted`,
      figures: { heldOut: n },
    };
  }
  const { difference, low, high } = pairedHitDifference(candidate.map(Number), live.map(Number));
  const ci: [number, number] = [round(low), round(high)];
  // Equal hit counts: the same recall, which favours neither version.
  const tie = difference === 0;
  const better = !tie && high >= 0;
  const words = `on ${n} held-out subjects recall@${K} is ${round(rc)} for version ${versions.candidate} against ${round(rl)} for version ${versions.live} (difference ${round(difference)}, 95% Newcombe interval [${ci[0]}, ${ci[1]}])`;
  const verdict = tie ? `no difference between version ${versions.candidate} and version ${versions.live}` : better ? 'the candidate is not worse' : 'the candidate is worse';
  return { better, summary: `${words}: ${verdict}`, figures: { heldOut: n, candidateRecall: round(rc), liveRecall: round(rl), difference: round(difference), ci, k: K, ...(tie ? { tie: true } : {}) } };
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/**
 * Compares two `recommendations` versions before the candidate replaces the live one. The log
 * cannot: a recommendation placement's answers are deterministic (propensity 1), so nothing
 * off-policy can be said. Instead, on what only the candidate could have learned from: every
 * subject with an interaction after the live version's data window (and an earlier one) has its
 * latest interaction held out; the candidate's configuration is refitted on everything else in its
 * window; both rank the subject's remaining history as the service does (personal neighbours,
 * popularity filling in, history excluded) and a hit is the held-out item in the top 10. The live
 * version never saw the held-out interactions, and the refit did not either.
 *
 * @example
 * registry.setComparator('recommendations', recommendationsComparator({ store, settings }));
 */
export function recommendationsComparator(o: { store: Store; settings: Settings }): CompareVersions {
  return async (candidate, live) => {
    const cfg = o.settings.get(recommendationsKind);
    const { subjects, items, pairs, received } = await readInteractions({ store: o.store }, cfg, candidate.dataFrom ?? candidate.dataTo - cfg.windowDays * DAY);
    // Each subject's latest interaction received since the live version was trained, held out. By
    // the time Tact received it, not the event's own timestamp: a late event with an old
    // timestamp was not seen by the live version either.
    const latest = new Map<number, number>();
    pairs.forEach(([s], p) => {
      if (!unseenBy(live, received[p]) || received[p] > candidate.dataTo) return;
      const q = latest.get(s);
      if (q === undefined || received[p] >= received[q]) latest.set(s, p);
    });
    const keep = pairs.filter((_, p) => received[p] <= candidate.dataTo && latest.get(pairs[p][0]) !== p);
    const train = buildInteractions(subjects.length, items.length, keep.map((x) => x[0]), keep.map((x) => x[1]));
    // In a worker thread, as the training's fits: the server keeps answering while it refits.
    const refit = (await fitNeighboursOffThread(train, cfg)).neighbours;
    const pop = itemCounts(train);
    const byPopularity = Array.from({ length: items.length }, (_, i) => i).sort((a, b) => pop[b] - pop[a] || a - b);
    const l = live.state as RecommendationsState;
    const liveIndex = new Map(l.items.map((id, i) => [id, i]));
    const liveByPopularity = Array.from({ length: l.items.length }, (_, i) => i).sort((a, b) => l.popularity[b] - l.popularity[a] || a - b);
    const hitsCandidate: boolean[] = [];
    const hitsLive: boolean[] = [];
    for (const [s, p] of latest) {
      const history = train.bySubject[s];
      if (!history.length) continue;
      const held = pairs[p][1];
      if (history.includes(held)) continue; // seen again later: not held out
      hitsCandidate.push(topK(refit, byPopularity, history, K).has(held));
      const liveHistory = Array.from(history, (i) => liveIndex.get(items[i])).filter((i): i is number => i !== undefined);
      const liveHeld = liveIndex.get(items[held]);
      hitsLive.push(liveHeld !== undefined && topK(l.neighbours as Neighbours, liveByPopularity, liveHistory, K).has(liveHeld));
    }
    return compareHits(hitsCandidate, hitsLive, { candidate: candidate.version, live: live.version, liveDataTo: live.dataTo, candidateDataTo: candidate.dataTo });
  };
}
