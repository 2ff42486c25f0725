import type { CompiledFeature } from '../profiles/features/definition.js';
import { featureValue } from '../profiles/features/state.js';
import type { ProfileState } from '../profiles/profile-state.js';

const DAY = 86_400_000;

/**
 * A profile's features as numbers for clustering: numbers as they are, times as days since,
 * sets as their size, booleans as 0/1, anything else (or an undefined feature) as 0.
 *
 * @example
 * featureVector(state, compiledFeatures, ['orders', 'revenue', 'last_order_at'], Date.now()); // [3, 120.5, 12.4]
 */
export function featureVector(state: ProfileState, features: readonly CompiledFeature[], names: readonly string[], now: number): number[] {
  const byName = new Map(features.map((f) => [f.def.name, f]));
  return names.map((name) => {
    const f = byName.get(name);
    return f ? asNumber(featureValue(f, state.features[name], now), now) : 0;
  });
}

function asNumber(v: unknown, now: number): number {
  if (typeof v === 'number') return Number.isFinite(v) ? v : 0;
  if (v instanceof Date) return (now - v.getTime()) / DAY;
  if (Array.isArray(v)) return v.length;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && v.trim() && Number.isFinite(Number(v))) return Number(v);
  return 0;
}
