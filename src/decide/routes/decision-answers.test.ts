import fastJson from 'fast-json-stringify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KEYS, bearer, get, harness, send, type Harness } from '../../../test/harness.js';
import type { DecisionRecord } from '../decision.js';
import { shopConfig, shopPolicy } from '../fixtures.js';
import type { OutcomeRecord } from '../records.js';
import { advertising, decideReq, post } from '../test-http.js';
import { decisionView } from '../view.js';
import { decideSchemas } from './schemas.js';

type FjsSchema = Parameters<typeof fastJson>[0];
const plain = (x: unknown) => JSON.parse(JSON.stringify(x));

describe('decision answers: estimates at the level of the decision\'s own policy', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness('sqlite', { config: shopConfig({ estimates: { level: 0.8 } }) });
    await send(h.app, '/v1/identify', { userId: 'ana', traits: { name: 'Ana' }, context: advertising });
  });
  afterEach(async () => h.close());

  it('answers `level` from the policy the decision was made under, in the answer, the log and its listing, after the policy changed', async () => {
    const d = (await decideReq(h.app, { subject: 'ana', placement: 'home', n: 3, explain: 'full' })).json();
    expect(d.choices[0].estimate).toMatchObject({ level: 0.8, updatedAt: null });
    expect(d.explanation.candidates[0].estimate).toMatchObject({ level: 0.8, updatedAt: null });
    const put = await h.app.inject({ method: 'PUT', url: '/v1/config/policy', headers: { authorization: bearer(KEYS.admin) }, payload: { document: { ...shopPolicy(), estimates: { level: 0.95 } }, reason: 'wider intervals' } });
    expect(put.statusCode, put.body).toBe(200);
    const logged = (await get(h.app, `/v1/decisions/${d.decisionId}`)).json();
    expect(logged.choices[0].estimate.level).toBe(0.8);
    expect(logged.explanation.candidates[0].estimate.level).toBe(0.8);
    const listed = (await get(h.app, '/v1/decisions?subject=ana')).json();
    expect(listed.decisions[0].choices[0].estimate.level).toBe(0.8);
    const next = (await decideReq(h.app, { subject: 'ana', placement: 'home' })).json();
    expect(next.choices[0].estimate.level).toBe(0.95);
  });

  it('keeps every field of a full explanation and its outcomes through the schema-compiled serializer of GET /v1/decisions/{id}', async () => {
    const d = (await decideReq(h.app, { subject: 'ana', placement: 'home', n: 3, explain: 'full' })).json();
    const o = await post(h.app, '/v1/outcomes', { decisionId: d.decisionId, action: d.choices[0].action, type: 'conversion', value: 80 });
    expect(o.statusCode, o.body).toBe(200);
    const record = (await h.tact.store.decisions.getDecision(d.decisionId))!;
    const outcomes = await h.tact.store.decisions.outcomesOf(d.decisionId);
    expect(outcomes.length).toBe(1);
    const logged = (await get(h.app, `/v1/decisions/${d.decisionId}`)).json();
    // What decisionView built, written by V8 (the route's serializer may neither drop nor coerce a field).
    expect(logged).toEqual(plain(decisionView(record, { full: true, public: false, level: 0.8 }, outcomes)));
    expect(logged.explanation.candidates.length).toBeGreaterThan(3);
    expect(logged.explanation.facts).toMatchObject({ 'consent.Advertising': true });
  });
});

