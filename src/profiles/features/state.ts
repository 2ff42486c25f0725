import type { Message } from '../../collect/message.js';
import type { CompiledFeature } from './definition.js';
import { runReadable } from '../../rules/cel-readable.js';
import { extract, featureNumber } from './property-values.js';
import { isMissingKey, noteWhereError } from './where-errors.js';

export { extract, MAX_FEATURE_NUMBER } from './property-values.js';

/**
 * The running aggregate of one feature on one profile. Every kind is a mergeable summary
 * (counts and sums add, minima and maxima compare, decayed sums align then add, unique sets
 * unite), so two profiles merge exactly and a backfill of old events combines with live updates.
 */
export interface FeatureState {
  /** Hash of the definition this state was computed under. */
  h: string;
  /** Number of matching events (of values, for sum, mean, min, max, decayed_sum and unique: mean divides by it). */
  n: number;
  /**
   * sum, mean, min, max, decayed_sum and unique: number of events that gave one or more values
   * (`products[].id` gives several). Absent on states written before it was kept (2026-12-05):
   * those count `n` as their events, and an event folded into one adds to that.
   */
  e?: number;
  s?: number;
  lo?: number;
  hi?: number;
  /** First and last times (ms) of the events counted (for a property kind, those with a value it took). */
  t0?: number;
  t1?: number;
  /** Decayed value `d` as of time `dt`. */
  d?: number;
  dt?: number;
  /** Unique values, least recently seen first (by event time; values seen at the same time in value order). */
  u?: string[];
  /**
   * When each value of `u` was last seen (event time, ms), in the same order. Absent on states
   * written before it was kept: those values count as seen at `t0`.
   */
  ut?: number[];
  /** Last value and its time. */
  lv?: unknown;
  lt?: number;
}

/**
 * Does this message count toward the feature? A `where` that fails on it does not match; unless
 * it failed on a key the event lacks (an ordinary non-match), the failure is counted on
 * `f.whereErrors` — a value of another type than the filter compares (`"revenue": "120"` against
 * `> 100`) would otherwise leave the feature short of events with no one told.
 */
export function matches(f: CompiledFeature, m: Message): boolean {
  const d = f.def;
  if (d.type && m.type !== d.type) return false;
  if (d.event && m.event !== d.event) return false;
  if (!f.where) return true;
  const vars = { event: m.event ?? null, name: m.name ?? null, category: m.category ?? null, type: m.type, properties: m.properties ?? {}, traits: m.traits ?? {}, context: m.context };
  try {
    // Read again with objects holding a `constructor` key as Maps, as every rule is (cel-readable.ts).
    return runReadable(f.where, vars) === true;
  } catch (err) {
    if (!isMissingKey(err)) noteWhereError(f.whereErrors, err, m);
    return false;
  }
}

/**
 * Folds one matching message into the feature's state (creating it when absent) and returns it.
 *
 * @example
 * let s = applyToFeature(f, undefined, msg); s = applyToFeature(f, s, msg2);
 */
export function applyToFeature(f: CompiledFeature, state: FeatureState | undefined, m: Message): FeatureState {
  const s: FeatureState = state && state.h === f.hash ? state : { h: f.hash, n: 0 };
  const t = m.timestamp;
  const kind = f.def.kind;
  // identify and group calls carry `traits` (the person's, the account's) and no `properties`.
  const values = f.path ? extract(m.type === 'identify' || m.type === 'group' ? m.traits : m.properties, f.path) : undefined;
  if (kind === 'count' || kind === 'first_seen' || kind === 'last_seen' || kind === 'decayed_count') {
    s.n += 1;
    span(s, t);
    if (kind === 'decayed_count') decayAdd(s, 1, decayTime(m), f.halfLifeMs);
    return s;
  }
  if (!values || values.length === 0) return s;
  if (kind === 'unique') {
    if (!s.u || !s.ut || s.ut.length !== s.u.length) [s.u, s.ut] = uniqueOf(s);
    // One value (the common case) is placed by `see`; several in one pass by `seeAll`.
    let one: string | undefined;
    let several: Set<string> | undefined;
    const before = s.n;
    for (const v of values) {
      if (v === null || v === undefined || typeof v === 'object') continue;
      const k = String(v);
      if (one === undefined) one = k;
      else if (k !== one) (several ??= new Set([one])).add(k);
      s.n += 1;
    }
    if (s.n > before) s.e = (s.e ?? before) + 1;
    if (several) [s.u, s.ut] = seeAll(s.u, s.ut, several, t);
    else if (one !== undefined) see(s.u, s.ut, one, t);
    if (s.u.length > f.limit) {
      s.u.splice(0, s.u.length - f.limit);
      s.ut.splice(0, s.ut.length - f.limit);
    }
    if (s.n > before) span(s, t);
    return s;
  }
  if (kind === 'last_value') {
    const v = values[values.length - 1];
    if (s.lt === undefined || t >= s.lt) {
      s.lv = v;
      s.lt = t;
    }
    s.n += 1;
    span(s, t);
    return s;
  }
  let counted = false;
  const before = s.n;
  for (const raw of values) {
    const x = featureNumber(raw);
    if (x === undefined) continue;
    counted = true;
    s.n += 1;
    s.s = (s.s ?? 0) + x;
    s.lo = s.lo === undefined ? x : Math.min(s.lo, x);
    s.hi = s.hi === undefined ? x : Math.max(s.hi, x);
    if (kind === 'decayed_sum') decayAdd(s, x, decayTime(m), f.halfLifeMs);
  }
  // An event whose values were none of them numbers is no evidence: it does not date the feature.
  if (counted) {
    s.e = (s.e ?? before) + 1;
    span(s, t);
  }
  return s;
}

