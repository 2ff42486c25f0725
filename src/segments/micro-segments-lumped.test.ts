import { afterEach, describe, expect, it } from 'vitest';
import { afterTraining, harness, type Harness } from '../../test/harness.js';
import { distinctRows, kmeans } from '../learn/segments/kmeans.js';
import { fitMicroSegments } from '../learn/segments/micro-segments.js';
import { ingest, track } from '../store/conformance/learn-helpers.js';
import { lumpedClusters, spreadWarnings } from './micro-segments-spread.js';
import type { MicroSegmentsState } from './segment-lookup.js';

const features = [
  { name: 'orders', kind: 'count', event: 'Order Completed' },
  { name: 'revenue', kind: 'sum', event: 'Order Completed', property: 'total' },
  { name: 'basket', kind: 'mean', event: 'Order Completed', property: 'basket' },
];
const micro = { features: ['orders', 'revenue', 'basket'], k: 4, minSubjects: 8 };
/** QA's 80 customers with one order of 5.0 each and no `basket` on it: every row is [1, 5, missing]. */
const alike = (at: number) => Array.from({ length: 80 }, (_, i) => track(`u-${i}`, 'Order Completed', { total: 5 }, at + i));

describe('micro-segments that put everyone in one cluster (QA: sizes [80, 0, 0, 0] for k = 4, promoted without a word)', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('say in the training\'s metrics that the clusters are lumped, how many distinct rows there were and which features do not vary', async () => {
    const t = (h = await harness('sqlite', { config: { features, segments: { microSegments: micro } } }));
    await ingest(t, alike(Date.now() - 60_000));
    const [v] = await t.tact.learning.train(['micro-segments']);
    await afterTraining();
    expect(v.metrics).toMatchObject({ subjects: 80, sizes: [80, 0, 0, 0], distinctRows: 1, missing: { basket: 1 } });
    expect((v.metrics as { warnings: string[] }).warnings).toEqual([
      'Micro-segments group no one apart: cluster 0 holds all 80 profiles and the other 3 are empty. The profiles have 1 distinct row of features, fewer than k = 4 (`orders`, `revenue` take one value for every profile; no profile has a value for `basket`). Cluster features that vary between profiles.',
    ]);
    // The first version goes live (nothing to compare it with), and its promotion says what its training warned of.
    expect(v.promotion).toMatchObject({ promoted: true });
    expect(v.promotion?.warnings).toEqual([{ version: v.version, message: `Version ${v.version} of micro-segments is live; its training warned: ${(v.metrics as { warnings: string[] }).warnings[0]}` }]);
    // The same warning is kept with the version (GET /v1/models/micro-segments).
    const stored = await t.tact.learning.registry.store.getVersion('micro-segments', v.version!);
    expect((stored!.metrics as { warnings: string[] }).warnings).toHaveLength(1);
  });

  it('are refused when trained over a live version that sets groups apart, even where training.autoPromote would let an inconclusive one go live', async () => {
    const t = (h = await harness('sqlite', { config: { features, segments: { microSegments: micro }, training: { autoPromote: ['micro-segments'] } } }));
    const at = Date.now() - 60_000;
    await ingest(t, Array.from({ length: 40 }, (_, i) => track(`u-${i}`, 'Order Completed', { total: i % 2 ? 500 : 5, basket: i % 4 }, at + i)));
    const [v1] = await t.tact.learning.train(['micro-segments']);
    await afterTraining();
    expect(v1.promotion).toMatchObject({ promoted: true });
    expect(v1.metrics).not.toHaveProperty('warnings');
    // A candidate fitted, as the trainer does, on rows that do not vary: everyone in cluster 0.
    const live = (await t.tact.learning.registry.live<MicroSegmentsState>('micro-segments'))!;
    const model = fitMicroSegments(Float64Array.from(Array.from({ length: 40 }, () => [1, 5, 0]).flat()), 3, { k: 4, modelVersion: 'micro-segments' });
    expect(model.sizes).toEqual([40, 0, 0, 0]);
    const { version } = await t.tact.learning.registry.register('micro-segments', { state: { ...live.state, model, explained: 0 }, metrics: {}, dataFrom: null, dataTo: Date.now() }, 'test');
    const p = await t.tact.learning.registry.promote('micro-segments', version, { actor: 'test' });
    // Until 2026-12-06: no rates, so inconclusive, and training.autoPromote let it go live.
    expect(p.promoted, p.reason).toBe(false);
    expect(p.reason).toContain(`version ${version} groups no one apart: cluster 0 holds all 40 profiles and the other 3 are empty`);
    expect((await t.tact.learning.registry.live('micro-segments'))!.version).toBe(v1.version);
    // Forced, it goes live: the operator's call.
    expect(await t.tact.learning.registry.promote('micro-segments', version, { actor: 'test', force: true, reason: 'test' })).toMatchObject({ promoted: true });
  });

  it('give way to a training that sets groups apart, without rates to compare them by', async () => {
    const t = (h = await harness('sqlite', { config: { features, segments: { microSegments: micro } } }));
    const at = Date.now() - 60_000;
    await ingest(t, alike(at));
    const [v1] = await t.tact.learning.train(['micro-segments']);
    await afterTraining();
    expect(v1.promotion).toMatchObject({ promoted: true });
    // 40 of them order again, for 500: two groups.
    await ingest(t, Array.from({ length: 40 }, (_, i) => track(`u-${i}`, 'Order Completed', { total: 500 }, at + 1000 + i)));
    const [v2] = await t.tact.learning.train(['micro-segments']);
    await afterTraining();
    expect((v2.metrics as { sizes: number[] }).sizes.filter((s) => s > 0).sort()).toEqual([40, 40]);
    // Until 2026-12-06: no rates, so inconclusive, and refused — the lumped version stayed live.
    expect(v2.promotion?.promoted, v2.promotion?.reason).toBe(true);
    expect(v2.promotion?.reason).toContain(`the live version ${v1.version} groups no one apart (cluster 0 holds all 80 profiles and the other 3 are empty)`);
  });
});

