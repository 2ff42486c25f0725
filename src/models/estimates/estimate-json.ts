import type { Estimate } from '../../learn/estimate.js';

/**
 * An Estimate as stored JSON: an unbounded interval end (−∞, +∞) or an undefined value (NaN) is
 * written as null, since JSON has no infinities, and read back as what it was.
 *
 * @example
 * encodeEstimate({ ...e, low: -Infinity }); // '{"value":…,"low":null,…}'
 */
export function encodeEstimate(e: Estimate | null): string | null {
  if (!e) return null;
  return JSON.stringify({ ...e, value: finite(e.value), low: finite(e.low), high: finite(e.high) });
}

/**
 * Reads an encoded estimate back (null ends become −∞ / +∞, a null value NaN).
 *
 * @example
 * decodeEstimate('{"value":1,"low":null,"high":null,…}').low; // -Infinity
 */
export function decodeEstimate(text: string | null): Estimate | null {
  if (text === null) return null;
  const e = JSON.parse(text) as Estimate & { value: number | null; low: number | null; high: number | null };
  return { ...e, value: e.value ?? NaN, low: e.low ?? -Infinity, high: e.high ?? Infinity };
}

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);
