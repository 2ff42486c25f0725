import { afterEach, describe, expect, it } from 'vitest';
import { afterTraining, get, harness, type Harness } from '../../test/harness.js';
import { ingest, track } from '../store/conformance/learn-helpers.js';

const config = {
  features: [{ name: 'orders', kind: 'count', event: 'Order Completed' }, { name: 'revenue', kind: 'sum', event: 'Order Completed', property: 'total' }],
  segments: { microSegments: { features: ['orders', 'revenue'], k: 3, minSubjects: 4 } },
};

describe('micro-segments of profiles whose features do not vary', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('report that the clusters explain none of the variance (there is none), not all of it', async () => {
    const t = (h = await harness('sqlite', { config }));
    const at = Date.now() - 60_000;
    // Ten customers with one order of 5.0 each: every row is [1, 5].
    await ingest(t, Array.from({ length: 10 }, (_, i) => track(`u-${i}`, 'Order Completed', { total: 5 }, at + i)));
    const [v] = await t.tact.learning.train(['micro-segments']);
    await afterTraining();
    expect(v.metrics).toMatchObject({ subjects: 10, sizes: [10, 0, 0], varianceExplained: 0 });
    const listed = (await get(t.app, '/v1/segments')).json().microSegments;
    expect(listed).toMatchObject({ varianceExplained: 0, sizes: [10, 0, 0] });
    expect(listed.clusters[0].centre).toEqual({ orders: 1, revenue: 5 });
  });

  it('say how many subjects there are when too few, and the share of profiles without a value for each feature that lacks one', async () => {
    const t = (h = await harness('sqlite', { config: { ...config, features: [...config.features, { name: 'basket', kind: 'mean', event: 'Order Completed', property: 'basket' }], segments: { microSegments: { features: ['orders', 'revenue', 'basket'], k: 2, minSubjects: 4 } } } }));
    const at = Date.now() - 60_000;
    await ingest(t, [track('u-0', 'Order Completed', { total: 5 }, at)]);
    expect((await t.tact.learning.train(['micro-segments']))[0]).toMatchObject({ skipped: 'only 1 subject; micro-segments need at least 4' });
    // No order carries a `basket`: that feature has no value for anyone, and weighs nothing.
    await ingest(t, Array.from({ length: 7 }, (_, i) => track(`u-${i + 1}`, i < 3 ? 'Order Completed' : 'Page Viewed', { total: 10 * i }, at + i + 1)));
    const [v] = await t.tact.learning.train(['micro-segments']);
    expect(v.metrics).toMatchObject({ subjects: 8, missing: { basket: 1 } });
    expect(Object.keys((v.metrics as { missing: object }).missing)).toEqual(['basket']);
  });
});
