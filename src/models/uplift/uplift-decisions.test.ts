import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, harness, KEYS, send, type Harness } from '../../../test/harness.js';
import type { DecisionRecord } from '../../decide/decision.js';
import { shopConfig } from '../../decide/fixtures.js';
import type { OutcomeRecord } from '../../decide/records.js';
import { advertising, decideReq } from '../../decide/test-http.js';
import { HELD_OUT_SHARE, heldOutSubject } from './held-out.js';

const DAY = 86_400_000;

/** A logged decision of the past: "none" or the shoes offer at rank 1, with the facts it kept. */
function past(i: number, at: number, arm: 'none' | 'shoes-offer', orders: number): DecisionRecord {
  const choice = arm === 'none' ? { rank: 1, kind: 'none' as const, score: 0, propensity: 0.5, why: '' } : { rank: 1, kind: 'action' as const, action: 'shoes-offer', score: 2.8, propensity: 0.5, why: '' };
  return {
    id: `past-${i}`, at, profileKey: `p${i}`, subject: `s${i}`, placement: 'home', channel: 'web', context: {}, policyVersion: 1, catalogVersion: 1, modelVersion: 'beta-ladder@1',
    arm: 'treatment', choices: [choice], scored: [{ action: 'shoes-offer', score: 2.8, p: 0.05, value: 60, cost: 0.2 }], excluded: [],
    facts: { 'features.orders': orders }, absentFacts: [], operator: '', customer: '', excludedByStage: {},
  };
}

/**
 * A past log with exploration between "none" and the shoes offer (propensity ½ each): the offer
 * converts 40% of subjects, doing nothing 10% — an uplift of 0.3 — and the `uplift` model trained
 * from it drives the score of the next decision under `scoring: uplift`.
 */
async function seedLog(h: Harness, n: number, offset: number, rates: { none: number; shoes: number }): Promise<void> {
  const at = Date.now() - 30 * DAY;
  const outcomes: OutcomeRecord[] = [];
  for (let i = offset; i < offset + n; i++) {
    const arm = i % 2 ? 'shoes-offer' : 'none';
    const d = past(i, at + i, arm, i % 3);
    await h.store.decisions.appendDecision(d);
    const k = Math.floor(i / 2) % 10;
    if (k < 10 * (arm === 'none' ? rates.none : rates.shoes)) {
      outcomes.push({ id: `o${i}`, at: d.at + 3_600_000, profileKey: d.profileKey, type: 'conversion', value: 60, decisionId: arm === 'none' ? null : d.id, action: arm === 'none' ? null : arm, credit: arm === 'none' ? 0 : 1, reward: 60, success: arm !== 'none', source: 'api' });
    }
  }
  await h.store.decisions.addOutcomes(outcomes);
}

