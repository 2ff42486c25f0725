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
});