describe('the decision schemas as serializers', () => {
  /** A decision with every optional part, and a field the schemas do not list in each object they describe. */
  function everything(): { view: Record<string, unknown>; outcomes: OutcomeRecord[] } {
    const d = {
      id: 'd1', at: Date.UTC(2026, 11, 1), profileKey: 'p1', subject: 'ana', placement: 'home', channel: 'web', context: { page: '/' },
      policyVersion: 3, catalogVersion: 2, modelVersion: 'beta-ladder@1', arm: 'treatment', experiment: { id: 'x1', arm: 'b' }, unit: 'ana',
      segment: 'segment:vip', microSegment: 4, microSegmentModel: 'micro-segments@2',
      choices: [
        { rank: 1, kind: 'action', action: 'a', variant: 'v1', content: { headline: 'Hi' }, score: 1.5, propensity: 0.7, propensityError: 1e-9, why: 'because', held: { action: 'loan', reviewId: 'r1' } },
        { rank: 2, kind: 'item', item: 'sku-1', score: 0.3, propensity: 1, why: '', estimate: { value: 0.3, low: 0.2, high: 0.4, level: 0.9, evidence: 2.5, source: 'personal', status: 'learning', reason: 'stale', modelVersion: 'recs@1', updatedAt: '2026-12-01T00:00:00.000Z', posterior: { alpha: 1.5, beta: 3.5 } } },
        { rank: 3, kind: 'handoff', queue: 'vip desk', score: 0, propensity: 1, why: 'a person decides' },
      ],
      scored: [
        { action: 'a', score: 1.5, p: 0.05, lo: 0.01, hi: 0.12, n: 3, rung: 'segment', value: 40, cost: 0.5, levers: [['push', 1.2]], uplift: { p: 0.01, lo: -0.01, hi: 0.03, n: 50, model: 'uplift@1' }, review: 'approved' },
        { action: 'b', score: 0.1, p: 0.01, lo: 0, hi: 0.05, n: 0, rung: 'population', learning: true, value: 10, fallback: 'no uplift model is trained yet' },
        { action: 'c', score: 0.01 },
      ],
      excluded: [{ stage: 'eligibility', rule: 'own rule', reason: 'not eligible', actions: ['d', 'e'] }],
      facts: { 'traits.name': 'Ana', 'features.orders': 3 }, absentFacts: ['traits.segment'], operator: 'op', customer: 'cu',
      excludedByStage: { eligibility: 2 }, handoff: { territory: 'vip', queue: 'vip desk' },
    } as unknown as DecisionRecord;
    const outcomes: OutcomeRecord[] = [
      { id: 'o1', at: Date.UTC(2026, 11, 2), profileKey: 'p1', type: 'conversion', value: 80, decisionId: 'd1', action: 'a', credit: 0.5, reward: 40, success: true, source: 'api' },
      { id: 'o2', at: Date.UTC(2026, 11, 3), profileKey: 'p1', type: 'click', value: null, decisionId: null, action: null, credit: 1, reward: 0, success: false, source: 'event' },
    ];
    const view = decisionView(d, { full: true, public: false, level: 0.9 }, outcomes) as { choices: Record<string, Record<string, unknown>>[]; explanation: Record<string, unknown> & { candidates: Record<string, unknown>[] }; outcomes: Record<string, unknown>[] };
    // Fields a later server may add: the schemas leave these objects open, so they must pass through.
    view.choices[0].estimate.extra = 'kept';
    (view.choices[1].estimate.posterior as Record<string, unknown>).extra = 'kept';
    view.explanation.extra = 'kept';
    (view.explanation.experiment as Record<string, unknown>).extra = 'kept';
    (view.explanation.ladder as Record<string, unknown>).extra = 'kept';
    (view.explanation.handoff as Record<string, unknown>).extra = 'kept';
    view.explanation.candidates[0].extra = 'kept';
    view.outcomes[0].extra = 'kept';
    return { view, outcomes };
  }

  it('write a decision with every optional part as JSON.stringify does: no field dropped, none coerced', () => {
    const { view } = everything();
    for (const schema of [decideSchemas.getDecision.response[200], decideSchemas.decide.response[200]]) {
      expect(JSON.parse(fastJson(schema as unknown as FjsSchema)(view))).toEqual(plain(view));
    }
    const list = fastJson(decideSchemas.listDecisions.response[200] as unknown as FjsSchema);
    for (const next of [null, 'MTc2NDUwMDAwMDAwMC5kLTE']) expect(JSON.parse(list({ decisions: [view], next }))).toEqual(plain({ decisions: [view], next }));
    const outcome = fastJson(decideSchemas.outcome.response[200] as unknown as FjsSchema);
    const answer = { recorded: view.outcomes, duplicate: false };
    expect(JSON.parse(outcome(answer))).toEqual(plain(answer));
  });
});
