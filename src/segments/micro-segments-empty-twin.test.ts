import { afterEach, describe, expect, it } from 'vitest';
import { afterTraining, get, harness, type Harness } from '../../test/harness.js';
import { ingest, putConfig, track } from '../store/conformance/learn-helpers.js';

const features = [
  { name: 'views', kind: 'count', event: 'Product Viewed' },
  { name: 'cats', kind: 'unique', event: 'Product Viewed', property: 'category' },
];
const audiences = [{ name: 'm0', when: 'microSegment == 0' }, { name: 'm1', when: 'microSegment == 1' }, { name: 'm2', when: 'microSegment == 2' }];
const micro = (k: number) => ({ features: ['views', 'cats'], k, minSubjects: 4 });

type Listed = { segments: { name: string; members: number }[]; microSegments: { modelVersion: string; clusters: { index: number; size: number; centre: Record<string, number> }[] } };

describe('a micro-segments retraining with a larger k than the profiles have distinct rows (QA repro-relabel.sh)', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('keeps each group\'s number: the empty cluster takes the number left, and the centres shown carry no float noise', async () => {
    const t = (h = await harness('sqlite', { config: { features, segments: { audiences, microSegments: micro(2) } } }));
    const at = Date.now() - 60_000;
    // 22 buyers who viewed nothing (views 0, cats 0) and 24 viewers of one category (1, 1).
    await ingest(t, [
      ...Array.from({ length: 22 }, (_, i) => track(`o${i}`, 'Order Completed', { revenue: 1 }, at + i)),
      ...Array.from({ length: 24 }, (_, i) => track(`v${i}`, 'Product Viewed', { product_id: 'p', category: 'shoes' }, at + 100 + i)),
    ]);
    const [v1] = await t.tact.learning.train(['micro-segments']);
    await afterTraining();
    expect(v1.promotion).toMatchObject({ promoted: true });
    await t.tact.learning.settled();
    const listed = async () => (await get(t.app, '/v1/segments')).json() as Listed;
    const members = async () => Object.fromEntries((await listed()).segments.map((s) => [s.name, s.members]));
    const before = await members();
    const viewers = Object.keys(before).find((s) => before[s] === 24)!;
    expect(viewers).toMatch(/^m[01]$/);
    expect((await listed()).microSegments.clusters.map((c) => c.centre).sort((a, b) => a.views - b.views)).toEqual([{ views: 0, cats: 0 }, { views: 1, cats: 1 }]);

    await ingest(t, [track('o22', 'Order Completed', { revenue: 1 }, at + 200)]);
    expect((await putConfig(t, 'segments', { audiences, microSegments: micro(3) })).statusCode).toBe(200);
    await t.tact.consumers.runAll();
    const [v2] = await t.tact.learning.train(['micro-segments']);
    await afterTraining();
    if (!v2.promotion?.promoted) await t.tact.learning.registry.promote('micro-segments', v2.version!, { actor: 'test', force: true, reason: 'k 3' });
    await t.tact.learning.settled();
    const after = await listed();
    expect(after.microSegments.modelVersion).toBe(`micro-segments@${v2.version}`);
    // Until 2026-12-05 the viewers' number went to a size-0 twin of their cluster, and `m1` emptied.
    expect(await members()).toMatchObject({ [viewers]: 24, m2: 0 });
    expect(after.microSegments.clusters.find((c) => c.index === Number(viewers[1]))).toMatchObject({ size: 24, centre: { views: 1, cats: 1 } });
    expect(after.microSegments.clusters[2]).toMatchObject({ index: 2, size: 0 });
    const estimates = (await get(t.app, '/v1/profiles/v5/estimates')).json() as { microSegment: { index: number } };
    expect(estimates.microSegment.index).toBe(Number(viewers[1]));
  });
});
