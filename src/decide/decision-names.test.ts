import { afterEach, describe, expect, it } from 'vitest';
import { KEYS, bearer, harness, openTestStore, type Harness } from '../../test/harness.js';
import { loadConfigFile } from '../config/config-file.js';
import { putConfig } from '../store/conformance/learn-helpers.js';
import type { Catalog } from './catalog.js';
import { EMAIL_OPEN_RATE } from '../models/rates/email-fixture.js';
import { shopCatalog, shopConfig, shopFeatures, shopPolicy } from './fixtures.js';

const SPEND = { name: 'spend', event: 'Order Completed', property: 'revenue' };

const problems = async (r: { statusCode: number; json(): { problems?: { field: string; message: string }[] }; body: string }) => {
  expect(r.statusCode, r.body).toBe(400);
  return r.json().problems ?? [];
};
const FEATURES = 'The features are purchased, orders.';

/** The shop's catalog with a Thompson placement and a recommendation placement, whose names can be misspelt too. */
function catalog(): Catalog {
  const c = shopCatalog();
  c.placements!.push(
    { id: 'bandit', channel: 'web', selection: { kind: 'thompson', features: ['context.mobile', 'features.orders', 'traits.plan=pro'] } },
    { id: 'recs', channel: 'web', kind: 'recommendation', recommend: { rule: 'item.price < 30.0 || features.orders >= 3.0' } },
  );
  return c;
}

describe('a catalog or policy rule that reads a name that is not defined', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('is refused when the catalog is written, naming the field, the unknown name and the closest defined one', async () => {
    h = await harness('sqlite', { config: { features: shopFeatures, rates: [EMAIL_OPEN_RATE], metrics: [SPEND] } });
    const c = catalog();
    c.actions![3].eligibility = 'has(traits.segment) && size(features.purchses) > 2';
    c.actions![4].suitability = 'action.valeu > 1.0';
    c.placements![2].selection!.features![1] = 'features.ordrs';
    c.placements![3].recommend!.rule = 'item.price < 30.0 || features.ordres >= 3.0';
    expect(await problems(await putConfig(h, 'catalog', c))).toEqual([
      { field: 'actions[3].eligibility', message: `The rule in \`actions[3].eligibility\` reads \`features.purchses\`, which is not a defined feature: did you mean \`features.purchased\`? ${FEATURES}` },
      { field: 'actions[4].suitability', message: 'The rule in `actions[4].suitability` reads `action.valeu`, which is not a field of an action: did you mean `action.value`? The fields of an action are id, name, channels, topics, purpose, value, properties.' },
      { field: 'placements[2].selection.features[1]', message: `The \`placements[2].selection.features[1]\` names \`features.ordrs\`, which is not a defined feature: did you mean \`features.orders\`? ${FEATURES}` },
      { field: 'placements[3].recommend.rule', message: `The rule in \`placements[3].recommend.rule\` reads \`features.ordres\`, which is not a defined feature: did you mean \`features.orders\`? ${FEATURES}` },
    ]);
    // A path inside a feature that holds a number reads 0 for everyone, as an undefined one would (taken until 2026-12-05).
    const inside = catalog();
    inside.placements![2].selection!.features![1] = 'features.orders.x';
    expect(await problems(await putConfig(h, 'catalog', inside))).toEqual([
      { field: 'placements[2].selection.features[1]', message: 'The `placements[2].selection.features[1]` reads inside `features.orders`, which holds a number (a count feature): no path inside it holds anything, so the bandit would read 0 for everyone. Name `features.orders` itself.' },
    ]);
    // A `!has(…)` of a misspelt feature would have held for everyone.
    const neg = shopCatalog();
    neg.actions![0].eligibility = '!has(features.order)';
    expect((await problems(await putConfig(h, 'catalog', neg)))[0]).toMatchObject({ field: 'actions[0].eligibility', message: expect.stringMatching(/`features\.order`.*did you mean `features\.orders`\?/) });
    // Nothing was stored.
    expect(h.tact.decide.playbook().catalog.actions.size).toBe(0);
    // What comes from data is not checked: traits, context, flags, consent, event names, an
    // action's properties; what is declared is taken (a rate and a metric configured).
    const ok = catalog();
    ok.actions![0].eligibility = 'traits.plan == "pro" && context.page == "home" && has(flags.vip) && consent.Email && events["Order Completed"].count > 1.0 && "acme" in accounts';
    ok.actions![1].suitability = '!(action.properties.sku in features.purchased) && estimates.email_open.low > 0.2 && !anomalies.spend && now > firstSeen && timezone != "UTC"';
    const r = await putConfig(h, 'catalog', ok);
    expect(r.statusCode, r.body).toBe(200);
  });

  it('is refused when the policy is written: its rules, human territory and levers', async () => {
    h = await harness('sqlite', { config: { features: shopFeatures, catalog: shopCatalog(), rates: [EMAIL_OPEN_RATE] } });
    const policy = {
      ...shopPolicy(),
      rules: [...shopPolicy().rules!, { name: 'repeat buyers', stage: 'eligibility', when: 'features.orders >= 2.0 && estimates.email_open.lo > 0.2' }],
      humanTerritory: [{ name: 'big buyers', queue: 'vip', when: 'features.ordres >= 10.0' }],
      levers: [{ name: 'loyal', weight: 1.5, when: 'feature.orders >= 3.0' }],
    };
    expect(await problems(await putConfig(h, 'policy', policy))).toEqual([
      { field: 'rules[2].when', message: 'The rule in `rules[2].when` reads `estimates.email_open.lo`, which is not a field of an estimate: did you mean `estimates.email_open.low`? The fields of an estimate are value, low, high, status, source, evidence.' },
      { field: 'humanTerritory[0].when', message: `The rule in \`humanTerritory[0].when\` reads \`features.ordres\`, which is not a defined feature: did you mean \`features.orders\`? ${FEATURES}` },
      { field: 'levers[0].when', message: expect.stringMatching(/^The rule in `levers\[0\]\.when` reads `feature`, which is not a variable this rule sees: did you mean `features`\? The variables are traits, features, events, consent, firstSeen, lastSeen, timezone, now, lifecycle, flags, context, accounts, action, estimates, anomalies\.$/) },
    ]);
    expect(h.tact.decide.playbook().policyVersion).toBe(0);
  });

  it('in a config file, stops the start with the same sentence; a file that adds the feature with the rule starts', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    try {
      const typo = shopConfig({ rules: [{ name: 'not bought already', stage: 'suitability', when: '!(action.properties.product_id in features.purchses)' }] });
      await expect(harness('sqlite', { store, config: typo }))
        .rejects.toThrow(`The \`policy\` section of test-config is not valid: rules[0].when: The rule in \`rules[0].when\` reads \`features.purchses\`, which is not a defined feature: did you mean \`features.purchased\`? ${FEATURES}`);
      // The features apply before the catalog and the policy: one file may add a feature and a rule that reads it.
      const views = { name: 'views_7d', kind: 'decayed_count', event: 'Product Viewed', halfLife: '7d' };
      const h2 = await harness('sqlite', { store, config: { ...shopConfig({ levers: [{ name: 'viewers', weight: 1.2, when: 'features.views_7d >= 2.0' }] }), features: [...shopFeatures, views] } });
      expect(h2.tact.decide.playbook().policy.levers.map((l) => l.name)).toEqual(['viewers']);
      await h2.close();
    } finally {
      await cleanup();
    }
  });
});

