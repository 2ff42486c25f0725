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

describe('lifecycle stages and value tiers that read a name that is not defined', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('are refused when written, naming the rule, the unknown name and the closest defined one', async () => {
    h = await harness('sqlite', { config: { features, lifecycle } });
    const r = await putConfig(h, 'lifecycle', { ...lifecycle, valueTiers: [{ name: 'high', when: 'features.revenu >= 1000.0' }] });
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().problems).toEqual([{ field: 'valueTiers[0].when', message: 'The rule in `valueTiers[0].when` reads `features.revenu`, which is not a defined feature: did you mean `features.revenue`? The features are orders, revenue, last_order_at.' }]);
    // Estimates are for segments: a lifecycle rule does not see them.
    const e = await putConfig(h, 'lifecycle', { stages: [{ name: 'engaged', when: 'estimates.rates.email_open.value > 0.3' }] });
    expect(e.json().problems[0].message).toMatch(/`estimates`, which is not a variable this rule sees\. The variables are traits, features, events, consent, firstSeen, lastSeen, timezone, now\./);
    // A timestamp feature has no fields.
    const f = await putConfig(h, 'lifecycle', { stages: [{ name: 'x', when: 'features.last_order_at.day == 1' }] });
    expect(f.json().problems[0].message).toBe('The rule in `stages[0].when` reads `features.last_order_at.day`, but `features.last_order_at` is a timestamp (a last_seen feature), which has no fields.');
  });

  it('in a config file, stop the start with the same sentence', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    try {
      await expect(harness('sqlite', { store, config: { features, lifecycle: { stages: [{ name: 'prospect', when: 'features.order == 0.0' }] } } }))
        .rejects.toThrow('The `lifecycle` section of test-config is not valid: stages[0].when: The rule in `stages[0].when` reads `features.order`, which is not a defined feature: did you mean `features.orders`?');
    } finally {
      await cleanup();
    }
  });

  it('keep the features they read: removing one is refused, naming the stage', async () => {
    h = await harness('sqlite', { config: { features, lifecycle } });
    const r = await putConfig(h, 'features', features.filter((f) => f.name !== 'last_order_at'));
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().problems).toEqual([{ field: 'features', message: 'The feature `last_order_at` is read by the lifecycle stage `lapsed` (`stages[1].when` of the lifecycle): change that first, then remove the feature, or change both at once (PUT /v1/config).' }]);
  });
});

describe('a lifecycle stage or value tier with a key it does not take', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('is a 400 naming the field, the key it likely means and the rule\'s keys — saved, the key would be ignored', async () => {
    h = await harness('sqlite', { config: { features, lifecycle } });
    const r = await putConfig(h, 'lifecycle', { stages: [{ name: 'prospect', when: 'features.orders == 0.0', descrption: 'never ordered' }], valueTiers: [{ name: 'high', wehn: 'features.revenue >= 1000.0', when: 'true' }] });
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().problems).toEqual([
      { field: 'stages[0].descrption', message: 'The `stages[0].descrption` field is not one Tact knows here. Did you mean `description`? The fields are name, when, description.' },
      { field: 'valueTiers[0].wehn', message: 'The `valueTiers[0].wehn` field is not one Tact knows here. Did you mean `when`? The fields are name, when, description.' },
    ]);
    expect((await putConfig(h, 'lifecycle', { stages: [{ name: 'prospect', when: 'features.orders == 0.0', description: 'never ordered' }] })).statusCode).toBe(200);
  });

  it('in a config file, stops the start', async () => {
    await expect(harness('sqlite', { config: { features, lifecycle: { stages: [{ name: 'prospect', when: 'true', descripton: 'x' }] } } }))
      .rejects.toThrow(/The `lifecycle` section of test-config is not valid: stages\[0\]\.descripton: .*Did you mean `description`\?/);
  });
});
