import { afterEach, describe, expect, it } from 'vitest';
import { get, harness, send, type Harness } from '../../test/harness.js';
import { advertising, decideReq } from './test-http.js';
import { shopConfig } from './fixtures.js';

/**
 * A rule that compiles but cannot be evaluated on a subject's data (a trait it lacks): what the
 * decision and its logged record say must name which rule failed, and why.
 */
describe('a decision rule that cannot be evaluated on the subject', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('a lever: the decision\'s operator sentence and its record name the lever and the error', async () => {
    h = await harness('sqlite', { config: shopConfig({ levers: [{ name: 'gold boost', weight: 3, when: 'traits.tier == "gold"' }] }) });
    await send(h.app, '/v1/identify', { userId: 'ana', traits: { plan: 'pro' }, context: advertising });
    const d = (await decideReq(h.app, { subject: 'ana', placement: 'home', context: advertising })).json();
    const logged = (await get(h.app, `/v1/decisions/${d.decisionId}`)).body;
    const sentence = 'The lever `gold boost` could not be evaluated (No such key: tier), so it did not apply.';
    expect(d.explanation.operator).toContain(sentence);
    expect(JSON.parse(logged).explanation.operator).toContain(sentence);
    // Said once a decision, however many candidates the lever was tried on.
    expect(d.explanation.operator.split(sentence).length).toBe(2);
  });

  it('a human territory entry: the decision and its record name the entry and the error', async () => {
    h = await harness('sqlite', { config: shopConfig({ humanTerritory: [{ name: 'gold desk', queue: 'vip', when: 'traits.tier == "gold"' }] }) });
    await send(h.app, '/v1/identify', { userId: 'ana', traits: { plan: 'pro' }, context: advertising });
    const d = (await decideReq(h.app, { subject: 'ana', placement: 'home', context: advertising })).json();
    const logged = (await get(h.app, `/v1/decisions/${d.decisionId}`)).body;
    const sentence = 'The human territory `gold desk` could not be evaluated (No such key: tier), so it did not hold.';
    expect(d.explanation.operator).toContain(sentence);
    expect(JSON.parse(logged).explanation.operator).toContain(sentence);
  });

  it('a policy rule: the exclusion names the rule and the error', async () => {
    h = await harness('sqlite', { config: shopConfig({ rules: [{ name: 'gold only', stage: 'eligibility', when: 'traits.tier == "gold"' }] }) });
    await send(h.app, '/v1/identify', { userId: 'ana', traits: { plan: 'pro' }, context: advertising });
    const d = (await decideReq(h.app, { subject: 'ana', placement: 'home', context: advertising })).json();
    const logged = (await get(h.app, `/v1/decisions/${d.decisionId}`)).body;
    // Already so before: the exclusion's reason names the rule.
    expect(JSON.stringify(d) + logged).toMatch(/`gold only` could not be evaluated \(No such key: tier\)/);
  });
});
