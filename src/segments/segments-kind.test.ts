import { afterEach, describe, expect, it } from 'vitest';
import { get, harness, type Harness } from '../../test/harness.js';
import { putConfig } from '../store/conformance/learn-helpers.js';
import { segmentsKind } from './segments-kind.js';

describe('a segment audience or the micro-segments with a key they do not take', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('is a 400 naming the field, the key it likely means and the item\'s keys; nothing is stored', async () => {
    h = await harness('sqlite');
    const r = await putConfig(h, 'segments', { audiences: [{ name: 'pro', when: 'traits.plan == "pro"', descripton: 'paying' }], microSegments: { features: ['orders'], kk: 4 } });
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().problems).toEqual([
      { field: 'audiences[0].descripton', message: 'The `audiences[0].descripton` field is not one Tact knows here. Did you mean `description`? The fields are name, when, description.' },
      { field: 'microSegments.kk', message: 'The `microSegments.kk` field is not one Tact knows here. Did you mean `k`? The fields are features, k, minSubjects.' },
      // Named in the same answer since 2026-12-05 (every bad field at once; a second PUT found it).
      { field: 'microSegments.features[0]', message: 'The `microSegments.features[0]` names `orders`, which is not a defined feature. No features are defined.' },
    ]);
    expect((await get(h.app, '/v1/segments')).json().segments).toEqual([]);
  });

  it('takes the keys it reads', () => {
    expect(segmentsKind.check({ audiences: [{ name: 'pro', when: 'traits.plan == "pro"', description: 'paying' }], microSegments: { features: ['orders'], k: 4, minSubjects: 10 } })).toEqual([]);
  });

  it('in a config file, stops the start', async () => {
    await expect(harness('sqlite', { config: { segments: { audiences: [{ name: 'pro', when: 'true', wen: 'traits.plan == "pro"' }] } } }))
      .rejects.toThrow(/The `segments` section of test-config is not valid: audiences\[0\]\.wen: .*Did you mean `when`\?/);
  });
});

describe('a segments document with a value the product would misread', () => {
  it('refuses a feature named twice in the micro-segments (it would weigh twice in every distance), and a description that is not text', () => {
    expect(segmentsKind.check({ audiences: [{ name: 'pro', when: 'traits.plan == "pro"', description: 5 }], microSegments: { features: ['orders', 'revenue', 'orders'] } })).toEqual([
      { field: 'audiences[0].description', message: 'The `audiences[0].description` must be text.' },
      { field: 'microSegments.features[2]', message: 'The `microSegments.features[2]` names `orders` again (it is `microSegments.features[0]`): a feature named twice would weigh twice in the clustering.' },
    ]);
  });
});
