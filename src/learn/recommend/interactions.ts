/**
 * Interaction data for recommendations: which subject touched which item (viewed, bought),
 * as sorted unique item lists per subject — the input of co-occurrence, EASE and popularity.
 */

/** Items per subject (indices 0..items−1), each list sorted and unique. */
export interface Interactions {
  items: number;
  bySubject: Int32Array[];
}

/**
 * Builds interactions from parallel (subject, item) arrays.
 *
 * @example
 * buildInteractions(2, 3, [0, 0, 1], [2, 0, 2]); // bySubject: [[0, 2], [2]]
 */
export function buildInteractions(subjects: number, items: number, subject: ArrayLike<number>, item: ArrayLike<number>): Interactions {
  const sets = Array.from({ length: subjects }, () => new Set<number>());
  for (let i = 0; i < subject.length; i++) sets[subject[i]].add(item[i]);
  return { items, bySubject: sets.map((s) => Int32Array.from(s).sort()) };
}

/**
 * Number of subjects who touched each item.
 *
 * @example
 * itemCounts({ items: 3, bySubject: [Int32Array.from([0, 2]), Int32Array.from([2])] }); // [1, 0, 2]
 */
export function itemCounts(data: Interactions): Float64Array {
  const out = new Float64Array(data.items);
  for (const list of data.bySubject) for (const i of list) out[i] += 1;
  return out;
}
