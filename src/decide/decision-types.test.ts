import { afterEach, describe, expect, it } from 'vitest';
import { harness, openTestStore, type Harness } from '../../test/harness.js';
import { putConfig } from '../store/conformance/learn-helpers.js';
import { EMAIL_OPEN_RATE } from '../models/rates/email-fixture.js';
import { shopCatalog, shopConfig, shopFeatures, shopPolicy } from './fixtures.js';

const problems = async (r: { statusCode: number; json(): { problems?: { field: string; message: string }[] }; body: string }) => {
  expect(r.statusCode, r.body).toBe(400);
  return r.json().problems ?? [];
};

describe('a policy or catalog rule comparing a value of a declared type with one of another', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('is refused when the policy is written: its rules, human territory and levers, naming the field', async () => {
    h = await harness('sqlite', { config: { features: shopFeatures, catalog: shopCatalog(), rates: [EMAIL_OPEN_RATE] } });
    const policy = {
      ...shopPolicy(),
      rules: [...shopPolicy().rules!, { name: 'engaged', stage: 'eligibility', when: 'estimates.email_open.value > "0.2"' }],
      humanTerritory: [{ name: 'old hands', queue: 'vip', when: 'firstSeen < "2024-01-01"' }],
      levers: [{ name: 'loyal', weight: 1.5, when: 'features.orders == "3"' }],
    };
    const n = shopPolicy().rules!.length;
    expect(await problems(await putConfig(h, 'policy', policy))).toEqual([
      { field: `rules[${n}].when`, message: `The rule in \`rules[${n}].when\` compares \`estimates.email_open.value\`, a number, with \`"0.2"\`, a string: the two cannot be ordered, so the rule would fail for every subject. Compare it with a number.` },
      { field: 'humanTerritory[0].when', message: 'The rule in `humanTerritory[0].when` compares `firstSeen`, a timestamp, with `"2024-01-01"`, a string: the two cannot be ordered, so the rule would fail for every subject. Compare it with a timestamp.' },
      { field: 'levers[0].when', message: 'The rule in `levers[0].when` compares `features.orders`, a number (a count feature), with `"3"`, a string: values of two types are never equal, so `==` would be false for every subject. Compare it with a number.' },
    ]);
    expect(h.tact.decide.playbook().policyVersion).toBe(0);
    // What may hold is taken.
    const ok = { ...shopPolicy(), levers: [{ name: 'loyal', weight: 1.5, when: 'features.orders >= 3 && estimates.email_open.status == "established" && firstSeen < now - duration("720h")' }] };
    const r = await putConfig(h, 'policy', ok);
    expect(r.statusCode, r.body).toBe(200);
  });

  it('is refused when the catalog is written: an action\'s rules and a placement\'s recommendation rule', async () => {
    h = await harness('sqlite', { config: { features: shopFeatures } });
    const c = shopCatalog();
    c.actions![0].eligibility = 'action.value == "high"';
    c.placements!.push({ id: 'recs', channel: 'web', kind: 'recommendation', recommend: { rule: 'features.orders > "2"' } });
    const at = c.placements!.length - 1;
    expect(await problems(await putConfig(h, 'catalog', c))).toEqual([
      { field: 'actions[0].eligibility', message: expect.stringMatching(/^The rule in `actions\[0\]\.eligibility` compares `action\.value`, a number, with `"high"`, a string: values of two types are never equal/) },
      { field: `placements[${at}].recommend.rule`, message: expect.stringMatching(new RegExp(`^The rule in \`placements\\[${at}\\]\\.recommend\\.rule\` compares \`features\\.orders\``)) },
    ]);
    expect(h.tact.decide.playbook().catalog.actions.size).toBe(0);
  });

  it('in a config file, stops the start with the same sentence', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    try {
      await expect(harness('sqlite', { store, config: shopConfig({ levers: [{ name: 'loyal', weight: 2, when: 'features.orders >= "3"' }] }) }))
        .rejects.toThrow(/levers\[0\]\.when: The rule in `levers\[0\]\.when` compares `features\.orders`, a number \(a count feature\), with `"3"`, a string/);
    } finally {
      await cleanup();
    }
  });
});
