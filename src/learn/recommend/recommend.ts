/**
 * Recommendations for a subject: personal scores (EASE or co-occurrence) from the subject's fresh
 * history, business filters, popularity to fill what personal evidence cannot, and one
 * explanation per item ("because you viewed X", "popular with other customers").
 */
import { type CooccurrenceModel, cooccurrenceScores } from './cooccurrence.js';
import { type EaseModel, easeScores } from './ease.js';
import { type Neighbours, neighbourScores } from './neighbours.js';

/** The personal scorer in use. */
export type PersonalModel = { kind: 'ease'; model: EaseModel } | { kind: 'cooccurrence'; model: CooccurrenceModel } | { kind: 'neighbours'; model: Neighbours };

/** Why an item is recommended. */
export type Reason = { kind: 'because-you-viewed'; item: number } | { kind: 'popular' };

/** One recommended item. */
export interface Recommendation {
  item: number;
  score: number;
  source: 'personal' | 'population';
  reason: Reason;
  explanation: string;
}

/** A request: the subject's history as of now (so this morning's purchase is already in it). */
export interface RecommendRequest {
  history: ArrayLike<number>;
  /** Items never to recommend because the subject already bought them. */
  purchased?: ArrayLike<number>;
  /** Items out of stock. */
  outOfStock?: ArrayLike<number>;
  /** Business rule: recommend only items for which this returns true. */
  allow?: (item: number) => boolean;
  /** Also drop items already in the history (default true). */
  excludeHistory?: boolean;
  limit: number;
  /** Item label for explanations (default "item 17"). */
  label?: (item: number) => string;
}

/**
 * Personal scores and the strongest contributing history item, per item.
 *
 * @example
 * personalScores({ kind: 'ease', model: ease }, [3, 9]);
 */
export function personalScores(personal: PersonalModel, history: ArrayLike<number>): { scores: Float64Array; because: Int32Array } {
  if (personal.kind === 'neighbours') return neighbourScores(personal.model, history);
  return personal.kind === 'ease' ? easeScores(personal.model, history) : cooccurrenceScores(personal.model, history);
}

/**
 * Top items for a subject, filtered and explained.
 *
 * @example
 * recommend({ personal: { kind: 'cooccurrence', model }, popularity: counts }, { history: [3, 9], purchased: [9], limit: 5 });
 * // [{ item: 12, explanation: 'because you viewed item 3', source: 'personal', … }, …]
 */
export function recommend(models: { personal?: PersonalModel; popularity: ArrayLike<number> }, req: RecommendRequest): Recommendation[] {
  const label = req.label ?? ((i: number) => `item ${i}`);
  const blocked = new Set<number>([...Array.from(req.purchased ?? []), ...Array.from(req.outOfStock ?? [])]);
  if (req.excludeHistory ?? true) for (let h = 0; h < req.history.length; h++) blocked.add(req.history[h]);
  // The rule (CEL over the item, some microseconds each) is asked lazily, best candidates first,
  // and once per item: a list of 10 from a catalog of 20,000 asks about a dozen items, not all.
  const verdicts = new Map<number, boolean>();
  const ok = (i: number) => {
    if (blocked.has(i)) return false;
    if (!req.allow) return true;
    let v = verdicts.get(i);
    if (v === undefined) verdicts.set(i, (v = req.allow(i)));
    return v;
  };
  const out: Recommendation[] = [];
  const taken = new Set<number>();
  if (models.personal && req.history.length > 0) {
    const { scores, because } = personalScores(models.personal, req.history);
    const order = Array.from({ length: scores.length }, (_, i) => i).filter((i) => scores[i] > 0 && because[i] >= 0).sort((a, b) => scores[b] - scores[a] || a - b);
    for (const i of order) {
      if (out.length >= req.limit) break;
      if (!ok(i)) continue;
      out.push({ item: i, score: scores[i], source: 'personal', reason: { kind: 'because-you-viewed', item: because[i] }, explanation: `because you viewed ${label(because[i])}` });
      taken.add(i);
    }
  }
  if (out.length < req.limit) {
    const pop = models.popularity;
    const order = Array.from({ length: pop.length }, (_, i) => i).filter((i) => pop[i] > 0 && !taken.has(i)).sort((a, b) => pop[b] - pop[a] || a - b);
    for (const i of order) {
      if (out.length >= req.limit) break;
      if (!ok(i)) continue;
      out.push({ item: i, score: pop[i], source: 'population', reason: { kind: 'popular' }, explanation: 'popular with other customers' });
    }
  }
  return out;
}
