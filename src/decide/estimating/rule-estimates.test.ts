import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness, send, type Harness } from '../../../test/harness.js';
import { shopConfig } from '../fixtures.js';
import { catalogKind, policyKind } from '../kinds.js';
import { replayRules } from '../replay.js';
import { advertising, decideReq } from '../test-http.js';

/**
 * Rules read the models: `estimates.<rate>` (value, interval, status, rung, evidence) and
 * `anomalies.<metric>` (whether the metric's latest reading was flagged), read once before the
 * pipeline, and the values used are kept with the decision (facts) so it can be replayed.
 */
describe('estimates and anomalies in rules', () => {
  let h: Harness;
  const config = {
    ...shopConfig({
      rules: [
        ...(shopConfig().policy.rules ?? []),
        { name: 'opens e-mail', stage: 'suitability', actions: ['newsletter'], when: 'estimates.email_open.value >= 0.3', reason: 'the subject seldom opens e-mail' },
        { name: 'no odd spending', stage: 'suitability', actions: ['socks-offer'], when: '!anomalies.spend', reason: 'the latest spend looks anomalous' },
      ],
    }),
    rates: [{ name: 'email_open', exposure: 'Email Delivered', success: 'Email Opened', within: '3d' }],
    metrics: [{ name: 'spend', event: 'Order Completed', property: 'revenue' }],
  };
  beforeEach(async () => {
    h = await harness('sqlite', { config });
    await send(h.app, '/v1/identify', { userId: 'ana', context: advertising });
  });
  afterEach(async () => h.close());

  const decide = async () => (await decideReq(h.app, { subject: 'ana', placement: 'home', n: 3, explain: 'full' })).json();
  const verdict = (d: { explanation: { candidates: { action: string; status: string; reason?: string }[] } }, action: string) => d.explanation.candidates.find((c) => c.action === action);

  it('lets a rule read a rate estimate, and keeps the value it read', async () => {
    const before = await decide();
    expect(verdict(before, 'newsletter')?.status).toBe('scored');
    // the untrained rate's prior is Beta(1, 1): mean 0.5, nothing observed (rates/rate-model.ts)
    expect(before.explanation.facts['estimates.email_open']).toMatchObject({ value: 0.5, evidence: 0, status: 'learning', source: 'population' });
    // (to others: a subject's own deliveries inside their window say nothing yet about its rate)
    for (let i = 0; i < 6; i++) await send(h.app, '/v1/track', { userId: 'bob', event: 'Email Delivered', messageId: `m${i}` });
    await h.tact.consumers.runAll();
    const after = await decide();
    expect(verdict(after, 'newsletter')).toMatchObject({ status: 'excluded', stage: 'suitability', rule: 'opens e-mail', reason: 'the subject seldom opens e-mail' });
    // six deliveries to others, no open: the population's Beta(1, 1) prior becomes Beta(1, 7), mean 1/8
    expect(after.explanation.facts['estimates.email_open'].value).toBeCloseTo(1 / 8, 9);
    // each record explains itself: replayed from its kept facts, the rules reach the same verdicts
    // (the first one's newsletter passed only because the estimate it read is kept)
    for (const d of [before, after]) {
      const logged = await h.store.decisions.getDecision(d.decisionId);
      expect(replayRules(logged!, h.tact.settings.get(catalogKind), h.tact.settings.get(policyKind))).toMatchObject({ checked: 5, differences: [] });
    }
  });

  it('lets a rule read the latest anomaly flag of a metric', async () => {
    expect(verdict(await decide(), 'socks-offer')?.status).toBe('scored');
    const id = (await h.store.decisions.queryDecisions({ limit: 1 }))[0].profileKey;
    const at = Date.now();
    const row = { subjectId: id, model: 'baseline', key: 'spend', estimate: null, state: {}, modelVersion: 'baseline@1', seq: 41, updatedAt: at };
    await h.store.estimates.write({ estimates: [row], anomalies: [{ subjectId: id, metric: 'spend', seq: 41, at, value: 900, low: 10, high: 80, level: 0.98, modelVersion: 'baseline@1', recordedAt: at }] });
    const flagged = await decide();
    expect(verdict(flagged, 'socks-offer')).toMatchObject({ status: 'excluded', rule: 'no odd spending' });
    expect(flagged.explanation.facts['anomalies.spend']).toBe(true);
    // a later, ordinary reading: the flag is down again
    await h.store.estimates.write({ estimates: [{ ...row, seq: 42 }] });
    expect(verdict(await decide(), 'socks-offer')?.status).toBe('scored');
  });
});
