import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluatePolicy, type EvaluatePolicyRequest } from './policy-eval/evaluate.js';
import { measureShop, seededTact, simulateShopLog } from './simulation.js';

type Schema = Record<string, unknown>;
const lever = [{ name: 'socks push', actions: ['socks'], weight: 1 }];

/**
 * POST /v1/evaluate-policy's answer: a 200 schema in /openapi.json that declares its fields (it
 * was an open object until 2026-12-04), which a real answer meets. Fastify serializes through that
 * schema, so the answer must also be the evaluation itself: no field dropped, no null turned into 0
 * (as results-answers.test.ts asks of the readouts).
 */
describe("the policy evaluation's answer meets the schema it declares", () => {
  let h: Awaited<ReturnType<typeof seededTact>>;
  let declared: Schema;
  const ajv = new Ajv({ strict: false, allErrors: true });
  (addFormats as unknown as (a: Ajv) => void)(ajv);

  beforeAll(async () => {
    h = await seededTact(measureShop({ exploration: 0.3, levers: lever }), { seed: 9 });
    await simulateShopLog(h.tact, { subjects: 600, seed: 3 });
    const paths = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json().paths;
    declared = paths['/v1/evaluate-policy'].post.responses['200'].content['application/json'].schema;
  });
  afterAll(async () => h?.close());

  it('declares the fields of the evaluation and of its report', () => {
    const s = declared as { properties?: Record<string, { properties?: Record<string, Schema> }>; required?: string[] };
    expect(Object.keys(s.properties ?? {})).toEqual(['placement', 'candidate', 'read', 'skipped', 'loggedValue', 'replayMismatches', 'unscoredCandidates', 'report', 'warnings']);
    expect(s.required).toEqual(Object.keys(s.properties ?? {}));
    expect(Object.keys(s.properties?.report.properties ?? {})).toEqual(['n', 'estimates', 'diagnostics', 'warnings', 'blocked', 'clippedIps']);
    // OpenAPI 3.0 states a nullable field as `nullable: true`.
    expect(s.properties?.loggedValue).toMatchObject({ type: 'number', nullable: true });
  });

  const cases: [string, Omit<EvaluatePolicyRequest, 'placement'>][] = [
    ['estimated, with clipped IPS', { candidate: { levers: { 'socks push': 10 } }, seed: 1, replicates: 100, clip: 5 }],
    ['blocked: every estimate null', { candidate: { exploration: 0 }, seed: 1, replicates: 100, clip: 5 }],
    ['an empty window: nothing read', { candidate: { exploration: 0.1 }, seed: 1, replicates: 100, to: Date.UTC(2020, 0, 1) }],
  ];
  it.each(cases)('%s: the answer meets the schema and is the evaluation', async (_, req) => {
    const body = { placement: 'home', ...req, ...(req.to ? { to: new Date(req.to).toISOString() } : {}) };
    const r = await h.app.inject({ method: 'POST', url: '/v1/evaluate-policy', headers: h.auth, payload: body });
    expect(r.statusCode, r.body).toBe(200);
    const answer = r.json();
    expect(ajv.validate(declared, answer), ajv.errorsText()).toBe(true);
    const direct = await evaluatePolicy(h.tact.store.measure, h.tact.store.documents, { placement: 'home', ...req }, undefined, h.tact.store.models);
    expect(answer).toEqual(JSON.parse(JSON.stringify(direct)));
    // Each case reaches what it is named for: the nulls the schema must let through are in the answer.
    if (req.to) expect([answer.read, answer.loggedValue]).toEqual([0, null]);
    else expect([answer.read, answer.report.blocked, answer.report.clippedIps === null]).toEqual([600, req.candidate.exploration === 0, req.candidate.exploration === 0]);
  });
});
