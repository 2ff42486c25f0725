import { afterEach, describe, expect, it } from 'vitest';
import { harness, openTestStore, type Harness } from '../../test/harness.js';
import { putConfig } from '../store/conformance/learn-helpers.js';

const features = [
  { name: 'orders', kind: 'count', event: 'Order Completed' },
  { name: 'revenue', kind: 'sum', event: 'Order Completed', property: 'revenue' },
  { name: 'last_order_at', kind: 'last_seen', event: 'Order Completed' },
];
const lifecycle = {
  stages: [{ name: 'prospect', when: 'features.orders == 0.0' }, { name: 'lapsed', when: 'now - features.last_order_at > duration("2160h")' }, { name: 'active', when: 'true' }],
  valueTiers: [{ name: 'high', when: 'features.revenue >= 1000.0' }, { name: 'low', when: 'true' }],
};

describe('a lifecycle stage or value tier comparing a value of a declared type with one of another', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('is a 400 naming the rule and the two values, and nothing is stored', async () => {
    h = await harness('sqlite', { config: { features, lifecycle } });
    const r = await putConfig(h, 'lifecycle', { stages: [{ name: 'prospect', when: 'features.orders == "0"' }, { name: 'active', when: 'true' }], valueTiers: [{ name: 'high', when: 'features.revenue >= "1000"' }] });
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().problems).toEqual([
      { field: 'stages[0].when', message: 'The rule in `stages[0].when` compares `features.orders`, a number (a count feature), with `"0"`, a string: values of two types are never equal, so `==` would be false for every subject. Compare it with a number.' },
      { field: 'valueTiers[0].when', message: 'The rule in `valueTiers[0].when` compares `features.revenue`, a number (a sum feature), with `"1000"`, a string: the two cannot be ordered, so the rule would fail for every subject. Compare it with a number.' },
    ]);
    expect(h.tact.settings.get((await import('./lifecycle.js')).lifecycleKind).stages.map((s) => s.name)).toEqual(['prospect', 'lapsed', 'active']);
    const ok = await putConfig(h, 'lifecycle', { stages: [{ name: 'recent', when: 'features.last_order_at > now - duration("720h") && features.orders >= 1' }] });
    expect(ok.statusCode, ok.body).toBe(200);
  });

  it('in a config file, stops the start with the same sentence', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    try {
      await expect(harness('sqlite', { store, config: { features, lifecycle: { stages: [{ name: 'lapsed', when: 'features.last_order_at < "2024-01-01"' }] } } }))
        .rejects.toThrow(/stages\[0\]\.when: The rule in `stages\[0\]\.when` compares `features\.last_order_at`, a timestamp \(a last_seen feature\), with `"2024-01-01"`, a string: the two cannot be ordered/);
    } finally {
      await cleanup();
    }
  });
});