/** Combines two states of the same feature definition (profile merge, backfill). */
export function mergeFeature(f: CompiledFeature | undefined, a: FeatureState | undefined, b: FeatureState | undefined): FeatureState | undefined {
  if (!a || (f && a.h !== f.hash)) return b && (!f || b.h === f.hash) ? b : undefined;
  if (!b || (f && b.h !== f.hash)) return a;
  const r: FeatureState = { h: a.h, n: a.n + b.n };
  if (a.e !== undefined || b.e !== undefined) r.e = (a.e ?? a.n) + (b.e ?? b.n);
  if (a.s !== undefined || b.s !== undefined) r.s = (a.s ?? 0) + (b.s ?? 0);
  r.lo = minDef(a.lo, b.lo);
  r.hi = maxDef(a.hi, b.hi);
  r.t0 = minDef(a.t0, b.t0);
  r.t1 = maxDef(a.t1, b.t1);
  if (a.dt !== undefined || b.dt !== undefined) {
    const half = f?.halfLifeMs ?? 0;
    const ref = maxDef(a.dt, b.dt) as number;
    r.d = decayTo(a, ref, half) + decayTo(b, ref, half);
    r.dt = ref;
  }
  if (a.u || b.u) {
    // Each value at its latest time on either side, then the most recent `limit`: the same set a
    // fold of both sides' events gives (a value one side dropped was behind `limit` newer ones there).
    const last = new Map<string, number>();
    for (const side of [a, b]) {
      const [u, ut] = uniqueOf(side);
      u.forEach((k, i) => {
        const cur = last.get(k);
        if (cur === undefined || ut[i] > cur) last.set(k, ut[i]);
      });
    }
    const all = [...last].sort(([ka, ta], [kb, tb]) => (ta !== tb ? ta - tb : ka < kb ? -1 : ka > kb ? 1 : 0));
    const kept = f && all.length > f.limit ? all.slice(all.length - f.limit) : all;
    r.u = kept.map(([k]) => k);
    r.ut = kept.map(([, t]) => t);
  }
  if (a.lt !== undefined || b.lt !== undefined) {
    const src = (a.lt ?? -Infinity) >= (b.lt ?? -Infinity) ? a : b;
    r.lv = src.lv;
    r.lt = src.lt;
  }
  for (const k of Object.keys(r) as (keyof FeatureState)[]) if (r[k] === undefined) delete r[k];
  return r;
}

/**
 * The feature's value as rules and the API see it at time `now`: a number, a time, a list of
 * values, the last value, or null when nothing has been seen.
 */
export function featureValue(f: CompiledFeature, s: FeatureState | undefined, now: number): number | Date | string[] | unknown | null {
  const live = s && s.h === f.hash ? s : undefined;
  switch (f.def.kind) {
    case 'count': return live?.n ?? 0;
    case 'sum': return live?.s ?? 0;
    case 'mean': return live && live.n > 0 && live.s !== undefined ? live.s / live.n : null;
    case 'min': return live?.lo ?? null;
    case 'max': return live?.hi ?? null;
    case 'first_seen': return live?.t0 !== undefined ? new Date(live.t0) : null;
    case 'last_seen': return live?.t1 !== undefined ? new Date(live.t1) : null;
    case 'decayed_count':
    case 'decayed_sum': return live ? decayTo(live, Math.max(now, live.dt ?? now), f.halfLifeMs) : 0;
    case 'unique': return live?.u ? [...live.u] : [];
    case 'last_value': return live?.lv ?? null;
  }
}

