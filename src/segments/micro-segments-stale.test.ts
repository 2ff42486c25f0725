import { afterEach, describe, expect, it } from 'vitest';
import { afterTraining, get, harness, type Harness } from '../../test/harness.js';
import { featuresKind } from '../profiles/features/features-kind.js';
import { ingest, putConfig, track } from '../store/conformance/learn-helpers.js';
import { microSegmentsStatus } from './micro-segments-status.js';
import type { MicroSegmentsState } from './segment-lookup.js';

const revenue = { name: 'revenue', kind: 'sum', event: 'Order Completed', property: 'revenue' } as const;
const orders = { name: 'orders', kind: 'count', event: 'Order Completed' } as const;
const micro = { features: ['revenue'], k: 2, minSubjects: 4 };
const audiences = [{ name: 'cluster_0', when: 'microSegment == 0' }, { name: 'cluster_1', when: 'microSegment == 1' }];
const config = { features: [revenue, orders], segments: { audiences, microSegments: micro } };

type Listed = { segments: { name: string; members: number }[]; microSegments: { modelVersion: string; status: string; reason?: string } | null };
const listed = async (h: Harness) => (await get(h.app, '/v1/segments')).json() as Listed;

describe('the status of a micro-segments version against the features in force', () => {
  const compiled = featuresKind.compile([revenue, orders]);
  const model = { k: 2, d: 1, mean: [0], sd: [1], centroids: [0, 1], sizes: [1, 1], modelVersion: 'micro-segments' };
  const state: MicroSegmentsState = { features: ['revenue'], model, explained: 1, definitions: [compiled[0].hash] };

  it('is live while the features it clustered are defined as they were and are the ones configured', () => {
    expect(microSegmentsStatus(state, compiled, ['revenue'])).toEqual({ status: 'live' });
    // No micro-segments configured any more: the version is what there is, unchanged.
    expect(microSegmentsStatus(state, compiled, null)).toEqual({ status: 'live' });
  });

  it('needs retraining when one of them was redefined, removed, or the configured list changed, and says which', () => {
    const redefined = featuresKind.compile([{ ...revenue, property: 'amount' }, orders]);
    expect(microSegmentsStatus(state, redefined, ['revenue'])).toEqual({ status: 'needs-retraining', reason: expect.stringContaining('`revenue` was redefined') });
    expect(microSegmentsStatus(state, featuresKind.compile([orders]), ['revenue'])).toEqual({ status: 'needs-retraining', reason: expect.stringContaining('`revenue` is no longer defined') });
    expect(microSegmentsStatus(state, compiled, ['revenue', 'orders'])).toEqual({ status: 'needs-retraining', reason: expect.stringContaining('`orders`') });
    // A version stored before definitions were kept with it: only what can be told (a feature gone, the list).
    const { definitions: _, ...old } = state;
    expect(microSegmentsStatus(old, redefined, ['revenue'])).toEqual({ status: 'live' });
    expect(microSegmentsStatus(old, featuresKind.compile([orders]), ['revenue'])).toMatchObject({ status: 'needs-retraining' });
  });
});

describe('a micro-segments version whose features changed after it was trained', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('is no longer applied: `microSegment` is null, its rules lose their members, GET /v1/segments says it needs retraining; a new training goes live', async () => {
    const t = (h = await harness('sqlite', { config }));
    const at = Date.now() - 60_000;
    await ingest(t, Array.from({ length: 12 }, (_, i) => track(`u-${i}`, 'Order Completed', { revenue: i % 2 ? 1000 : 10, amount: i < 6 ? 5 : 500 }, at + i)));
    const [v1] = await t.tact.learning.train(['micro-segments']);
    await afterTraining();
    expect(v1.promotion).toMatchObject({ promoted: true });
    await t.tact.learning.settled();
    expect((await listed(t)).segments.map((s) => s.members)).toEqual([6, 6]);
    expect((await listed(t)).microSegments).toMatchObject({ modelVersion: 'micro-segments@1', status: 'live' });
    const state = async () => (await t.store.profiles.getProfile((await t.store.profiles.findProfileId('userId', 'u-1'))!))!;
    expect(await t.tact.learning.lookup.microSegment(await state(), Date.now())).not.toBeNull();

    // `revenue` now sums another property: the clusters' means and centroids are in the old one's units.
    expect((await putConfig(t, 'features', [{ ...revenue, property: 'amount' }, orders])).statusCode).toBe(200);
    await t.tact.backfill.runAll();
    await t.tact.learning.settled();
    expect(await t.tact.learning.lookup.microSegment(await state(), Date.now())).toBeNull();
    expect((await t.tact.learning.ladderPosition(await state())).microSegment).toBeNull();
    const after = await listed(t);
    expect(after.microSegments).toMatchObject({ modelVersion: 'micro-segments@1', status: 'needs-retraining', reason: expect.stringContaining('`revenue` was redefined') });
    expect(after.segments.map((s) => s.members)).toEqual([0, 0]);
    const exits = (await get(t.app, '/v1/segments/cluster_0/events')).json().events as { kind: string; reason: string }[];
    expect(exits.slice(0, 6).map((e) => `${e.kind}:${e.reason}`)).toEqual(Array(6).fill('exit:feature'));

    // Retrained on the new definition: the stale version is no basis for a comparison, and the new one goes live.
    const [v2] = await t.tact.learning.train(['micro-segments']);
    await afterTraining();
    expect(v2.promotion?.promoted, v2.promotion?.reason).toBe(true);
    expect(v2.promotion?.reason).toContain('no longer applied');
    await t.tact.learning.settled();
    expect((await listed(t)).microSegments).toMatchObject({ modelVersion: 'micro-segments@2', status: 'live' });
    expect((await listed(t)).segments.map((s) => s.members).sort()).toEqual([6, 6]);
    expect(await t.tact.learning.lookup.microSegment(await state(), Date.now())).toMatchObject({ modelVersion: 'micro-segments@2' });
  });

  it('is no longer applied once the configured micro-segment features differ from those it clustered', async () => {
    const t = (h = await harness('sqlite', { config }));
    const at = Date.now() - 60_000;
    await ingest(t, Array.from({ length: 12 }, (_, i) => track(`u-${i}`, 'Order Completed', { revenue: i % 2 ? 1000 : 10 }, at + i)));
    await t.tact.learning.train(['micro-segments']);
    await t.tact.learning.settled();
    expect((await putConfig(t, 'segments', { audiences, microSegments: { ...micro, features: ['revenue', 'orders'] } })).statusCode).toBe(200);
    await t.tact.learning.settled();
    await t.tact.consumers.runAll();
    expect((await listed(t)).microSegments).toMatchObject({ status: 'needs-retraining', reason: expect.stringContaining('`orders`') });
    const state = (await t.store.profiles.getProfile((await t.store.profiles.findProfileId('userId', 'u-1'))!))!;
    expect(await t.tact.learning.lookup.microSegment(state, Date.now())).toBeNull();
    expect((await listed(t)).segments.map((s) => s.members)).toEqual([0, 0]);
    // A change of the segments document: the exits are its replay's, reason `definition` (docs/models.md said `feature` until 2026-12-05).
    for (const name of ['cluster_0', 'cluster_1']) {
      const events = (await get(t.app, `/v1/segments/${name}/events`)).json().events as { kind: string; reason: string }[];
      expect(events.slice(0, 6).map((e) => `${e.kind}:${e.reason}`)).toEqual(Array(6).fill('exit:definition'));
    }
  });
});
