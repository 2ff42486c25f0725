import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Message } from '../../collect/message.js';
import { compileFeature, parseDuration, type FeatureDefinition } from './definition.js';
import { applyToFeature, extract, featureEvents, featureValue, matches, mergeFeature, type FeatureState } from './state.js';

const msg = (t: number, properties: Record<string, unknown>): Message => ({ messageId: `m${t}`, type: 'track', event: 'Order Completed', properties, context: {}, timestamp: t, receivedAt: t });
const fold = (def: FeatureDefinition, ms: Message[]) => ms.reduce<FeatureState | undefined>((s, m) => applyToFeature(compileFeature(def), s, m), undefined);

describe('feature state', () => {
  it('computes each kind', () => {
    const ms = [msg(1000, { revenue: 10, sku: 'a' }), msg(3000, { revenue: 30, sku: 'b' }), msg(2000, { revenue: '20', sku: 'a' })];
    const v = (def: FeatureDefinition) => featureValue(compileFeature(def), fold(def, ms), 3000);
    expect(v({ name: 'c', kind: 'count', event: 'Order Completed' })).toBe(3);
    expect(v({ name: 's', kind: 'sum', event: 'Order Completed', property: 'revenue' })).toBe(60);
    expect(v({ name: 'm', kind: 'mean', event: 'Order Completed', property: 'revenue' })).toBe(20);
    expect(v({ name: 'lo', kind: 'min', event: 'Order Completed', property: 'revenue' })).toBe(10);
    expect(v({ name: 'hi', kind: 'max', event: 'Order Completed', property: 'revenue' })).toBe(30);
    expect(v({ name: 'f', kind: 'first_seen', event: 'Order Completed' })).toEqual(new Date(1000));
    expect(v({ name: 'l', kind: 'last_seen', event: 'Order Completed' })).toEqual(new Date(3000));
    expect(v({ name: 'lv', kind: 'last_value', event: 'Order Completed', property: 'sku' })).toBe('b');
    // last seen by event time: a at 2000, b at 3000 — least recent first
    expect(v({ name: 'u', kind: 'unique', event: 'Order Completed', property: 'sku' })).toEqual(['a', 'b']);
  });

  it('keeps a unique feature\'s values as text: 12 and "12" are one value, listed as "12" (as designed, docs/configuration.md)', () => {
    const def: FeatureDefinition = { name: 'u', kind: 'unique', event: 'Order Completed', property: 'sku' };
    const s = fold(def, [msg(1000, { sku: 12 }), msg(2000, { sku: '12' }), msg(3000, { sku: true }), msg(4000, { sku: 'true' }), msg(5000, { sku: 1.5 })]);
    expect(featureValue(compileFeature(def), s, 5000)).toEqual(['12', 'true', '1.5']);
    expect(s?.n).toBe(5);
  });

  it('halves a decayed count every half-life: 1 + 0.5 + 0.25 after events 2h, 1h and 0h ago with a 1h half-life', () => {
    const def: FeatureDefinition = { name: 'd', kind: 'decayed_count', event: 'Order Completed', halfLife: '1h' };
    const h = 3_600_000;
    const s = fold(def, [msg(0, {}), msg(h, {}), msg(2 * h, {})]);
    expect(featureValue(compileFeature(def), s, 2 * h)).toBeCloseTo(1.75, 12);
    expect(featureValue(compileFeature(def), s, 3 * h)).toBeCloseTo(0.875, 12);
  });

  it('weighs an event dated ahead of its receipt from its receipt: one such event does not make the real ones vanish (QA 2026-12-06)', () => {
    const def: FeatureDefinition = { name: 'd', kind: 'decayed_count', event: 'Order Completed', halfLife: '1h' };
    const h = 3_600_000;
    const now = 100 * h;
    // Received now: one dated 12 h ahead (a clock on local time written as UTC), one now, one an hour ago (late).
    const at = (t: number): Message => ({ ...msg(t, {}), receivedAt: now });
    const s = fold(def, [at(now + 12 * h), at(now), at(now - h)]);
    // 1 (counted as of its receipt) + 1 + 0.5; before, the sum was as of +12 h: 1 + 2^−12 + 2^−13 = 1.00037.
    expect(featureValue(compileFeature(def), s, now)).toBeCloseTo(2.5, 12);
    expect(featureValue(compileFeature(def), s, now + h)).toBeCloseTo(1.25, 12);
    const sum: FeatureDefinition = { name: 'ds', kind: 'decayed_sum', event: 'Order Completed', property: 'revenue', halfLife: '1h' };
    const t = fold(sum, [{ ...msg(now + 12 * h, { revenue: 10 }), receivedAt: now }, { ...msg(now, { revenue: 4 }), receivedAt: now }]);
    expect(featureValue(compileFeature(sum), t, now)).toBeCloseTo(14, 12);
  });

  it('ignores state computed under an earlier definition', () => {
    const a = fold({ name: 'x', kind: 'count', event: 'Order Completed' }, [msg(1, {})]);
    const changed = compileFeature({ name: 'x', kind: 'count', event: 'Order Completed', where: 'properties.revenue > 5.0' });
    expect(featureValue(changed, a, 1)).toBe(0);
  });

  it('reads list paths', () => {
    expect(extract({ products: [{ id: 'a' }, { id: 'b' }, {}] }, ['products[]', 'id'])).toEqual(['a', 'b']);
  });

  it('reads the traits of a group call, as of an identify: a group call carries no properties', () => {
    // Segment's group spec: a group call's payload is `traits` (the account's); it has no `properties`.
    const group: Message = { messageId: 'g1', type: 'group', groupId: 'acme', traits: { plan: 'pro', seats: 12 }, context: {}, timestamp: 1000, receivedAt: 1000 };
    const plan: FeatureDefinition = { name: 'account_plan', kind: 'last_value', type: 'group', property: 'plan' };
    const seats: FeatureDefinition = { name: 'seats', kind: 'max', type: 'group', property: 'seats' };
    expect(featureValue(compileFeature(plan), fold(plan, [group]), 1000)).toBe('pro');
    expect(featureValue(compileFeature(seats), fold(seats, [group]), 1000)).toBe(12);
  });

  it('parses durations', () => {
    expect(parseDuration('7d')).toBe(604_800_000);
    expect(parseDuration('90m')).toBe(5_400_000);
    expect(parseDuration('soon')).toBeUndefined();
  });

  it('does not add a value so large that sums of it overflow, so a sum reads the same after the state is stored as JSON', () => {
    // Found by QA: revenue 1200, 1.7e308, 1.7e308 summed to Infinity — shown as null, and after a
    // restart (JSON writes Infinity as null) read as 0, flipping the value tier. A value beyond
    // Number.MAX_VALUE / 2^53 (≈ 2e292) is not counted, as a non-numeric one is not.
    const ms = [msg(1000, { revenue: 1200 }), msg(2000, { revenue: 1.7e308 }), msg(3000, { revenue: '1.7e308' }), msg(4000, { revenue: -1e300 })];
    for (const kind of ['sum', 'mean', 'min', 'max', 'decayed_sum'] as const) {
      const def: FeatureDefinition = { name: kind, kind, event: 'Order Completed', property: 'revenue', ...(kind === 'decayed_sum' ? { halfLife: '1h' } : {}) };
      const f = compileFeature(def);
      const s = fold(def, ms) as FeatureState;
      const stored = JSON.parse(JSON.stringify(s)) as FeatureState;
      expect(featureValue(f, s, 1000), kind).toBe(1200);
      expect(featureValue(f, stored, 1000), kind).toBe(1200);
      expect([s.n, s.t0, s.t1], kind).toEqual([1, 1000, 1000]);
      // Merged with itself (two profiles joined), it stays finite.
      expect(featureValue(f, mergeFeature(f, stored, stored), 1000), kind).toBe(kind === 'sum' || kind === 'decayed_sum' ? 2400 : 1200);
    }
    // The largest value counted: 2^53 of them would not reach Number.MAX_VALUE.
    const big = { name: 's', kind: 'sum', event: 'Order Completed', property: 'revenue' } as const;
    expect(featureValue(compileFeature(big), fold(big, [msg(1, { revenue: 1e292 }), msg(2, { revenue: 1e292 })]), 2)).toBe(2e292);
  });

  it('dates a property feature by the events it counted: a non-numeric value is no evidence', () => {
    // Found by QA: a sum over "abc" read {"value":0,"events":0,"firstAt":…,"lastAt":…}.
    const sum: FeatureDefinition = { name: 's', kind: 'sum', event: 'Order Completed', property: 'revenue' };
    const none = fold(sum, [msg(1000, { revenue: 'abc' }), msg(2000, { revenue: null })]);
    expect(none && [none.n, none.t0, none.t1]).toEqual([0, undefined, undefined]);
    const some = fold(sum, [msg(1000, { revenue: 'abc' }), msg(2000, { revenue: 5 }), msg(3000, { revenue: 'abc' })]);
    expect(some && [some.n, some.t0, some.t1]).toEqual([1, 2000, 2000]);
    // A unique feature likewise counts no object or null as a value seen.
    const unique: FeatureDefinition = { name: 'u', kind: 'unique', event: 'Order Completed', property: 'sku' };
    const objects = fold(unique, [msg(1000, { sku: { id: 'a' } }), msg(2000, { sku: null }), msg(3000, { sku: 'b' }), msg(4000, { sku: [{}] })]);
    expect(objects && [objects.n, objects.t0, objects.t1, objects.u]).toEqual([1, 3000, 3000, ['b']]);
  });

  it('reads a property named like a JavaScript member from the event only (QA: `constructor`, `toString`, `laps.length`)', () => {
    const ms = [msg(1000, { constructor: 'Ferrari', laps: [1, 2, 3] }), msg(2000, { circuit: 'Monza' })];
    const value = (def: FeatureDefinition, states = fold(def, ms)) => featureValue(compileFeature(def), states, 2000);
    const teams: FeatureDefinition = { name: 'teams', kind: 'unique', event: 'Order Completed', property: 'constructor' };
    const last: FeatureDefinition = { name: 'last_team', kind: 'last_value', event: 'Order Completed', property: 'constructor' };
    expect(value(teams)).toEqual(['Ferrari']);
    expect(value(last)).toBe('Ferrari');
    // The second event has no `constructor`: it leaves the last value, which survives storage as JSON.
    expect(value(last, JSON.parse(JSON.stringify(fold(last, ms))) as FeatureState)).toBe('Ferrari');
    expect(fold(last, ms)?.n).toBe(1);
    expect(value({ name: 'tos', kind: 'unique', event: 'Order Completed', property: 'toString' })).toEqual([]);
    const len: FeatureDefinition = { name: 'len', kind: 'sum', event: 'Order Completed', property: 'laps.length' };
    expect([value(len), fold(len, ms)?.n]).toEqual([0, 0]);
  });

  it('matches a `where` on an event that sent a key named `constructor` (the evaluator fails on such an object)', () => {
    const f = compileFeature({ name: 'podiums', kind: 'count', event: 'Order Completed', where: 'properties.position <= 3.0' });
    expect(matches(f, msg(1, { position: 1.0, constructor: 'Ferrari' }))).toBe(true);
    expect(matches(f, msg(2, { position: 2.0, car: { constructor: 'Ferrari' } }))).toBe(true);
    expect(matches(f, msg(3, { position: 9.0, constructor: 'Ferrari' }))).toBe(false);
    const team = compileFeature({ name: 'ferrari', kind: 'count', event: 'Order Completed', where: 'properties.constructor == "Ferrari"' });
    expect([matches(team, msg(4, { constructor: 'Ferrari' })), matches(team, msg(5, { constructor: 'McLaren' })), matches(team, msg(6, {}))]).toEqual([true, false, false]);
    expect([f.whereErrors.count, team.whereErrors.count]).toEqual([0, 0]);
    // A type mismatch on such an event is still counted as a failure of the filter.
    expect(matches(f, msg(7, { position: 'first', constructor: 'Ferrari' }))).toBe(false);
    expect(f.whereErrors.count).toBe(1);
  });

  it('counts text that is a JSON number exactly, not hex, binary or octal text, "Infinity", padding, leading zeros nor a trailing point (QA: "0x10" summed as 16, "0012" and "1." summed)', () => {
    const ms = ['0x10', '0b11', '0o7', 'Infinity', ' 12 ', '0012', '1.', '\t4', '12', '1e1', 3].map((revenue, i) => msg(1000 * (i + 1), { revenue }));
    for (const [kind, want] of [['sum', 25], ['mean', 25 / 3], ['min', 3], ['max', 12]] as const) {
      const def: FeatureDefinition = { name: kind, kind, event: 'Order Completed', property: 'revenue' };
      expect(featureValue(compileFeature(def), fold(def, ms), 11000), kind).toBeCloseTo(want, 12);
      expect(fold(def, ms)?.t0, kind).toBe(9000);
    }
    const decayed: FeatureDefinition = { name: 'd', kind: 'decayed_sum', event: 'Order Completed', property: 'revenue', halfLife: '1000d' };
    expect(featureValue(compileFeature(decayed), fold(decayed, ms), 11000)).toBeCloseTo(25, 6);
  });

  it('counts each event once in `events`, however many values it gave; a mean is still over the values', () => {
    // QA: 4 events with 5 ids read `events: 5`.
    const ms = [msg(1000, { products: [{ id: 'a', price: 10 }, { id: 'b', price: 20 }] }), msg(2000, { products: [{ id: 'c', price: 30 }] }), msg(3000, { products: [{ id: 'a', price: 40 }] }), msg(4000, { products: [{ id: 'd', price: 50 }] }), msg(5000, { products: [] })];
    const ids: FeatureDefinition = { name: 'ids', kind: 'unique', event: 'Order Completed', property: 'products[].id' };
    const mean: FeatureDefinition = { name: 'price', kind: 'mean', event: 'Order Completed', property: 'products[].price' };
    const u = fold(ids, ms) as FeatureState;
    expect([featureEvents(u), featureValue(compileFeature(ids), u, 5000)]).toEqual([4, ['b', 'c', 'a', 'd']]);
    const m = fold(mean, ms) as FeatureState;
    expect([featureEvents(m), m.n, featureValue(compileFeature(mean), m, 5000)]).toEqual([4, 5, 30]);
    // A merge adds events as it adds values.
    for (const [def, s] of [[ids, u], [mean, m]] as const) {
      const merged = mergeFeature(compileFeature(def), s, fold(def, ms.slice(0, 1))) as FeatureState;
      expect(featureEvents(merged), def.name).toBe(5);
    }
  });

  it('reads a state stored before events were kept apart from values as before: its values are its events', () => {
    const mean: FeatureDefinition = { name: 'price', kind: 'mean', event: 'Order Completed', property: 'products[].price' };
    const f = compileFeature(mean);
    const old: FeatureState = { h: f.hash, n: 3, s: 60, lo: 10, hi: 30, t0: 1000, t1: 2000 };
    expect([featureEvents(old), featureValue(f, old, 2000)]).toEqual([3, 20]);
    const next = applyToFeature(f, { ...old }, msg(3000, { products: [{ price: 40 }, { price: 50 }] }));
    expect([featureEvents(next), next.n, featureValue(f, next, 3000)]).toEqual([4, 5, 30]);
    const merged = mergeFeature(f, { ...old }, fold(mean, [msg(3000, { products: [{ price: 40 }, { price: 50 }] })])) as FeatureState;
    expect([featureEvents(merged), merged.n]).toEqual([4, 5]);
    expect(featureEvents(mergeFeature(f, { ...old }, { ...old }) as FeatureState)).toBe(6);
  });

  it('merging the states of two event sets equals folding their union (property, every kind)', () => {
    const defs: FeatureDefinition[] = [
      { name: 'c', kind: 'count', event: 'Order Completed' },
      { name: 's', kind: 'sum', event: 'Order Completed', property: 'revenue' },
      { name: 'm', kind: 'mean', event: 'Order Completed', property: 'revenue' },
      { name: 'lo', kind: 'min', event: 'Order Completed', property: 'revenue' },
      { name: 'f', kind: 'first_seen', event: 'Order Completed' },
      { name: 'l', kind: 'last_seen', event: 'Order Completed' },
      { name: 'd', kind: 'decayed_sum', event: 'Order Completed', property: 'revenue', halfLife: '1h' },
      { name: 'lv', kind: 'last_value', event: 'Order Completed', property: 'sku' },
      { name: 'u', kind: 'unique', event: 'Order Completed', property: 'sku', limit: 2 },
    ];
    const ev = fc.record({ t: fc.integer({ min: 0, max: 10_000_000 }), revenue: fc.integer({ min: -50, max: 500 }), sku: fc.constantFrom('a', 'b', 'c') });
    fc.assert(
      fc.property(fc.array(ev, { maxLength: 12 }), fc.array(ev, { maxLength: 12 }), (xs, ys) => {
        const A = xs.map((e, i) => ({ ...msg(e.t, { revenue: e.revenue, sku: e.sku }), messageId: `a${i}` }));
        const B = ys.map((e, i) => ({ ...msg(e.t, { revenue: e.revenue, sku: e.sku }), messageId: `b${i}` }));
        for (const def of defs) {
          const f = compileFeature(def);
          const merged = mergeFeature(f, fold(def, A), fold(def, B));
          const whole = fold(def, [...A, ...B]);
          expect(merged && featureEvents(merged), def.name).toBe(whole && featureEvents(whole));
          const a = featureValue(f, merged, 20_000_000);
          const b = featureValue(f, whole, 20_000_000);
          if (typeof a === 'number' && typeof b === 'number') expect(a).toBeCloseTo(b, 6);
          else if (def.kind === 'last_value') {
            // ties in time may pick either value; with distinct latest times they agree
            const latest = [...A, ...B].map((m) => m.timestamp);
            const max = Math.max(...latest);
            if (latest.filter((t) => t === max).length === 1) expect(a).toEqual(b);
          } else expect(a).toEqual(b);
        }
      }),
      { numRuns: 200 },
    );
  });
});
