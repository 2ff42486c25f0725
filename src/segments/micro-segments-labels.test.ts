import { afterEach, describe, expect, it } from 'vitest';
import { afterTraining, get, harness, type Harness } from '../../test/harness.js';
import { microSegmentOf } from '../learn/segments/micro-segments.js';
import type { ModelVersion } from '../models/registry/model-store.js';
import { ingest, track } from '../store/conformance/learn-helpers.js';
import type { MicroSegmentsState } from './segment-lookup.js';

const config = {
  features: [{ name: 'revenue', kind: 'sum', event: 'Order Completed', property: 'revenue' }],
  segments: { microSegments: { features: ['revenue'], k: 3, minSubjects: 4 } },
};

describe('a micro-segments version trained after another', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('keeps the live version\'s numbers for the clusters it finds again, so a rule `microSegment == 2` keeps its people', async () => {
    const t = (h = await harness('sqlite', { config }));
    const at = Date.now() - 60_000;
    // Three groups of spenders (about 10, 100 and 1,000), each group's customers in a block of the log.
    const orders = (from: number, n: number) => [10, 100, 1000].flatMap((base, g) => Array.from({ length: n }, (_, i) => track(`g${g}-${from + i}`, 'Order Completed', { revenue: base + ((from + i) % 3) }, at + g * 100 + from + i)));
    await ingest(t, orders(0, 10));
    const [v1] = await t.tact.learning.train(['micro-segments']);
    await afterTraining();
    expect(v1.promotion).toMatchObject({ promoted: true });
    // A few more customers in each group: the same three groups, found again.
    await ingest(t, orders(10, 3));
    const [v2] = await t.tact.learning.train(['micro-segments']);
    await afterTraining();
    const state = async (version: number) => ((await t.store.models.getVersion('micro-segments', version)) as ModelVersion<MicroSegmentsState>).state;
    const [s1, s2] = [await state(v1.version!), await state(v2.version!)];
    const labels = (s: MicroSegmentsState) => [10, 100, 1000].map((x) => microSegmentOf(s.model, [x]));
    expect(new Set(labels(s1)).size).toBe(3);
    expect(labels(s2)).toEqual(labels(s1));
    // What each micro-segment of the live version (v1: v2 has no rates to be judged by) is, in the
    // features' own units: its centre and its size at fitting.
    expect((await t.tact.learning.registry.live('micro-segments'))?.version).toBe(v1.version);
    const listed = (await get(t.app, '/v1/segments')).json().microSegments as { clusters: { index: number; size: number; centre: { revenue: number } }[] };
    expect(listed.clusters.map((c) => c.index)).toEqual([0, 1, 2]);
    const byGroup = [10, 100, 1000].map((x) => listed.clusters[microSegmentOf(s1.model, [x])]);
    // Each group's first 10 customers spend base + (i mod 3) for i = 0…9: base + 9/10.
    byGroup.forEach((c, g) => expect(c.centre.revenue).toBeCloseTo([10, 100, 1000][g] + 0.9, 6));
    expect(byGroup.map((c) => c.size)).toEqual([10, 10, 10]);
  });
});
