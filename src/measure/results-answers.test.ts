import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, bearer, get, harness, type Harness } from '../../test/harness.js';
import { holdoutResults } from './experiments-service/holdout-results.js';
import { experimentResults } from './experiments-service/results.js';
import { measureShop, simulateExperiment } from './simulation.js';

type Schema = Record<string, unknown>;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const arms = { 'hero-test': { placement: 'home', arms: [{ id: 'control', weight: 0.5 }, { id: 'treat', weight: 0.5, variant: { action: 'shoes', variant: 'b' } }] } };

/**
 * The readouts' answers (GET /v1/experiments/{id}/results, GET /v1/holdout/results): times as ISO
 * 8601 strings as every other answer gives them (they were epoch milliseconds until 2026-12-04), and
 * a 200 schema in /openapi.json that declares their fields and that they meet. Fastify serializes
 * through that schema, so the answer must also be the readout itself: no field dropped, no null
 * turned into 0.
 */
describe('the readouts answer ISO times and the fields their schema declares', () => {
  let h: Harness;
  let paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: Schema }> }> }>>;
  const ajv = new Ajv({ strict: false, allErrors: true });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  const declared = (path: string) => paths[path].get.responses['200']?.content?.['application/json']?.schema as Schema;
  const meets = (path: string, v: unknown) => expect(ajv.validate(declared(path), v), `${path}: ${ajv.errorsText()}`).toBe(true);

  beforeAll(async () => {
    h = await harness('sqlite', { config: measureShop({ holdout: 0.1, experiments: arms }) });
    await simulateExperiment(h.tact, { subjects: 400, seed: 3, treated: 'treat', lift: 0.5 });
    paths = (await get(h.app, '/openapi.json')).json().paths;
  });
  afterAll(async () => h?.close());

  it('declares the fields of both answers, times as date-time strings', () => {
    for (const path of ['/v1/experiments/{id}/results', '/v1/holdout/results']) {
      const s = declared(path) as { properties?: Record<string, { properties?: Record<string, Schema> }> };
      expect(Object.keys(s.properties ?? {}), path).toEqual(expect.arrayContaining(['window', 'effect', 'decisions', 'units', 'crossovers', 'metrics', 'readout']));
      expect(s.properties?.window.properties?.to, path).toMatchObject({ type: 'string', format: 'date-time' });
      // OpenAPI 3.0 states a nullable field as `nullable: true`.
      expect(s.properties?.window.properties?.from, path).toMatchObject({ type: 'string', format: 'date-time', nullable: true });
    }
  });

  it("an experiment's results: ISO window, its schema met, the readout unchanged by serialization", async () => {
    const to = '2099-01-01T00:00:00.000Z';
    const r = await get(h.app, `/v1/experiments/hero-test/results?to=${to}`);
    expect(r.statusCode, r.body).toBe(200);
    const answer = r.json();
    expect(answer.window).toEqual({ from: null, to, preDays: 14, stoppedAt: null });
    meets('/v1/experiments/{id}/results', answer);
    // Serialized through the declared schema, every field and null of the readout is kept (a number field declared without null would give 0).
    const direct = await experimentResults(h.tact.store.measure, h.tact.settings, 'hero-test', { to: Date.parse(to), profiles: h.tact.store.profiles, documents: h.tact.store.documents });
    expect(answer).toEqual(JSON.parse(JSON.stringify(direct)));
  });

  it("a stopped experiment's stop and window end: the ISO time of the version that stopped it", async () => {
    const stopped = { 'hero-test': { ...arms['hero-test'], status: 'stopped' } };
    const put = await h.app.inject({ method: 'PUT', url: '/v1/config/experiments', headers: { authorization: bearer(KEYS.admin) }, payload: { document: stopped, reason: 'enough data' } });
    expect(put.statusCode, put.body).toBe(200);
    const answer = (await get(h.app, '/v1/experiments/hero-test/results?from=2000-01-01T00:00:00Z')).json();
    expect(answer.window).toEqual({ from: '2000-01-01T00:00:00.000Z', to: put.json().createdAt, preDays: 14, stoppedAt: put.json().createdAt });
    expect(answer.window.to).toMatch(ISO);
    meets('/v1/experiments/{id}/results', answer);
  });

  it("the holdout's results: ISO window, its schema met, the readout unchanged by serialization", async () => {
    const to = '2099-01-01T00:00:00.000Z';
    for (const effect of ['relative', 'absolute'] as const) {
      const r = await get(h.app, `/v1/holdout/results?placement=home&to=${to}&effect=${effect}&preDays=0`);
      expect(r.statusCode, r.body).toBe(200);
      const answer = r.json();
      expect(answer.window).toEqual({ from: null, to, preDays: 0 });
      meets('/v1/holdout/results', answer);
      const direct = await holdoutResults(h.tact.store.measure, h.tact.settings, { placement: 'home', to: Date.parse(to), preDays: 0, effect, profiles: h.tact.store.profiles, documents: h.tact.store.documents });
      expect(answer).toEqual(JSON.parse(JSON.stringify(direct)));
    }
  });
});
