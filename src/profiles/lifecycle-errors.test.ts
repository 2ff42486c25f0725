import { afterEach, describe, expect, it } from 'vitest';
import { get, harness, send, type Harness } from '../../test/harness.js';

const features = [{ name: 'orders', kind: 'count', event: 'Order Completed' }];
const lifecycle = {
  stages: [{ name: 'gold', when: 'traits.tier == "gold"' }, { name: 'buyer', when: 'features.orders >= 1.0' }, { name: 'other', when: 'true' }],
  valueTiers: [{ name: 'vip', when: 'traits.spend > 100.0' }],
};

describe('a lifecycle stage or value tier that cannot be evaluated on a profile', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('is passed over, and the profile says which rule and why', async () => {
    h = await harness('sqlite', { config: { features, lifecycle } });
    await send(h.app, '/v1/identify', { userId: 'ana', traits: { plan: 'pro', spend: 'lots' } });
    const p = (await get(h.app, '/v1/profiles/ana')).json();
    expect(p.lifecycle).toEqual({
      stage: 'other',
      valueTier: null,
      ruleErrors: [
        'The stage `gold` (`stages[0].when`) could not be evaluated (No such key: tier), so it was passed over.',
        'The value tier `vip` (`valueTiers[0].when`) could not be evaluated (no such overload: dyn<string> > double), so it was passed over.',
      ],
    });
    // A profile every rule can be evaluated on has none.
    await send(h.app, '/v1/identify', { userId: 'bo', traits: { tier: 'gold', spend: 500 } });
    expect((await get(h.app, '/v1/profiles/bo')).json().lifecycle).toEqual({ stage: 'gold', valueTier: 'vip' });
  });

  it('names a feature with no value yet (no event counted) and the guard, not CEL\'s "no such overload"', async () => {
    const avg = [{ name: 'avg_rev', kind: 'mean', event: 'Order Completed', property: 'revenue' }, { name: 'last_view', kind: 'last_seen', event: 'Product Viewed' }];
    h = await harness('sqlite', { config: { features: avg, lifecycle: { stages: [{ name: 'browsing', when: 'now - features.last_view < duration("24h")' }], valueTiers: [{ name: 'big', when: 'features.avg_rev > 40.0' }] } } });
    await send(h.app, '/v1/identify', { userId: 'cy' });
    expect((await get(h.app, '/v1/profiles/cy')).json().lifecycle.ruleErrors).toEqual([
      'The stage `browsing` (`stages[0].when`) could not be evaluated (`features.last_view` has no value yet for this profile, as no event was counted, so `-` cannot take it; guard it with `features.last_view != null && …`), so it was passed over.',
      'The value tier `big` (`valueTiers[0].when`) could not be evaluated (`features.avg_rev` has no value yet for this profile, as no event was counted, so `>` cannot take it; guard it with `features.avg_rev != null && …`), so it was passed over.',
    ]);
  });
});
