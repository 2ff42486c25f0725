import { afterEach, describe, expect, it } from 'vitest';
import { afterTraining, get, harness, type Harness, type StoreKind } from '../../test/harness.js';
import { microSegmentOf } from '../learn/segments/micro-segments.js';
import type { ModelVersion } from '../models/registry/model-store.js';
import { featuresKind } from '../profiles/features/features-kind.js';
import { ingest, putConfig, track } from '../store/conformance/learn-helpers.js';
import { featureVector, fillMissing } from './feature-vector.js';
import { numberingColumns } from './micro-segments-numbering.js';
import { definitionsOf } from './micro-segments-status.js';
import type { MicroSegmentsState } from './segment-lookup.js';

const revenue = { name: 'revenue', kind: 'sum', event: 'Order Completed', property: 'revenue' } as const;
const views = { name: 'views', kind: 'count', event: 'Page Viewed' } as const;
const micro = (features: string[]) => ({ features, k: 3, minSubjects: 4 });

/**
 * Three groups of customers, each in a block of the log: small spenders who browse a lot (about
 * 10 spent, 12 pages), middling ones who hardly browse (100, 2) and big ones (1,000, 6). The
 * profiles numbered `from` to `from + n - 1` of each group.
 */
const customers = (from: number, n: number, at: number) => [[10, 12], [100, 2], [1000, 6]].flatMap(([spent, pages], g) => Array.from({ length: n }, (_, j) => {
  const u = `g${g}-${from + j}`;
  const t = at + g * 10_000 + (from + j) * 20;
  return [track(u, 'Order Completed', { revenue: spent + ((from + j) % 3) }, t), ...Array.from({ length: pages + ((from + j) % 2) }, (_, p) => track(u, 'Page Viewed', {}, t + 1 + p))];
}).flat());

/** Each customer's micro-segment under a version, by user id (placed with the version's own features, as the lookup does). */
async function numbers(t: Harness, version: number, users: string[]): Promise<Record<string, number>> {
  const s = ((await t.store.models.getVersion('micro-segments', version)) as ModelVersion<MicroSegmentsState>).state;
  const features = t.tact.settings.get(featuresKind);
  const out: Record<string, number> = {};
  for (const u of users) {
    const state = (await t.store.profiles.getProfile((await t.store.profiles.findProfileId('userId', u))!))!;
    out[u] = microSegmentOf(s.model, fillMissing(featureVector(state, features, s.features, Date.now()), s.fill));
  }
  return out;
}

const users = (n: number) => [0, 1, 2].flatMap((g) => Array.from({ length: n }, (_, j) => `g${g}-${j}`));
const segmentsWith = async (t: Harness, features: string[]) => {
  const r = await putConfig(t, 'segments', { microSegments: micro(features) });
  expect(r.statusCode, r.body).toBe(200);
};
const train = async (t: Harness) => {
  const [v] = await t.tact.learning.train(['micro-segments']);
  await afterTraining();
  expect(v.version, JSON.stringify(v)).toBeTypeOf('number');
  return v;
};

