import { afterEach, describe, expect, it, vi } from 'vitest';
import { harness, type Harness } from '../../test/harness.js';
import { ModelRegistry } from '../models/registry/registry.js';
import { ingest, track } from '../store/conformance/learn-helpers.js';
import type { MicroSegmentsState } from './segment-lookup.js';

const config = {
  features: [{ name: 'revenue', kind: 'sum', event: 'Order Completed', property: 'revenue' }],
  segments: { microSegments: { features: ['revenue'], k: 2, minSubjects: 4 } },
};

describe('a micro-segments version made live', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
    vi.useRealTimers();
  });

  /** Twelve subjects, v1 trained and live; a second version registered (everyone in cluster 0). */
  async function trained(t: Harness) {
    await ingest(t, Array.from({ length: 12 }, (_, i) => track(`u-${i}`, 'Order Completed', { revenue: i % 2 ? 1000 : 10 }, Date.now() - 60_000 + i)));
    const [v1] = await t.tact.learning.train(['micro-segments']);
    expect(v1.promotion).toMatchObject({ promoted: true });
    const live = (await t.tact.learning.registry.live<MicroSegmentsState>('micro-segments'))!;
    const lumped = { ...live.state, model: { ...live.state.model, centroids: [0, 1e9] } };
    const { version } = await t.tact.learning.registry.register('micro-segments', { state: lumped, metrics: {}, dataFrom: null, dataTo: Date.now() }, 'test');
    const state = (await t.store.profiles.getProfile((await t.store.profiles.findProfileId('userId', 'u-1'))!))!;
    const position = async () => (await t.tact.learning.decisionInputs.fetch(state, { rules: false, now: Date.now() })).position.microSegment;
    return { version, position };
  }

  it('places the next decision under it in the process that promoted it, not up to 2 s later', async () => {
    const T = Date.UTC(2026, 5, 1, 12);
    vi.useFakeTimers({ now: T, toFake: ['Date'] });
    const t = (h = await harness('sqlite', { config }));
    const { version, position } = await trained(t);
    // u-1 spends 1,000: under v1 it is in the big spenders' cluster; the decision path caches its position.
    expect(await position()).toMatchObject({ modelVersion: 'micro-segments@1' });
    expect(await t.tact.learning.registry.promote('micro-segments', version, { actor: 'test', force: true, reason: 'test' })).toMatchObject({ promoted: true });
    // The clock has not moved: no cache has expired.
    expect(await position()).toEqual({ index: 0, modelVersion: `micro-segments@${version}`, key: `micro-segment:${version}:0` });
    await t.tact.learning.registry.rollback('micro-segments', { actor: 'test', reason: 'test' });
    expect(await position()).toMatchObject({ modelVersion: 'micro-segments@1' });
  });

  it('is seen by another process within the registry\'s 2 s of the promotion, however recently a decision placed the subject (docs/models.md, "Micro-segments")', async () => {
    const T = Date.UTC(2026, 5, 1, 12);
    vi.useFakeTimers({ now: T, toFake: ['Date'] });
    const t = (h = await harness('sqlite', { config }));
    // The registry here read v1 as live at T (the training and the registration read it).
    const { version, position } = await trained(t);
    // Another process promotes on the same store at T.
    const other = new ModelRegistry(t.store.models);
    expect(await other.promote('micro-segments', version, { actor: 'other', force: true, reason: 'test' })).toMatchObject({ promoted: true });
    // A decision at T + 1.5 s still reads v1 (the registry's read of T) and places u-1 under it.
    vi.setSystemTime(T + 1500);
    expect(await position()).toMatchObject({ modelVersion: 'micro-segments@1' });
    // 2 s after the promotion the registry reads the live version again, and the next decision follows it.
    vi.setSystemTime(T + 2000);
    expect(await position()).toMatchObject({ modelVersion: `micro-segments@${version}` });
  });
});
