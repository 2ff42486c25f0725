import { afterEach, describe, expect, it } from 'vitest';
import { get, harness, openTestStore, type Harness } from '../../test/harness.js';
import { EMAIL_OPEN_RATE, emailExposure } from '../models/rates/email-fixture.js';
import { putConfig } from '../store/conformance/learn-helpers.js';
import type { Catalog } from './catalog.js';
import { shopCatalog, shopConfig, shopFeatures, shopPolicy } from './fixtures.js';

const CLICK_RATE = { name: 'email_click', exposure: 'Email Delivered', success: 'Email Link Clicked', within: '1d' };
const SPEND = { name: 'spend', event: 'Order Completed', property: 'revenue' };
const problems = (r: { statusCode: number; body: string; json(): { problems?: { field: string; message: string }[] } }): { field: string; message: string }[] => {
  expect(r.statusCode, r.body).toBe(400);
  return r.json().problems ?? [];
};
/** The shop's policy with one more rule (rules[2]) and a lever. */
const policyWith = (rule: string, lever?: string) => ({
  ...shopPolicy(),
  rules: [...shopPolicy().rules!, { name: 'opens e-mail', stage: 'suitability', when: rule }],
  ...(lever ? { levers: [{ name: 'calm', weight: 1.2, when: lever }] } : {}),
});
const catalogWith = (eligibility: string): Catalog => {
  const c = shopCatalog();
  c.actions![1].eligibility = eligibility;
  return c;
};
const REMOVE = 'change that first, then remove the rate, or change both at once (PUT /v1/config; to rename it, add the new name, move the rule to it and remove this one in the same change).';

// A decision rule reads `estimates.<rate>` of each configured rate and `anomalies.<metric>` of
// each configured metric (ruleInferences, src/models/estimates/rule-estimates.ts), nothing else.
// Until 2026-12-06 any name was taken there, and a rule on one not configured failed for every
// subject ("No such key": an eligibility left the action out of every decision); so was removing
// a rate or a metric such a rule read.
describe('a catalog or policy rule on a rate or a metric', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('not configured is refused when written, naming the field, the name, the closest configured one and the list', async () => {
    h = await harness('sqlite', { config: { features: shopFeatures, rates: [EMAIL_OPEN_RATE, CLICK_RATE], metrics: [SPEND] } });
    const c = shopCatalog();
    c.actions![2].eligibility = 'estimates.email_opn.low > 0.2';
    c.actions![4].suitability = '!anomalies.spnd';
    expect(problems(await putConfig(h, 'catalog', c))).toEqual([
      { field: 'actions[2].eligibility', message: 'The rule in `actions[2].eligibility` reads `estimates.email_opn`, which is not a configured rate (`rates`): did you mean `estimates.email_open`? The rates are email_open, email_click.' },
      { field: 'actions[4].suitability', message: 'The rule in `actions[4].suitability` reads `anomalies.spnd`, which is not a configured metric (`metrics`): did you mean `anomalies.spend`? The metrics are spend.' },
    ]);
    expect(h.tact.decide.playbook().catalog.actions.size).toBe(0);
    expect((await putConfig(h, 'catalog', shopCatalog())).statusCode).toBe(200);
    expect(problems(await putConfig(h, 'policy', policyWith('estimates["nope"].value > 0.3', 'anomalies.spend')))).toEqual([
      { field: 'rules[2].when', message: 'The rule in `rules[2].when` reads `estimates.nope`, which is not a configured rate (`rates`). The rates are email_open, email_click.' },
    ]);
    // Configured names are taken; a key computed when the rule runs cannot be checked.
    const ok = await putConfig(h, 'policy', policyWith('estimates.email_open.low > 0.2 && estimates["email_click"].value > 0.01 && estimates[traits.rate].value > 0.1', '!anomalies["spend"]'));
    expect(ok.statusCode, ok.body).toBe(200);
  });

  it('with none configured, says so', async () => {
    h = await harness('sqlite', { config: { features: shopFeatures, catalog: shopCatalog() } });
    expect(problems(await putConfig(h, 'policy', { ...shopPolicy(), humanTerritory: [{ name: 'odd', queue: 'vip', when: 'anomalies.spend' }] }))).toEqual([
      { field: 'humanTerritory[0].when', message: 'The rule in `humanTerritory[0].when` reads `anomalies.spend`, which is not a configured metric (`metrics`). No metrics are defined.' },
    ]);
  });

  it('configured but not trained yet is taken with a warning naming the rule, until a trained model holds the rate', async () => {
    const t = (h = await harness('sqlite', { config: { features: shopFeatures, rates: [EMAIL_OPEN_RATE], metrics: [SPEND] } }));
    const c = await putConfig(t, 'catalog', catalogWith('estimates.email_open.value > 0.05'));
    expect(c.statusCode, c.body).toBe(200);
    const until = 'and no trained rates model holds that rate yet: until one does (the training schedule, or POST /v1/models/rates/train), it is estimated with the default ladder (a uniform prior, default pooling) over the events counted so far.';
    expect(c.json().warnings).toContainEqual({ field: 'actions[1].eligibility', message: `The rule in \`actions[1].eligibility\` reads \`estimates.email_open\`, ${until} The catalog is taken.` });
    // An anomaly flag rests on the subject's own baseline, not on a trained model: no warning.
    const p = await putConfig(t, 'policy', policyWith('estimates.email_open.low > 0.2', '!anomalies.spend'));
    expect(p.statusCode, p.body).toBe(200);
    expect(p.json().warnings).toEqual([{ field: 'rules[2].when', message: `The rule in \`rules[2].when\` reads \`estimates.email_open\`, ${until} The policy is taken.` }]);
    for (let u = 0; u < 6; u++) for (let k = 0; k < 4; k++) await emailExposure(t, u, k);
    expect((await t.tact.learning.train(['rates'], 'test'))[0]).toMatchObject({ model: 'rates', version: 1 });
    expect((await get(t.app, '/v1/config/policy')).json().warnings ?? []).toEqual([]);
    expect(((await get(t.app, '/v1/config/catalog')).json().warnings ?? []).filter((w: { field: string }) => w.field === 'actions[1].eligibility')).toEqual([]);
  });

  it('in a config file, stops the start with the same sentence; the file\'s own rates count', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    try {
      await expect(harness('sqlite', { store, config: { ...shopConfig(policyWith('estimates.email_opn.low > 0.2')), rates: [EMAIL_OPEN_RATE] } }))
        .rejects.toThrow('The `policy` section of test-config is not valid: rules[2].when: The rule in `rules[2].when` reads `estimates.email_opn`, which is not a configured rate (`rates`): did you mean `estimates.email_open`? The rates are email_open.');
      expect(await store.documents.latest('rates')).toBeUndefined();
      expect(await store.documents.latest('policy')).toBeUndefined();
      h = await harness('sqlite', { store, config: { ...shopConfig(policyWith('estimates.email_open.low > 0.2', '!anomalies.spend')), rates: [EMAIL_OPEN_RATE], metrics: [SPEND] } });
      expect(h.tact.decide.playbook().policy.levers.map((l) => l.name)).toEqual(['calm']);
    } finally {
      await h?.close();
      h = undefined;
      await cleanup();
    }
  });
});

