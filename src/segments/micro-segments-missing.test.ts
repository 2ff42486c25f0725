import { afterEach, describe, expect, it } from 'vitest';
import { afterTraining, harness, type Harness } from '../../test/harness.js';
import { ingest, track } from '../store/conformance/learn-helpers.js';
import { featuresKind } from '../profiles/features/features-kind.js';
import { fillMissing, missingFill } from './feature-vector.js';
import type { MicroSegmentsState } from './segment-lookup.js';

const DAY = 86_400_000;
const config = {
  features: [{ name: 'orders', kind: 'count', event: 'Order Completed' }, { name: 'last_order', kind: 'last_seen', event: 'Order Completed' }],
  segments: { microSegments: { features: ['orders', 'last_order'], k: 2, minSubjects: 4 } },
};

describe('micro-segments of profiles without a value for a feature', () => {
  it('fill a missing recency with the longest seen, any other missing value with the mean seen; a model fitted before fills were kept, with 0', () => {
    const features = featuresKind.compile([
      { name: 'orders', kind: 'count', event: 'Order Completed' },
      { name: 'last_order', kind: 'last_seen', event: 'Order Completed' },
      { name: 'basket', kind: 'mean', event: 'Order Completed', property: 'total' },
    ]);
    // Rows of [orders, last_order (days since), basket]: the third profile never ordered.
    const rows = [2, 3, 40, 1, 300, 20, 0, NaN, NaN];
    expect(missingFill(rows, 3, features, ['orders', 'last_order', 'basket'])).toEqual([1, 300, 30]);
    expect(fillMissing([0, NaN, NaN], [1, 300, 30])).toEqual([0, 300, 30]);
    expect(fillMissing([0, NaN], undefined)).toEqual([0, 0]);
  });

  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('place a profile that never ordered with the lapsed buyers, not with those who ordered yesterday', async () => {
    const t = (h = await harness('sqlite', { config }));
    const now = Date.now();
    // 20 who ordered once yesterday, 20 who ordered once 300 days ago, 20 who never ordered.
    const msgs: object[] = [];
    for (let i = 0; i < 20; i++) {
      msgs.push(track(`recent-${i}`, 'Order Completed', {}, now - DAY + i * 1000));
      msgs.push(track(`lapsed-${i}`, 'Order Completed', {}, now - 300 * DAY + i * 1000));
      msgs.push(track(`never-${i}`, 'Page Viewed', {}, now - DAY + i * 1000));
    }
    await ingest(t, msgs);
    const [v] = await t.tact.learning.train(['micro-segments']);
    await afterTraining();
    expect(v.promotion).toMatchObject({ promoted: true });
    const model = (await t.tact.learning.registry.live<MicroSegmentsState>('micro-segments'))!;
    const at = async (userId: string) => {
      const id = await t.tact.store.profiles.findProfileId('userId', userId);
      const state = id ? await t.tact.store.profiles.getProfile(id) : undefined;
      return (await t.tact.learning.lookup.microSegment(state!, Date.now()))!.index;
    };
    expect(await at('never-3')).not.toBe(await at('recent-3'));
    expect(await at('never-3')).toBe(await at('lapsed-3'));
    // The clusters at fitting time: the recent buyers alone, the others together.
    expect([...model.state.model.sizes].sort()).toEqual([20, 40]);
  });
});
