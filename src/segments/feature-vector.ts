import type { CompiledFeature } from '../profiles/features/definition.js';
import { featureValue } from '../profiles/features/state.js';
import type { ProfileState } from '../profiles/profile-state.js';

const DAY = 86_400_000;

/**
 * A profile's features as numbers for clustering: numbers as they are, times as days since,
 * sets as their size, booleans as 0/1. A feature with no value (a profile that never ordered has
 * no `last_order`; a non-numeric value; a feature no longer defined) is NaN: missing, filled by
 * {@link fillMissing} before it is clustered — not 0, which for a time would read "just now".
 * Each value is found by its feature's name and put in the place of that name in `names`: a
 * version is always read with the list it was fitted on (its `features`), whatever order
 * `segments.microSegments.features` lists them in now, and versions are matched column to column
 * by name (micro-segments-numbering.ts), never by position.
 *
 * @example
 * featureVector(state, compiledFeatures, ['orders', 'revenue', 'last_order_at'], Date.now()); // [3, 120.5, 12.4]
 * featureVector(neverOrdered, compiledFeatures, ['orders', 'revenue', 'last_order_at'], Date.now()); // [0, 0, NaN]
 */
export function featureVector(state: ProfileState, features: readonly CompiledFeature[], names: readonly string[], now: number): number[] {
  const byName = new Map(features.map((f) => [f.def.name, f]));
  return names.map((name) => {
    const f = byName.get(name);
    return f ? asNumber(featureValue(f, state.features[name], now), now) : NaN;
  });
}

function asNumber(v: unknown, now: number): number {
  if (typeof v === 'number') return Number.isFinite(v) ? v : NaN;
  if (v instanceof Date) return (now - v.getTime()) / DAY;
  if (Array.isArray(v)) return v.length;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && v.trim() && Number.isFinite(Number(v))) return Number(v);
  return NaN;
}

/**
 * The value each column takes where a row has none, from the rows that have one: for a recency
 * (`last_seen`, days since) the largest seen — "never" is longer ago than anyone's — and otherwise
 * their mean, which pulls the subject towards no cluster in particular; 0 when no row has a value.
 *
 * @example
 * missingFill(Float64Array.from([1, 2, NaN, 300]), 2, features, ['orders', 'last_order']); // [1, 300]
 */
export function missingFill(rows: ArrayLike<number>, d: number, features: readonly CompiledFeature[], names: readonly string[]): number[] {
  const kinds = new Map(features.map((f) => [f.def.name, f.def.kind as string]));
  return names.map((name, k) => {
    let sum = 0;
    let n = 0;
    let max = -Infinity;
    for (let i = k; i < rows.length; i += d) {
      const v = rows[i];
      if (Number.isNaN(v)) continue;
      sum += v;
      n++;
      max = Math.max(max, v);
    }
    if (!n) return 0;
    return kinds.get(name) === 'last_seen' ? max : sum / n;
  });
}

/**
 * Per feature that some rows have no value for, the share of rows without one (3 decimals): what
 * the training reports, since a feature no profile has a value for is filled alike for everyone
 * and weighs nothing in the clustering.
 *
 * @example
 * missingShares(Float64Array.from([1, NaN, 2, NaN, 3, 7]), 2, ['orders', 'basket']); // { basket: 0.667 }
 */
export function missingShares(rows: ArrayLike<number>, d: number, names: readonly string[]): Record<string, number> {
  const n = rows.length / d;
  const out: Record<string, number> = {};
  names.forEach((name, k) => {
    let none = 0;
    for (let i = k; i < rows.length; i += d) if (Number.isNaN(rows[i])) none++;
    if (none) out[name] = Math.round((none / n) * 1000) / 1000;
  });
  return out;
}

/**
 * The row with its missing values filled (a model stored before fills were kept: 0, as it was fitted).
 *
 * @example
 * fillMissing([0, NaN], [1, 300]); // [0, 300]
 */
export function fillMissing(x: readonly number[], fill: readonly number[] | undefined): number[] {
  return x.map((v, k) => (Number.isNaN(v) ? (fill?.[k] ?? 0) : v));
}
