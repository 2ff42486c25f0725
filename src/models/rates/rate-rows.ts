import type { StoredEstimate } from '../estimates/estimate-store.js';
import type { CompiledRate } from './rates-kind.js';

/**
 * What a rate row's state carries beside its counts: the definition it was counted under, and the
 * last event folded in under it. A rate redefined under the same name (another exposure, success
 * or window) is counted again from the start of the log; the row keeps its higher `seq` (the store
 * never takes a row back to an older one), so the replay's freshness is `folded`.
 */
interface Counted {
  def?: string;
  folded?: number;
}

/** Each compiled rate's definition string (rateDefinition). */
const definitions = new WeakMap<CompiledRate, string>();

/**
 * The part of a rate's definition that decides what is counted (not its name, width or description).
 *
 * @example
 * rateDefinition(rate); // '["Email Delivered","Email Opened",259200000]'
 */
export function rateDefinition(r: CompiledRate): string {
  // Read for every row an event touches: made once per compiled rate (a configuration version compiles its own).
  let d = definitions.get(r);
  if (d === undefined) definitions.set(r, (d = JSON.stringify([r.def.exposure, r.def.success, r.windowMs])));
  return d;
}

/**
 * Whether a stored rate row was counted under `r`'s definition. Rows written before 2026-12-06
 * carry none and are taken as counted under the definition in force (they cannot say otherwise).
 *
 * @example
 * const row = stored && countedUnder(stored, rate) ? stored : undefined; // another definition's row reads as empty
 */
export function countedUnder(row: Pick<StoredEstimate, 'state'>, r: CompiledRate): boolean {
  const def = (row.state as Counted | null)?.def;
  return def === undefined || def === rateDefinition(r);
}

/**
 * The last event folded into a rate row under its definition (an event at or below it is skipped).
 *
 * @example
 * if (e.seq > foldedTo(row)) { … }
 */
export const foldedTo = (row: StoredEstimate): number => (row.state as Counted).folded ?? row.seq;

/**
 * A rate row's state emptied for `r`'s definition when it was counted under another: `empty` is
 * the new state (trials for a subject, counts for a group). True when it was emptied.
 *
 * @example
 * restartIfRedefined(row, rate, newTrialState);
 */
export function restartIfRedefined(row: StoredEstimate, r: CompiledRate, empty: () => object): boolean {
  if (countedUnder(row, r)) return false;
  row.state = { ...empty(), def: rateDefinition(r), folded: 0 } satisfies Counted;
  row.estimate = null;
  return true;
}

/**
 * Records that event `seq` was folded into the row under `r`'s definition.
 *
 * @example
 * markFolded(row, rate, e.seq);
 */
export function markFolded(row: StoredEstimate, r: CompiledRate, seq: number): void {
  (row.state as Counted).folded = Math.max(foldedTo(row), seq);
  markCounted(row, r);
}

/**
 * Records that a (group) row counts under `r`'s definition.
 *
 * @example
 * markCounted(populationRow, rate);
 */
export function markCounted(row: StoredEstimate, r: CompiledRate): void {
  (row.state as Counted).def = rateDefinition(r);
}
