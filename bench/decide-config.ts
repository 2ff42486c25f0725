import { benchFeatures } from './events.js';

/**
 * The decide benchmark's configuration: the shop's real features (bench/events.ts), a catalog of
 * 100 actions competing at one web placement — product offers with rules over the features,
 * consent purposes, content variants, a service action — and a policy with suitability rules,
 * levers, caps, dismissal suppression, a global budget, exploration and outcome mapping.
 *
 * @example
 * const server = await startServer({ config: decideBenchConfig() });
 */
export function decideBenchConfig(): Record<string, unknown> {
  const actions = [];
  for (let i = 0; i < 100; i++) {
    const category = `c${i % 40}`;
    actions.push({
      id: `offer-${i}`,
      name: `Offer ${i} (${category})`,
      channels: ['web', 'email'],
      purpose: i % 4 === 0 ? undefined : 'Advertising',
      value: 5 + (i % 17) * 3,
      contactCost: (i % 5) / 10, // 0.3, not 0.1 × 3 = 0.30000000000000004
      topics: [i % 10 === 0 ? 'service' : 'marketing', category],
      properties: { product_id: `sku-${i * 20}`, category },
      ...(i % 3 === 0 ? { eligibility: 'features.orders >= 1.0' } : {}),
      ...(i % 5 === 1 ? { applicability: '!has(context.page) || context.page != "checkout"' } : {}),
      ...(i % 7 === 2 ? { suitability: `has(features.last_category) && features.last_category == "${category}"` } : {}),
      variants: [{ id: 'a', content: { headline: `Offer ${i}` } }, { id: 'b', content: { headline: `Offer ${i}, now` } }],
      customerReason: `you were looking at ${category}`,
    });
  }
  return {
    features: benchFeatures,
    catalog: { actions, placements: [{ id: 'home', channel: 'web', slots: 3, safeDefault: 'none' }] },
    policy: {
      rules: [
        { name: 'not bought already', stage: 'suitability', when: '!(action.properties.product_id in features.purchased)', reason: 'the subject bought it already' },
        { name: 'gold only big offers', stage: 'eligibility', when: 'action.value < 40.0 || features.revenue >= 100.0' },
      ],
      levers: [{ name: 'service first', weight: 1.5, topics: ['service'] }, { name: 'recent viewers', weight: 1.2, when: 'features.views_7d >= 2.0' }],
      contact: {
        caps: [{ name: 'web marketing', channel: 'web', topic: 'marketing', max: 1000, window: '1d' }],
        dismissals: { count: 3, window: '30d' },
        quietHours: { from: '22:00', to: '07:00', channels: ['email'] },
        budgets: [{ name: 'web budget', channel: 'web', max: 100000000, window: '1d' }],
      },
      exploration: { budget: 0.05 },
      outcomes: { events: { 'Order Completed': { type: 'conversion', value: 'revenue' } } },
    },
  };
}