describe('uplift-aware scoring', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness('sqlite', { config: shopConfig({ scoring: 'uplift', estimates: { establishedWidth: 0.25 } }) });
    await send(h.app, '/v1/identify', { userId: 'ana', context: advertising });
  });
  afterEach(async () => h.close());

  it('falls back to the rate, and says so, until an uplift model is trained; then scores by the uplift', async () => {
    const before = (await decideReq(h.app, { subject: 'ana', placement: 'home' })).json();
    expect(before.choices[0].explanation).toContain('[scored on the rate, not the uplift: no uplift model is trained yet]');
    expect(before.choices[0].score).toBeCloseTo(0.05 * 60 - 0.2, 9);

    await seedLog(h, 400, 0, { none: 0.1, shoes: 0.4 });
    const [trained] = await h.tact.learning.train(['uplift'], 'test');
    expect(trained).toMatchObject({ model: 'uplift', version: 1, promotion: { promoted: true } });
    // Trained on the subjects outside the held-out split (held-out.ts) only.
    const fitted = Array.from({ length: 400 }, (_, i) => i).filter((i) => !heldOutSubject(`p${i}`));
    const shoes = fitted.filter((i) => i % 2);
    const none = fitted.filter((i) => i % 2 === 0);
    const converts = (i: number, rate: number) => Math.floor(i / 2) % 10 < 10 * rate;
    expect(trained.metrics).toMatchObject({
      decisions: fitted.length, heldOut: 400 - fitted.length, none: none.length, features: ['features.orders'],
      actions: { 'shoes-offer': { rows: shoes.length, positives: shoes.filter((i) => converts(i, 0.4)).length, noneRows: none.length, nonePositives: none.filter((i) => converts(i, 0.1)).length } },
    });

    const after = (await decideReq(h.app, { subject: 'ana', placement: 'home' })).json();
    expect(after.choices[0].action).toBe('shoes-offer');
    expect(after.choices[0].explanation).toMatch(new RegExp(`conversion uplift over "none" \\(90% .* n=${fitted.length}, uplift@1\\) × value 60`));
    const logged = await h.store.decisions.getDecision(after.decisionId);
    const trace = logged!.scored.find((s) => s.action === 'shoes-offer')!;
    expect(trace.uplift?.model).toBe('uplift@1');
    // The IPS weights are equal within each arm here, so the intercept-dominated uplift at the
    // features' mean is close to the difference of the arms' rates, 0.4 − 0.1.
    expect(trace.uplift!.p).toBeGreaterThan(0.2);
    expect(after.choices[0].score).toBeCloseTo(trace.uplift!.p * 60 - 0.2, 3);
    // The answer shows the uplift the score used as an estimate with its interval (12 significant
    // digits of the logged numbers, which the log keeps as computed); `estimate` stays the goal rate.
    const shown = (x: number) => Number(x.toPrecision(12));
    expect(after.choices[0].uplift).toEqual({
      value: shown(trace.uplift!.p), low: shown(trace.uplift!.lo), high: shown(trace.uplift!.hi), level: 0.9, evidence: fitted.length,
      source: 'population', status: 'established', modelVersion: 'uplift@1', updatedAt: new Date(trace.uplift!.at!).toISOString(),
    });
    // Dated by the end of the trained version's data window (logged since 2026-12-07; null before).
    const model = (await h.app.inject({ method: 'GET', url: '/v1/models/uplift', headers: { authorization: bearer(KEYS.server) } })).json();
    expect(new Date(trace.uplift!.at!).toISOString()).toBe(model.versions[0].dataTo);
    expect(after.choices[0].uplift.low).toBeLessThan(after.choices[0].uplift.value);
    expect(after.choices[0].estimate.modelVersion).not.toBe('uplift@1');
    const full = (await h.app.inject({ method: 'GET', url: `/v1/decisions/${after.decisionId}`, headers: { authorization: bearer(KEYS.server) } })).json();
    expect(full.explanation.candidates.find((c: { action: string }) => c.action === 'shoes-offer').uplift).toEqual(after.choices[0].uplift);
    expect(before.choices[0].uplift).toBeUndefined();
    // the model's features are kept with the decision, so it can be replayed
    expect(Object.keys(logged!.facts)).toContain('features.orders');
    expect(logged!.absentFacts).not.toContain('features.orders');
  });

  it('compares a retrained version off-policy before promoting it: promotes the better one, refuses a worse one with the figures', async () => {
    await seedLog(h, 400, 0, { none: 0.1, shoes: 0.4 });
    const [first] = await h.tact.learning.train(['uplift'], 'test');
    expect(first.promotion?.reason).toContain('first version');
    // Later decisions where the offer hurts: over the whole log "none" converts 0.325, the offer
    // 0.175. The retrained version does nothing; the live one sends the offer to everyone. Both are
    // judged on the held-out subjects' decisions (held-out.ts), which neither was trained on.
    // Logged at propensity ½ each, SNIPS of a deterministic policy is the mean reward of the rows
    // where the log did what it would (Swaminathan & Joachims 2015).
    await seedLog(h, 1200, 400, { none: 0.4, shoes: 0.1 });
    const held = Array.from({ length: 1600 }, (_, i) => i).filter((i) => heldOutSubject(`p${i}`));
    const converts = (i: number) => Math.floor(i / 2) % 10 < 10 * (i < 400 ? (i % 2 ? 0.4 : 0.1) : i % 2 ? 0.1 : 0.4);
    const snips = (rows: number[]) => Math.round((rows.filter(converts).length / rows.length) * 1e5) / 1e5;
    const noneValue = snips(held.filter((i) => i % 2 === 0));
    const shoesValue = snips(held.filter((i) => i % 2));
    const [second] = await h.tact.learning.train(['uplift'], 'test');
    expect(second.promotion).toMatchObject({ promoted: true, previous: 1, comparison: { better: true, figures: { decisions: held.length, candidate: { version: 2, snips: { value: noneValue } }, live: { version: 1, snips: { value: shoesValue } } } } });
    const difference = (second.promotion?.comparison?.figures as { difference: { snips: { value: number; ci: [number, number] } } }).difference.snips;
    expect(difference.value).toBeCloseTo(noneValue - shoesValue, 4);
    expect(difference.ci[0]).toBeGreaterThan(0);
    expect(second.promotion?.reason).toContain(`the comparison with version 1 lets it go live: on ${held.length} logged decisions of held-out subjects (neither version was trained on them), uplift@2 would have earned SNIPS ${noneValue}`);

    // A version that sends the offer again (version 1's state, registered anew) is worse: refused.
    const registry = h.tact.learning.registry;
    const v1 = await registry.store.getVersion('uplift', 1);
    const v3 = await registry.register('uplift', { state: v1!.state, metrics: {}, dataFrom: null, dataTo: Date.now() }, 'test');
    const refused = await registry.promote('uplift', v3.version, { actor: 'test' });
    expect(refused).toMatchObject({ promoted: false, previous: 2, comparison: { better: false, figures: { candidate: { snips: { value: shoesValue } }, live: { snips: { value: noneValue } } } } });
    expect(refused.reason).toMatch(/does not favour it: .* the candidate is worse$/);
    expect((await registry.live('uplift'))?.version).toBe(2);
  });

  it('trains on the subjects outside the held-out split, and judges versions only on the held-out subjects\' decisions', async () => {
    await seedLog(h, 400, 0, { none: 0.1, shoes: 0.4 });
    const keys = Array.from({ length: 400 }, (_, i) => `p${i}`);
    const held = keys.filter((k) => heldOutSubject(k));
    // The split is a hash of the subject: about HELD_OUT_SHARE of them, the same every time.
    expect(held.length).toBeGreaterThan(400 * HELD_OUT_SHARE * 0.7);
    expect(held.length).toBeLessThan(400 * HELD_OUT_SHARE * 1.3);
    expect(keys.filter((k) => heldOutSubject(k))).toEqual(held);
    const [first] = await h.tact.learning.train(['uplift'], 'test');
    expect(first.metrics).toMatchObject({ decisions: 400 - held.length, heldOut: held.length });
    // A second version is judged on the held-out decisions only: neither version was fitted on them.
    await seedLog(h, 400, 400, { none: 0.1, shoes: 0.4 });
    const heldLater = Array.from({ length: 400 }, (_, i) => `p${400 + i}`).filter((k) => heldOutSubject(k));
    const [second] = await h.tact.learning.train(['uplift'], 'test');
    expect(second.metrics).toMatchObject({ decisions: 800 - held.length - heldLater.length, heldOut: held.length + heldLater.length });
    expect(second.promotion?.comparison?.figures).toMatchObject({ decisions: held.length + heldLater.length });
    expect(second.promotion?.reason).toContain(`on ${held.length + heldLater.length} logged decisions of held-out subjects`);
  });
});