/**
 * How many events a feature counted: `events` on the profile. A state of a property kind written
 * before its events were kept apart from its values reads its values as its events.
 */
export function featureEvents(s: FeatureState): number {
  return s.e ?? s.n;
}

/**
 * A unique state's values and last-seen times, as new arrays ordered oldest first. A state
 * written before the times were kept held its values least recent first: they keep that order,
 * at times within the millisecond after `t0` (t0 + i/(k + 1) for the i-th of k, 1-based), so each is
 * newer than an event at t0 or before and older than one after (event times are whole ms).
 */
function uniqueOf(s: FeatureState): [string[], number[]] {
  const u = s.u ?? [];
  if (s.ut && s.ut.length === u.length) return [[...u], [...s.ut]];
  const at = s.t0 ?? 0;
  return [[...u], u.map((_, i) => at + (i + 1) / (u.length + 1))];
}

/**
 * `see` for several distinct values at one time `t` (the set is used up), in one pass: O(n + k log k) for k values
 * into n, where a `see` each is O(n) a value (an event of 3,000 values into a set of 10,000 took
 * 150 ms). Values already seen at `t` or later stay; the others leave their places and join at `t`,
 * in value order — what a `see` of each gives, in any order.
 */
function seeAll(u: string[], ut: number[], fresh: Set<string>, t: number): [string[], number[]] {
  const keptU: string[] = [];
  const keptT: number[] = [];
  for (let i = 0; i < u.length; i++) {
    if (fresh.has(u[i])) {
      if (ut[i] < t) continue;
      fresh.delete(u[i]);
    }
    keptU.push(u[i]);
    keptT.push(ut[i]);
  }
  const add = [...fresh].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  const outU: string[] = [];
  const outT: number[] = [];
  let j = 0;
  for (let i = 0; i < keptU.length; i++) {
    // The new values go before the first kept one later than (t, value).
    while (j < add.length && (t < keptT[i] || (t === keptT[i] && add[j] < keptU[i]))) {
      outU.push(add[j++]);
      outT.push(t);
    }
    outU.push(keptU[i]);
    outT.push(keptT[i]);
  }
  for (; j < add.length; j++) {
    outU.push(add[j]);
    outT.push(t);
  }
  return [outU, outT];
}

/**
 * Notes that value `k` was seen at `t`: it takes the later of its times and its place among the
 * values ordered by (time, value), oldest first. Scans from the recent end, where new values land.
 */
function see(u: string[], ut: number[], k: string, t: number): void {
  const i = u.indexOf(k);
  if (i >= 0) {
    if (ut[i] >= t) return;
    u.splice(i, 1);
    ut.splice(i, 1);
  }
  let j = u.length;
  while (j > 0 && (t < ut[j - 1] || (t === ut[j - 1] && k < u[j - 1]))) j--;
  u.splice(j, 0, k);
  ut.splice(j, 0, t);
}

function span(s: FeatureState, t: number): void {
  if (s.t0 === undefined || t < s.t0) s.t0 = t;
  if (s.t1 === undefined || t > s.t1) s.t1 = t;
}

/**
 * The time a decayed feature weighs an event from: its time, or its receipt when it is dated
 * after it (collection takes times up to a day ahead: a client that writes its local time as
 * UTC). A decayed state is its sum as of its newest time, read at `max(now, that time)`: an event
 * dated 12 h ahead made every real event count 2^−12 of itself under a 1-h half-life until the
 * clock caught up (QA 2026-12-06: 1.00037 for events at +12 h, 0 h and −1 h; now 2.5). So dated,
 * it counts fully when received and decays from there, and the state's time is never ahead of
 * the server's clock.
 */
function decayTime(m: Message): number {
  const r = m.receivedAt;
  return typeof r === 'number' && Number.isFinite(r) && r < m.timestamp ? r : m.timestamp;
}

function decayAdd(s: FeatureState, w: number, t: number, half: number): void {
  if (s.dt === undefined || s.d === undefined) {
    s.d = w;
    s.dt = t;
  } else if (t >= s.dt) {
    s.d = s.d * Math.pow(2, -(t - s.dt) / half) + w;
    s.dt = t;
  } else {
    s.d += w * Math.pow(2, -(s.dt - t) / half);
  }
}

function decayTo(s: FeatureState, ref: number, half: number): number {
  if (s.d === undefined || s.dt === undefined) return 0;
  return half > 0 ? s.d * Math.pow(2, -(ref - s.dt) / half) : s.d;
}

function minDef(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}
function maxDef(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.max(a, b);
}
