import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { bearer, get, harness, KEYS, send, type Harness } from '../../../test/harness.js';
import { testDir } from '../../../test/tmp.js';
import type { Message } from '../../collect/message.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import { FeatureBackfill } from './backfill.js';
import { compileFeature, type FeatureDefinition } from './definition.js';
import { applyToFeature, featureValue, mergeFeature, type FeatureState } from './state.js';

// The bounded unique set keeps the `limit` values seen most recently (event time; values seen at
// the same time ordered by value), least recent first. The expected lists below are that rule
// worked out by hand: take each value's last time, sort ascending, keep the last `limit`.

const bought = (limit: number): FeatureDefinition => ({ name: 'bought', kind: 'unique', event: 'Order Completed', property: 'sku', limit });
const msg = (t: number, sku: string, id = `m${t}-${sku}`): Message => ({ messageId: id, type: 'track', event: 'Order Completed', properties: { sku }, context: {}, timestamp: t, receivedAt: t });
const fold = (def: FeatureDefinition, ms: Message[]) => ms.reduce<FeatureState | undefined>((s, m) => applyToFeature(compileFeature(def), s, m), undefined);
const value = (def: FeatureDefinition, s: FeatureState | undefined) => featureValue(compileFeature(def), s, 0);

describe('bounded unique set: the most recently seen values', () => {
  it('a value seen again moves to the most recent end, so a full set drops the value seen once long ago', () => {
    // a@1 b@2 a@3 c@4, limit 2: last seen a=3, b=2, c=4 → [a, c]
    expect(value(bought(2), fold(bought(2), [msg(1, 'a'), msg(2, 'b'), msg(3, 'a'), msg(4, 'c')]))).toEqual(['a', 'c']);
  });

  it('a late event with an older time does not make its value more recent', () => {
    // a@1 b@5 c@6, then a@3 arrives: last seen a=3, b=5, c=6 → limit 2 keeps [b, c]
    expect(value(bought(2), fold(bought(2), [msg(1, 'a'), msg(5, 'b'), msg(6, 'c'), msg(3, 'a')]))).toEqual(['b', 'c']);
  });

  it('a merge keeps the values seen last across both profiles, not those of the profile seen last', () => {
    // A: a@1 c@3, B: b@2, limit 2: last seen a=1, b=2, c=3 → [b, c]
    const def = bought(2);
    const f = compileFeature(def);
    expect(value(def, mergeFeature(f, fold(def, [msg(1, 'a'), msg(3, 'c')]), fold(def, [msg(2, 'b')])))).toEqual(['b', 'c']);
    expect(value(def, mergeFeature(f, fold(def, [msg(2, 'b')]), fold(def, [msg(1, 'a'), msg(3, 'c')])))).toEqual(['b', 'c']);
  });

  it('merging the states of two event sets, in either order, equals folding their union in any order (property)', () => {
    const ev = fc.record({ t: fc.integer({ min: 0, max: 40 }), sku: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f') });
    fc.assert(
      fc.property(fc.array(ev, { maxLength: 15 }), fc.array(ev, { maxLength: 15 }), fc.integer({ min: 1, max: 7 }), fc.func(fc.integer()), (xs, ys, limit, shuffleKey) => {
        const def = bought(limit);
        const f = compileFeature(def);
        const A = xs.map((e, i) => msg(e.t, e.sku, `a${i}`));
        const B = ys.map((e, i) => msg(e.t, e.sku, `b${i}`));
        const union = [...A, ...B];
        const shuffled = [...union].sort((p, q) => shuffleKey(p.messageId) - shuffleKey(q.messageId));
        const whole = fold(def, union);
        expect(value(def, fold(def, shuffled))).toEqual(value(def, whole));
        expect(value(def, mergeFeature(f, fold(def, A), fold(def, B)))).toEqual(value(def, whole));
        expect(value(def, mergeFeature(f, fold(def, B), fold(def, A)))).toEqual(value(def, whole));
      }),
      { numRuns: 300 },
    );
  });
});

describe('bounded unique set: events with many values, and states from before the times were kept', () => {
  const many = (limit: number): FeatureDefinition => ({ name: 'bought', kind: 'unique', event: 'Order Completed', property: 'skus[]', limit });
  const order = (t: number, skus: unknown[], id = `o${t}`): Message => ({ messageId: id, type: 'track', event: 'Order Completed', properties: { skus }, context: {}, timestamp: t, receivedAt: t });
  /** The rule worked out directly: each value's last time, sorted by (time, value), the last `limit`. */
  const rule = (events: Array<[number, unknown[]]>, limit: number) => {
    const last = new Map<string, number>();
    for (const [t, vs] of events) for (const v of vs) if (v !== null && typeof v !== 'object') last.set(String(v), Math.max(t, last.get(String(v)) ?? -Infinity));
    return [...last].sort(([ka, ta], [kb, tb]) => ta - tb || (ka < kb ? -1 : ka > kb ? 1 : 0)).map(([k]) => k).slice(-limit);
  };

  it('a fold of events with several values each, repeats and nulls among them, is the rule (property)', () => {
    const ev = fc.tuple(fc.integer({ min: 0, max: 30 }), fc.array(fc.oneof(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g'), fc.constant(null), fc.integer({ min: 0, max: 3 })), { maxLength: 6 }));
    fc.assert(
      fc.property(fc.array(ev, { maxLength: 10 }), fc.integer({ min: 1, max: 6 }), (events, limit) => {
        const s = events.reduce<FeatureState | undefined>((acc, [t, vs], i) => applyToFeature(compileFeature(many(limit)), acc, order(t, vs, `e${i}`)), undefined);
        expect(value(many(limit), s) ?? []).toEqual(rule(events, limit));
      }),
      { numRuns: 300 },
    );
  });

  it('one event of 3,000 new values into a full set of 10,000 keeps the 10,000 most recent (one merge, not a pass over the set per value)', () => {
    const def = many(10_000);
    const f = compileFeature(def);
    const first = Array.from({ length: 10_000 }, (_, i) => `v${i}`);
    const s = applyToFeature(f, undefined, order(1, first));
    const next = Array.from({ length: 3_000 }, (_, i) => `w-${String(i).padStart(4, "0")}`).reverse();
    applyToFeature(f, s, order(2, next));
    expect(s.u!.slice(-3)).toEqual([...next].sort().slice(-3));
    expect(s.u!.length).toBe(10_000);
  });

  it('a state written before the times were kept keeps its values in their order, least recent first', () => {
    // Before `ut`, `u` was kept least recent first: z was seen longest ago. A new value in a full set
    // of 3 drops z, as it did then (sorting the old values by name dropped a, seen after z).
    const def = bought(3);
    const old: FeatureState = { h: compileFeature(def).hash, n: 3, t0: 1000, t1: 5000, u: ['z', 'a', 'm'] };
    expect(value(def, applyToFeature(compileFeature(def), old, msg(6000, 'q')))).toEqual(['a', 'm', 'q']);
    // An event at t0 or before is older than every old value, one after t0's millisecond newer.
    const again: FeatureState = { h: compileFeature(def).hash, n: 3, t0: 1000, t1: 5000, u: ['z', 'a', 'm'] };
    expect(value(def, applyToFeature(compileFeature(def), again, msg(1000, 'q')))).toEqual(['z', 'a', 'm']);
    // Merged with a state with times: the old values in their order, each at t0 (within its millisecond).
    const f = compileFeature(def);
    const legacy: FeatureState = { h: f.hash, n: 2, t0: 1000, t1: 5000, u: ['y', 'b'] };
    const timed = fold(def, [msg(999, 'c'), msg(1001, 'd')]);
    expect(value(def, mergeFeature(f, legacy, timed))).toEqual(['y', 'b', 'd']);
    expect(value(def, mergeFeature(f, timed, legacy))).toEqual(['y', 'b', 'd']);
  });
});

describe('bounded unique set in a store (SQLite)', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await h?.close();
    h = undefined;
  });

  const order = (userId: string, minute: number, sku: string) => ({ type: 'track', userId, event: 'Order Completed', messageId: `o-${userId}-${minute}-${sku}`, timestamp: new Date(1_700_000_000_000 + minute * 60_000).toISOString(), properties: { sku } });

  it('a backfill in chunks gives the same set as the feature had from the start', async () => {
    h = await harness('sqlite');
    // Before the feature: a@1 b@2; after it: c@3. Limit 2: last seen a=1, b=2, c=3 → [b, c].
    for (const [m, sku] of [[1, 'a'], [2, 'b']] as const) expect((await send(h.app, '/v1/track', order('u1', m, sku))).statusCode).toBe(200);
    // The server's own backfill is held back so this test runs one in chunks of one event.
    vi.spyOn(h.tact.backfill, 'runAll').mockResolvedValue();
    const res = await h.app.inject({ method: 'POST', url: '/v1/features', headers: { authorization: bearer(KEYS.admin), 'content-type': 'application/json' }, payload: bought(2) });
    expect(res.statusCode, res.body).toBeLessThan(300);
    expect((await send(h.app, '/v1/track', order('u1', 3, 'c'))).statusCode).toBe(200);
    await new FeatureBackfill(h.store, h.tact.settings, { chunk: 1 }).runAll();
    const p = (await get(h.app, '/v1/profiles/u1')).json() as { features: Record<string, { value: unknown }> };
    expect(p.features.bought.value).toEqual(['b', 'c']);
  });

  it('is the same after a restart that replays the log, merges included', async () => {
    const path = join(testDir('tact-unique-'), 'tact.db');
    const config = { features: [bought(3)] };
    const store1 = await openSqliteStore({ path, checkpointMs: 3_600_000, checkpointDirty: 1e9 });
    const h1 = await harness('sqlite', { store: store1, config });
    const skus = ['a', 'b', 'c', 'd', 'e'];
    for (let i = 0; i < 24; i++) {
      // out-of-order times, repeats, and anonymous visitors merged into the users
      const minute = (i * 7) % 24;
      await send(h1.app, '/v1/batch', { batch: [
        { ...order(`r-${i % 3}`, minute, skus[(i * 3) % 5]), type: 'track' },
        { type: 'track', anonymousId: `ra-${i}`, event: 'Order Completed', messageId: `v-${i}`, timestamp: new Date(1_700_000_000_000 + ((i * 5) % 24) * 60_000).toISOString(), properties: { sku: skus[i % 5] } },
        { type: 'identify', userId: `r-${i % 3}`, anonymousId: `ra-${i}` },
      ] });
    }
    const before = [];
    for (let u = 0; u < 3; u++) before.push((await get(h1.app, `/v1/profiles/r-${u}`)).json().features.bought.value);
    // a crash: no checkpoint of the changed states
    await h1.app.close();
    store1.db.close();
    const store2 = await openSqliteStore({ path });
    const h2 = await harness('sqlite', { store: store2, config });
    for (let u = 0; u < 3; u++) expect((await get(h2.app, `/v1/profiles/r-${u}`)).json().features.bought.value).toEqual(before[u]);
    await h2.close();
    await store2.close();
  });
});