describe('removing a rate or a metric a catalog or policy rule reads', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('is a 400 naming the rate, who reads it and the rule, until the rule no longer reads it', async () => {
    h = await harness('sqlite', {
      config: { features: shopFeatures, catalog: catalogWith('estimates.email_click.value > 0.01'), policy: policyWith('estimates.email_open.low > 0.2', '!anomalies.spend'), rates: [EMAIL_OPEN_RATE, CLICK_RATE], metrics: [SPEND] },
    });
    expect(problems(await putConfig(h, 'rates', []))).toEqual([
      { field: 'rates', message: `The rate \`email_click\` is read by the action \`socks-offer\` (\`actions[1].eligibility\` of the catalog, as \`estimates.email_click\`): ${REMOVE}` },
      { field: 'rates', message: `The rate \`email_open\` is read by the policy rule \`opens e-mail\` (\`rules[2].when\` of the policy, as \`estimates.email_open\`): ${REMOVE}` },
    ]);
    expect(problems(await putConfig(h, 'metrics', []))).toEqual([
      { field: 'metrics', message: 'The metric `spend` is read by the lever `calm` (`levers[0].when` of the policy, as `anomalies.spend`): change that first, then remove the metric, or change both at once (PUT /v1/config; to rename it, add the new name, move the rule to it and remove this one in the same change).' },
    ]);
    // A rename is a removal of the old name.
    expect(problems(await putConfig(h, 'rates', [{ ...EMAIL_OPEN_RATE, name: 'opens' }, CLICK_RATE])).map((p) => p.message)).toEqual([expect.stringMatching(/^The rate `email_open` is read by the policy rule `opens e-mail`/)]);
    expect((await get(h.app, '/v1/config/rates')).json().body.map((r: { name: string }) => r.name)).toEqual(['email_open', 'email_click']);
    // Add the new name, move the rule, then the old name goes; a metric no rule reads goes.
    expect((await putConfig(h, 'rates', [EMAIL_OPEN_RATE, { ...EMAIL_OPEN_RATE, name: 'opens' }, CLICK_RATE])).statusCode).toBe(200);
    expect((await putConfig(h, 'policy', policyWith('estimates.opens.low > 0.2'))).statusCode).toBe(200);
    expect((await putConfig(h, 'rates', [{ ...EMAIL_OPEN_RATE, name: 'opens' }, CLICK_RATE])).statusCode).toBe(200);
    expect((await putConfig(h, 'metrics', [])).statusCode).toBe(200);
  });

  it('in a config file, stops the start; a file that changes the rule and removes the rate together starts', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    try {
      const first = await harness('sqlite', { store, config: { ...shopConfig(policyWith('estimates.email_open.low > 0.2')), rates: [EMAIL_OPEN_RATE] } });
      await first.close();
      await expect(harness('sqlite', { store, config: { ...shopConfig(policyWith('estimates.email_open.low > 0.2')), rates: [] } }))
        .rejects.toThrow(`The \`rates\` section of test-config is not valid: rates: The rate \`email_open\` is read by the policy rule \`opens e-mail\` (\`rules[2].when\` of the policy, as \`estimates.email_open\`): ${REMOVE}`);
      expect((await store.documents.latest('rates'))?.body).toEqual([EMAIL_OPEN_RATE]);
      h = await harness('sqlite', { store, config: { ...shopConfig(policyWith('features.orders >= 1')), rates: [] } });
      expect((await get(h.app, '/v1/config/rates')).json().body).toEqual([]);
    } finally {
      await h?.close();
      h = undefined;
      await cleanup();
    }
  });
});