describe('lumped and empty clusters, in words', () => {
  it('count a clustering as lumped above 95% of the profiles in one cluster, and name the empty ones with the k that gives the same groups', () => {
    expect(lumpedClusters([40, 40, 0])).toBeNull();
    expect(lumpedClusters([95, 5])).toBeNull();
    expect(lumpedClusters([1, 77, 1, 1])).toBe('cluster 1 holds 77 of the 80 profiles (96.3%), the other 3 clusters 3 between them');
    expect(spreadWarnings([23, 24, 0], { distinctRows: 2 })).toEqual(['1 of the 3 clusters is empty and places no one. The profiles have 2 distinct rows of features, fewer than k = 3. A `segments.microSegments.k` of 2 gives the same groups.']);
    expect(spreadWarnings([30, 30, 20], { distinctRows: 3, constant: ['orders'] })).toEqual([]);
    expect(spreadWarnings([77, 1, 1, 1], { distinctRows: 4 })[0]).toMatch(/^Micro-segments group no one apart: cluster 0 holds 77 of the 80 profiles \(96\.3%\), .* set a few outlying profiles apart/);
  });

  it('k-means fills as many clusters as there are distinct rows, up to k, and distinctRows counts them', () => {
    const rows = [[0, 0], [0, 0], [1, 1], [1, 1], [1, 1], [2, 0]];
    const X = Float64Array.from(rows.flat());
    expect(distinctRows(X, 2, 10)).toBe(3);
    expect(distinctRows(X, 2, 2)).toBe(2);
    const { assignment } = kmeans(X, 2, 4, { seed: 0 });
    expect(new Set(assignment).size).toBe(3);
  });
});