describe('removing a feature a catalog or policy rule reads', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('is refused, naming the action, the placement or the policy rule, until nothing reads it', async () => {
    const c = catalog();
    c.actions![1].eligibility = 'features.orders >= 1.0';
    h = await harness('sqlite', { config: { ...shopConfig({ levers: [{ name: 'loyal', weight: 1.5, when: 'features.orders >= 3.0' }] }), catalog: c } });
    expect(await problems(await putConfig(h, 'features', [shopFeatures[1]]))).toEqual([
      { field: 'features', message: 'The feature `purchased` is read by the policy rule `not bought already` (`rules[0].when` of the policy): change that first, then remove the feature, or change both at once (PUT /v1/config).' },
    ]);
    expect(await problems(await putConfig(h, 'features', [shopFeatures[0]]))).toEqual([
      { field: 'features', message: 'The feature `orders` is read by the action `socks-offer` (`actions[1].eligibility` of the catalog): change that first, then remove the feature, or change both at once (PUT /v1/config).' },
      { field: 'features', message: 'The feature `orders` is read by the placement `bandit` (`placements[2].selection.features[1]` of the catalog): change that first, then remove the feature, or change both at once (PUT /v1/config).' },
      { field: 'features', message: 'The feature `orders` is read by the placement `recs` (`placements[3].recommend.rule` of the catalog): change that first, then remove the feature, or change both at once (PUT /v1/config).' },
      { field: 'features', message: 'The feature `orders` is read by the lever `loyal` (`levers[0].when` of the policy): change that first, then remove the feature, or change both at once (PUT /v1/config).' },
    ]);
    const del = await h.app.inject({ method: 'DELETE', url: '/v1/features/purchased', headers: { authorization: bearer(KEYS.admin) } });
    expect((await problems(del))[0].message).toMatch(/^The feature `purchased` is read by the policy rule `not bought already`/);
    // Once the policy reads something else, the feature goes.
    expect((await putConfig(h, 'policy', { ...shopPolicy(), rules: shopPolicy().rules!.slice(1) })).statusCode).toBe(200);
    expect((await putConfig(h, 'features', [shopFeatures[1]])).statusCode).toBe(200);
  });

  it('in the example tact.config.yaml: its policy keeps `purchased_products`', async () => {
    const file = loadConfigFile('tact.config.yaml')!;
    h = await harness('sqlite', { config: file.sections });
    const features = file.sections.features as { name: string }[];
    expect(await problems(await putConfig(h, 'features', features.filter((f) => f.name !== 'purchased_products')))).toEqual([
      { field: 'features', message: 'The feature `purchased_products` is read by the policy rule `not bought already` (`rules[0].when` of the policy): change that first, then remove the feature, or change both at once (PUT /v1/config).' },
    ]);
  });
});
