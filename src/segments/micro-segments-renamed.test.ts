import { afterEach, describe, expect, it } from 'vitest';
import { get, type Harness, type StoreKind } from '../../test/harness.js';
import { featuresKind } from '../profiles/features/features-kind.js';
import { ingest, putConfig, track } from '../store/conformance/learn-helpers.js';
import { clusterAudiences, orders, placedIn, revenue, twoClusters, twoMicroSegments } from './two-clusters-fixture.js';
import { definitionsOf, microSegmentsStatus } from './micro-segments-status.js';
import type { MicroSegmentsState } from './segment-lookup.js';

const spend = { ...revenue, name: 'spend' } as const;

describe('the status of a micro-segments version one of whose features was renamed', () => {
  const compiled = featuresKind.compile([revenue, orders]);
  const model = { k: 2, d: 2, mean: [0, 0], sd: [1, 1], centroids: [0, 0, 1, 1], sizes: [1, 1], modelVersion: 'micro-segments' };
  const state: MicroSegmentsState = { features: ['revenue', 'orders'], model, explained: 1, definitions: definitionsOf(compiled, ['revenue', 'orders']) };

  it('is live, reading the feature under its new name, when the same definition is in force under it', () => {
    // `revenue` renamed `spend` (a feature's hash does not hold its name), and the list names `spend`.
    expect(microSegmentsStatus(state, featuresKind.compile([spend, orders]), ['spend', 'orders'])).toEqual({ status: 'live', renamed: { revenue: 'spend' } });
    expect(microSegmentsStatus(state, featuresKind.compile([orders, spend]), ['orders', 'spend'])).toEqual({ status: 'live', renamed: { revenue: 'spend' } });
    // No micro-segments configured: the one feature defined as `revenue` was is it.
    expect(microSegmentsStatus(state, featuresKind.compile([spend, orders]), null)).toEqual({ status: 'live', renamed: { revenue: 'spend' } });
    // Midway (both defined, the list already names `spend`): the same values, read under the old name, whose state is whole.
    expect(microSegmentsStatus(state, featuresKind.compile([revenue, spend, orders]), ['spend', 'orders'])).toEqual({ status: 'live' });
  });

  it('needs retraining when the new name holds another definition, when it cannot be told which feature it became, or when the list does not name it', () => {
    expect(microSegmentsStatus(state, featuresKind.compile([{ ...spend, property: 'amount' }, orders]), ['spend', 'orders']))
      .toEqual({ status: 'needs-retraining', reason: expect.stringContaining('`revenue` is no longer defined') });
    // Two features defined as `revenue` was, neither configured: which one it became cannot be told.
    const twice = featuresKind.compile([spend, { ...revenue, name: 'takings' }, orders]);
    expect(microSegmentsStatus(state, twice, null)).toMatchObject({ status: 'needs-retraining' });
    // … the configured one is it.
    expect(microSegmentsStatus(state, twice, ['takings', 'orders'])).toEqual({ status: 'live', renamed: { revenue: 'takings' } });
    // Renamed, but the list names another feature: the list changed.
    expect(microSegmentsStatus(state, featuresKind.compile([spend, orders]), ['orders'])).toEqual({ status: 'needs-retraining', reason: expect.stringContaining('`segments.microSegments.features` now names `orders`') });
    // A version stored before definitions were kept with it: a rename cannot be told.
    const { definitions: _, ...old } = state;
    expect(microSegmentsStatus(old, featuresKind.compile([spend, orders]), ['spend', 'orders'])).toMatchObject({ status: 'needs-retraining' });
  });
});

describe.each<StoreKind>(['sqlite', 'postgres'])('a live micro-segments version after a clustered feature is renamed (%s)', (kind) => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('stays applied: every subject keeps its micro-segment, segment rules keep their members, and a new event moves a subject by the renamed feature', async () => {
    const { t, ids, before } = await twoClusters(kind, (opened) => (h = opened));
    const listed = async () => (await get(t.app, '/v1/segments')).json() as { segments: { members: number }[]; microSegments: { status: string; reason?: string; renamed?: Record<string, string> } };
    const profile = async (u: string) => (await t.store.profiles.getProfile((await t.store.profiles.findProfileId('userId', u))!))!;
    const placed = () => placedIn(t, ids);
    expect(new Set(before).size).toBe(2);
    expect((await listed()).segments.map((s) => s.members)).toEqual([6, 6]);

    // The rename as the API allows it: add `spend`, move the micro-segments to it, remove `revenue`.
    expect((await putConfig(t, 'features', [revenue, spend, orders])).statusCode).toBe(200);
    await t.tact.backfill.runAll();
    expect((await putConfig(t, 'segments', { audiences: clusterAudiences, microSegments: twoMicroSegments(['spend', 'orders']) })).statusCode).toBe(200);
    expect((await listed()).microSegments).toMatchObject({ status: 'live' });
    const removed = await putConfig(t, 'features', [spend, orders]);
    expect(removed.statusCode, removed.body).toBe(200);
    await t.tact.backfill.runAll();
    await t.tact.learning.settled();
    await t.tact.consumers.runAll();

    expect((await listed()).microSegments).toMatchObject({ status: 'live', renamed: { revenue: 'spend' } });
    expect(await placed()).toEqual(before);
    expect((await t.tact.learning.ladderPosition(await profile('u-0'))).microSegment).toMatchObject({ modelVersion: 'micro-segments@1', index: before[0] });
    expect((await listed()).segments.map((s) => s.members)).toEqual([6, 6]);

    // u-0 spent little; a large order moves it to the big spenders' cluster — read from `spend`.
    await ingest(t, [track('u-0', 'Order Completed', { revenue: 1990 }, Date.now() - 1000)]);
    expect((await t.tact.learning.lookup.microSegment(await profile('u-0'), Date.now()))?.index).toBe(before[1]);
  });
});
