import { afterEach, describe, expect, it } from 'vitest';
import { afterTraining, get, harness, type Harness } from '../../test/harness.js';
import { ingest, track } from '../store/conformance/learn-helpers.js';
import type { MicroSegmentsState } from './segment-lookup.js';

const config = {
  features: [{ name: 'revenue', kind: 'sum', event: 'Order Completed', property: 'revenue' }],
  segments: {
    audiences: [{ name: 'cluster_0', when: 'microSegment == 0' }, { name: 'cluster_1', when: 'microSegment == 1' }],
    microSegments: { features: ['revenue'], k: 2, minSubjects: 4 },
  },
};

describe('a segment rule that reads the micro-segment', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('admits its members as soon as a micro-segments version goes live, not at the next event or sweep', async () => {
    const t = (h = await harness('sqlite', { config }));
    const at = Date.now() - 60_000;
    await ingest(t, Array.from({ length: 12 }, (_, i) => track(`u-${i}`, 'Order Completed', { revenue: i % 2 ? 1000 : 10 }, at + i)));
    const members = async () => ((await get(t.app, '/v1/segments')).json().segments as { name: string; members: number }[]).map((s) => s.members);
    // No model yet: `microSegment` is null, no one is in either.
    expect(await members()).toEqual([0, 0]);
    const [v1] = await t.tact.learning.train(['micro-segments']);
    await afterTraining();
    expect(v1.promotion).toMatchObject({ promoted: true });
    await t.tact.learning.settled();
    expect(await members()).toEqual([6, 6]);
    const events = (await get(t.app, '/v1/segments/cluster_0/events')).json().events as { kind: string; reason: string }[];
    expect(events.map((e) => `${e.kind}:${e.reason}`)).toEqual(Array(6).fill('entry:model'));

    // A version that puts everyone in cluster 0 (its other centroid out of reach), forced live, then rolled back.
    const { registry } = t.tact.learning;
    const live = (await registry.live<MicroSegmentsState>('micro-segments'))!;
    const lumped = { ...live.state, model: { ...live.state.model, centroids: [0, 1e9] } };
    const { version } = await registry.register('micro-segments', { state: lumped, metrics: {}, dataFrom: null, dataTo: Date.now() }, 'test');
    expect(await registry.promote('micro-segments', version, { actor: 'test', force: true, reason: 'test' })).toMatchObject({ promoted: true });
    await t.tact.learning.settled();
    expect(await members()).toEqual([12, 0]);
    await registry.rollback('micro-segments', { actor: 'test', reason: 'test' });
    await t.tact.learning.settled();
    expect(await members()).toEqual([6, 6]);
  });
});

describe('a micro-segments version going live', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('re-evaluates only the segments whose rule reads the micro-segment: a rule on features is left to its events, not recorded as `model`', async () => {
    const withBig = { ...config, segments: { ...config.segments, audiences: [...config.segments.audiences, { name: 'big', when: 'features.revenue >= 500.0' }] } };
    const t = (h = await harness('sqlite', { config: withBig }));
    const at = Date.now() - 60_000;
    await ingest(t, Array.from({ length: 12 }, (_, i) => track(`u-${i}`, 'Order Completed', { revenue: i % 2 ? 1000 : 10 }, at + i)));
    await t.tact.learning.settled();
    const bigEvents = async () => ((await get(t.app, '/v1/segments/big/events')).json().events as { reason: string }[]).map((e) => e.reason);
    expect(await bigEvents()).toEqual(Array(6).fill('event'));
    // u-0's revenue crosses 500 in its stored state with no event read for it yet (as when the
    // events' consumer lags behind the model's going live): the model must not record that entry.
    const id = (await get(t.app, '/v1/profiles/u-0')).json().id as string;
    await t.store.profiles.mutateProfiles([id], (states) => {
      for (const s of states.values()) s.features.revenue = { ...s.features.revenue, s: 5000 };
    });
    const [v1] = await t.tact.learning.train(['micro-segments']);
    await afterTraining();
    expect(v1.promotion).toMatchObject({ promoted: true });
    await t.tact.learning.settled();
    // Until 2026-12-05 every segment was swept, and u-0's entry into `big` was recorded as `model`.
    expect(await bigEvents()).toEqual(Array(6).fill('event'));
  });
});
