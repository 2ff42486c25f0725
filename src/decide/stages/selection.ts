import type { ContactRoom } from './contact-policy.js';
import type { Candidate } from './types.js';

/** One rank of the answer: a candidate, or doing nothing. */
export interface Pick {
  candidate?: Candidate;
  score: number;
  /** Exact probability of this pick at its rank, given the picks above it. */
  propensity: number;
  /** Bound on the numerical error of `propensity` (bandit selection: quadrature; ε-greedy: none). */
  propensityError?: number;
  /**
   * The probability this rank's draw had of picking `option` (undefined: "none"; 0 when it was not
   * among the draw's options). Set only when an option of the draw would be held for review if
   * picked ({@link heldIfPicked}): the pipeline then sums the routes to the held action's stand-in.
   */
  chance?: (option: Candidate | undefined) => number;
  /** False when exploration chose something other than the best-scoring option. */
  greedy: boolean;
  /** The best-scoring option at this rank (what a greedy choice would have been). */
  best: Candidate | undefined;
  bestScore: number;
}

/**
 * Selection with exploration: at each rank, with probability 1 − ε the best-scoring remaining
 * option (ties: doing nothing first, then catalog order), with probability ε one drawn uniformly
 * from the K remaining options, "none" included. The propensity is exact:
 * π(best) = 1 − ε + ε/K, π(other) = ε/K. The expected share of non-greedy choices is
 * ε(1 − 1/K) ≤ ε, the policy's exploration budget. Ranks are drawn one after another without
 * replacement; the list ends at "none" or after `slots` picks. With `fits`, an option that would
 * pass a contact cap or budget together with the picks above it is not among a rank's options.
 * A pick held for review is shown as `standIn` (the safe default), which then leaves the options.
 *
 * @example
 * select(scored, { noneScore: 0, exploration: 0.05, slots: 1, random: Math.random });
 * // [{ candidate: winback, score: 1.47, propensity: 0.975, greedy: true, … }]
 */
export function select(candidates: readonly Candidate[], o: { noneScore: number; exploration: number; slots: number; random: () => number; fits?: ContactRoom; standIn?: Candidate }): Pick[] {
  // The options are the scored candidates themselves and one marker for "none" (no wrapper object
  // per candidate: a decision weighs a hundred).
  const options: (Candidate | typeof NONE)[] = [NONE];
  for (const c of candidates) if (!c.out && c.score !== undefined) options.push(c);
  const scoreOf = (x: Candidate | typeof NONE) => (x === NONE ? o.noneScore : (x.score as number));
  // The comparator answers -1, 0 or 1 (a small integer): a fractional difference would be boxed
  // into a new heap number at each of the sort's comparisons.
  options.sort((a, b) => Math.sign(scoreOf(b) - scoreOf(a)) || orderOf(a) - orderOf(b));
  const eps = Math.min(1, Math.max(0, o.exploration));
  const picks: Pick[] = [];
  const taken: Candidate[] = [];
  while (picks.length < o.slots && options.length) {
    // The contact policy's caps and budgets hold for the decision's choices together (contactRoom).
    if (o.fits && taken.length) for (let j = options.length - 1; j >= 0; j--) if (options[j] !== NONE && !o.fits(options[j] as Candidate, taken)) options.splice(j, 1);
    const k = options.length;
    let i = 0;
    if (eps > 0 && k > 1 && o.random() < eps) i = Math.min(k - 1, Math.floor(o.random() * k));
    const chosen = options[i];
    const best = options[0];
    const propensity = k === 1 ? 1 : eps / k + (i === 0 ? 1 - eps : 0);
    const pick: Pick = { candidate: chosen === NONE ? undefined : chosen, score: scoreOf(chosen), propensity, greedy: i === 0, best: best === NONE ? undefined : best, bestScore: scoreOf(best), chance: undefined };
    if (options.some((x) => x !== NONE && heldIfPicked(x))) {
      // The draw's options as they were (the list is cut below): only decisions where a held action could be picked pay for the copy.
      const drawn = options.slice();
      pick.chance = (x) => {
        const j = drawn.indexOf(x ?? NONE);
        return j < 0 ? 0 : k === 1 ? 1 : eps / k + (j === 0 ? 1 - eps : 0);
      };
    }
    picks.push(pick);
    if (chosen === NONE) break;
    options.splice(i, 1);
    const shown = standInFor(chosen, o.standIn, options, taken, o.fits);
    // Held with nothing to stand in: the list ends there (the pipeline shows "none").
    if (shown === null) break;
    taken.push(shown);
  }
  return picks;
}

/**
 * What a rank shows for the option it picked: the option itself, or — picked but held for review —
 * the placement's safe default in its place, taken out of the options of the ranks below (it is
 * shown already, so they draw from what is left and their logged propensities are those draws'),
 * or null when the safe default cannot stand in (shown above, excluded, or past a cap with the
 * ranks above). The same rule as the pipeline's `standIn` (pipeline.ts).
 *
 * @example
 * standInFor(loan, banner, options, taken, fits); // banner (removed from options)
 */
export function standInFor<T>(chosen: Candidate, standIn: Candidate | undefined, options: T[], taken: readonly Candidate[], fits?: ContactRoom): Candidate | null {
  if (!heldIfPicked(chosen)) return chosen;
  const j = standIn ? options.indexOf(standIn as T) : -1;
  if (!standIn || j < 0 || (fits && !fits(standIn, taken))) return null;
  options.splice(j, 1);
  return standIn;
}

/**
 * Whether a candidate, if selection picks it, is held for a person's review (high-stakes, not
 * approved yet) and the placement's safe default — or nothing — is shown in its place.
 *
 * @example
 * heldIfPicked(loan); // true while its review is pending
 */
export function heldIfPicked(c: Candidate): boolean {
  return c.review === 'review' || c.review === 'pending';
}

/** "None" among the options of `select`. */
const NONE = Symbol('none');
const orderOf = (x: Candidate | typeof NONE) => (x === NONE ? -1 : x.action.order);

/**
 * A content variant drawn uniformly among the approved ones, with its probability.
 *
 * @example
 * pickVariant(action.variants, Math.random); // { variant: { id: 'b', … }, probability: 0.5 }
 */
export function pickVariant<V>(variants: readonly V[], random: () => number): { variant: V | undefined; probability: number } {
  if (!variants.length) return { variant: undefined, probability: 1 };
  const i = Math.min(variants.length - 1, Math.floor(random() * variants.length));
  return { variant: variants[i], probability: 1 / variants.length };
}
