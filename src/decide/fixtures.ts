import type { Catalog } from './catalog.js';
import type { Policy } from './policy.js';

/**
 * A shop's catalog, policy and features, shared by the decisions tests and the docs' example:
 * offers for products (not for what the subject bought), a service follow-up that an open support
 * ticket puts first, a high-stakes loan offer that needs review, and a newsletter as safe default.
 *
 * @example
 * const h = await harness('sqlite', { config: shopConfig() });
 */
export const OPEN_TICKET = '"Ticket Opened" in events && (!("Ticket Closed" in events) || events["Ticket Opened"].last > events["Ticket Closed"].last)';

/** The shop's catalog: three offers, a service follow-up, a high-stakes loan, a newsletter. @example compileCatalog(shopCatalog()) */
export function shopCatalog(): Catalog {
  return {
    actions: [
      { id: 'shoes-offer', name: 'Running shoes offer', channels: ['web', 'email'], purpose: 'Advertising', value: 60, contactCost: 0.2, topics: ['marketing'], properties: { product_id: 'sku-shoes' }, customerReason: 'you looked at running gear recently', variants: [{ id: 'a', content: { headline: 'New running shoes' } }, { id: 'b', content: { headline: 'Run further' } }, { id: 'draft', status: 'draft' }] },
      { id: 'socks-offer', name: 'Socks bundle', channels: ['web', 'email'], purpose: 'Advertising', value: 12, contactCost: 0.1, topics: ['marketing'], properties: { product_id: 'sku-socks' } },
      { id: 'service-followup', name: 'How did we do with your ticket?', channels: ['web', 'email'], value: 8, topics: ['service'], eligibility: OPEN_TICKET },
      { id: 'loan-offer', name: 'Buy now, pay later', channels: ['web'], purpose: 'Advertising', value: 200, topics: ['finance'], highStakes: true, eligibility: 'has(traits.segment) && traits.segment == "finance"' },
      { id: 'newsletter', name: 'Our newsletter', channels: ['web', 'email'], value: 0.5, topics: ['content'] },
    ],
    placements: [
      { id: 'home', name: 'Home page hero', channel: 'web', slots: 3, safeDefault: 'newsletter', public: true },
      { id: 'weekly-email', name: 'Weekly e-mail', channel: 'email', slots: 1 },
    ],
  };
}

/** The shop's policy: not what was bought, service first, an e-mail cap, quiet hours, outcome mapping. @example compilePolicy(shopPolicy()) */
export function shopPolicy(): Policy {
  return {
    rules: [
      { name: 'not bought already', stage: 'suitability', when: '!has(action.properties.product_id) || !(action.properties.product_id in features.purchased)', reason: 'the subject bought it already' },
      { name: 'service first', stage: 'applicability', topics: ['marketing'], when: `!(${OPEN_TICKET})`, reason: 'an open support ticket comes before marketing' },
    ],
    consent: { assumeGranted: [] },
    contact: {
      caps: [{ name: 'email cap', channel: 'email', max: 2, window: '7d' }],
      dismissals: { count: 2, window: '30d' },
      quietHours: { from: '21:00', to: '08:00', channels: ['email'] },
    },
    exploration: { budget: 0 },
    outcomes: {
      events: { 'Order Completed': { type: 'conversion', value: 'revenue' }, Unsubscribed: { type: 'unsubscribe' }, Complaint: { type: 'complaint' } },
      rewards: { conversion: 'value', unsubscribe: -5, complaint: -20 },
      attribution: { window: '7d', model: 'last' },
    },
  };
}

/** The features its rules read. @example { features: shopFeatures } */
export const shopFeatures = [
  { name: 'purchased', kind: 'unique', event: 'Order Completed', property: 'products[].product_id', limit: 200 },
  { name: 'orders', kind: 'count', event: 'Order Completed' },
];

/**
 * The whole config file (sections as tact.config.yaml has them), the policy overridable.
 *
 * @example
 * shopConfig({ exploration: { budget: 0.1 } });
 */
export function shopConfig(policy: Record<string, unknown> = {}) {
  return { features: shopFeatures, catalog: shopCatalog(), policy: { ...shopPolicy(), ...policy } };
}