describe.each<StoreKind>(['sqlite', 'postgres'])('micro-segment numbers across a reordered feature list (%s)', (kind) => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('are kept: the same profiles keep their numbers when the same features are listed in another order', async () => {
    const t = (h = await harness(kind, { config: { features: [revenue, views], segments: { microSegments: micro(['revenue', 'views']) } } }));
    const at = Date.now() - 600_000;
    await ingest(t, customers(0, 10, at));
    const v1 = await train(t);
    expect(v1.promotion).toMatchObject({ promoted: true });
    const before = await numbers(t, v1.version!, users(10));
    expect(new Set(Object.values(before)).size).toBe(3);
    // A few more customers in each group: v2 is numbered after v1 (a refit k-means numbers the
    // groups in whatever order its seeding picked them), and made live.
    await ingest(t, customers(10, 3, at));
    const v2 = await train(t);
    expect(await numbers(t, v2.version!, users(10))).toEqual(before);
    expect(await t.tact.learning.registry.promote('micro-segments', v2.version!, { actor: 'test', force: true, reason: 'test' })).toMatchObject({ promoted: true });

    // The same features, listed the other way round: the live version is still applied.
    await segmentsWith(t, ['views', 'revenue']);
    expect((await get(t.app, '/v1/segments')).json().microSegments).toMatchObject({ modelVersion: 'micro-segments@2', status: 'live' });

    // Retrained on the same profiles as v2: the same numbers.
    const v3 = await train(t);
    expect(await numbers(t, v3.version!, users(13))).toEqual(await numbers(t, v2.version!, users(13)));
    expect(await numbers(t, v3.version!, users(10))).toEqual(before);
    expect(v3.metrics).toMatchObject({ features: ['views', 'revenue'], numbering: { after: 'micro-segments@2', on: ['views', 'revenue'] } });
    expect((v3.metrics as { numbering: object }).numbering).not.toHaveProperty('note');
    // Nor is it another feature space to the comparison: it is judged (here, with no rates, inconclusive).
    expect(v3.promotion?.reason).toContain('no rates are configured');
  });
});

describe('micro-segment numbers when the clustered features change', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  /** v1 trained on `features` over 10 customers a group, then 3 more a group ingested. */
  async function trained(config: Record<string, unknown>) {
    const t = (h = await harness('sqlite', { config }));
    const at = Date.now() - 600_000;
    await ingest(t, customers(0, 10, at));
    const v1 = await train(t);
    expect(v1.promotion).toMatchObject({ promoted: true });
    const before = await numbers(t, v1.version!, users(10));
    expect(new Set(Object.values(before)).size).toBe(3);
    await ingest(t, customers(10, 3, at));
    return { t, before };
  }
  const numbering = (v: { metrics?: Record<string, unknown> }) => v.metrics?.numbering as { after: string | null; on?: string[]; note?: string };

  it('are matched on the features both versions cluster when one is added, and the version says so (GET /v1/models/micro-segments)', async () => {
    const { t, before } = await trained({ features: [revenue, views], segments: { microSegments: micro(['revenue']) } });
    await segmentsWith(t, ['views', 'revenue']);
    const v2 = await train(t);
    expect(await numbers(t, v2.version!, users(10))).toEqual(before);
    expect(numbering(v2)).toMatchObject({ after: 'micro-segments@1', on: ['revenue'], note: expect.stringContaining('`views` was added') });
    const listed = (await get(t.app, '/v1/models/micro-segments')).json().versions as { version: number; metrics: Record<string, unknown> }[];
    expect(listed.find((v) => v.version === v2.version)?.metrics.numbering).toEqual(numbering(v2));
  });

  it('are matched on the features left when one is removed', async () => {
    const { t, before } = await trained({ features: [revenue, views], segments: { microSegments: micro(['revenue', 'views']) } });
    await segmentsWith(t, ['revenue']);
    const v2 = await train(t);
    expect(await numbers(t, v2.version!, users(10))).toEqual(before);
    expect(numbering(v2)).toMatchObject({ after: 'micro-segments@1', on: ['revenue'], note: expect.stringContaining('`views` is no longer clustered') });
  });

  it('are matched on a renamed feature (the same definition under another name)', async () => {
    const { t, before } = await trained({ features: [revenue, views], segments: { microSegments: micro(['revenue', 'views']) } });
    const spend = { ...revenue, name: 'spend' };
    expect((await putConfig(t, 'features', [revenue, spend, views])).statusCode).toBe(200);
    await segmentsWith(t, ['spend', 'views']);
    expect((await putConfig(t, 'features', [spend, views])).statusCode).toBe(200);
    await t.tact.backfill.runAll();
    await t.tact.learning.settled();
    const v2 = await train(t);
    expect(await numbers(t, v2.version!, users(10))).toEqual(before);
    expect(numbering(v2)).toMatchObject({ after: 'micro-segments@1', on: ['spend', 'views'], note: expect.stringContaining('`spend` is `revenue` renamed') });
  });

  it('are matched without a feature whose kind changed, and start afresh, saying so, when no feature is left to match on', async () => {
    const { t, before } = await trained({ features: [revenue, views], segments: { microSegments: micro(['revenue', 'views']) } });
    // `views` now decays: its values are in other units than the live version's.
    expect((await putConfig(t, 'features', [revenue, { ...views, kind: 'decayed_count', halfLife: '7d' } as const])).statusCode).toBe(200);
    await t.tact.backfill.runAll();
    await t.tact.learning.settled();
    const v2 = await train(t);
    // v1 needs retraining: v2 goes live without a comparison.
    expect(v2.promotion?.promoted, v2.promotion?.reason).toBe(true);
    expect(await numbers(t, v2.version!, users(10))).toEqual(before);
    expect(numbering(v2)).toMatchObject({ after: 'micro-segments@1', on: ['revenue'], note: expect.stringContaining('`views` was redefined') });

    // Only `views` clustered, redefined again: nothing to match on.
    await segmentsWith(t, ['views']);
    expect((await putConfig(t, 'features', [revenue, views])).statusCode).toBe(200);
    await t.tact.backfill.runAll();
    await t.tact.learning.settled();
    const v3 = await train(t);
    expect(numbering(v3)).toEqual({ after: null, note: expect.stringMatching(/Numbered afresh.*`views` was redefined/) });
  });
});

describe('the columns a new micro-segments fit shares with the live version', () => {
  const compiled = featuresKind.compile([revenue, views]);
  const model = { k: 2, d: 2, mean: [0, 0], sd: [1, 1], centroids: [0, 0, 1, 1], sizes: [1, 1], modelVersion: 'micro-segments' };
  const live: MicroSegmentsState = { features: ['revenue', 'views'], model, explained: 1, definitions: definitionsOf(compiled, ['revenue', 'views']) };

  it('are matched by name, so the same features in another order are all shared and need no note', () => {
    expect(numberingColumns(4, live, compiled, ['views', 'revenue'])).toEqual({ columns: [[0, 1], [1, 0]], numbering: { after: 'micro-segments@4', on: ['views', 'revenue'] } });
    expect(numberingColumns(4, live, compiled, ['revenue', 'views']).columns).toEqual([[0, 0], [1, 1]]);
  });

  it('leave out a feature added, removed or redefined, and say so; a renamed one is matched by its definition', () => {
    const more = featuresKind.compile([revenue, views, { name: 'orders', kind: 'count', event: 'Order Completed' } as const]);
    expect(numberingColumns(1, live, more, ['orders', 'views'])).toEqual({
      columns: [[1, 1]],
      numbering: { after: 'micro-segments@1', on: ['views'], note: expect.stringMatching(/`orders` was added; `revenue` is no longer clustered\. A cluster may hold other people/) },
    });
    const renamed = featuresKind.compile([{ ...revenue, name: 'spend' }, views]);
    expect(numberingColumns(1, live, renamed, ['views', 'spend'])).toEqual({ columns: [[0, 1], [1, 0]], numbering: { after: 'micro-segments@1', on: ['views', 'spend'], note: expect.not.stringContaining('other people') } });
    const decaying = featuresKind.compile([revenue, { ...views, kind: 'decayed_count', halfLife: '7d' } as const]);
    expect(numberingColumns(1, live, decaying, ['revenue', 'views']).numbering).toEqual({ after: 'micro-segments@1', on: ['revenue'], note: expect.stringContaining('`views` was redefined') });
    expect(numberingColumns(1, live, decaying, ['views'])).toEqual({ columns: [], numbering: { after: null, note: expect.stringContaining('Numbered afresh') } });
    // A version stored before definitions were kept with it: a feature still defined is taken as it was.
    const { definitions: _, ...old } = live;
    expect(numberingColumns(1, old, decaying, ['views', 'revenue']).columns).toEqual([[0, 1], [1, 0]]);
  });
});
