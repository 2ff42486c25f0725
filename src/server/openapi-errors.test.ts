import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, bearer, harness, type Harness } from '../../test/harness.js';
import { catalogue } from '../errors/catalogue.js';

type Responses = Record<string, { description?: string }>;

/**
 * QA, 2026-12-05: the OpenAPI document did not declare answers the routes give — 414
 * `url_too_long` on every operation with a path parameter, `bad_url` and `invalid_content_encoding`
 * among the 400s, `store_unavailable` among the 503s, the routes' own codes (`rollback_unavailable`,
 * `promotion_refused`, `tracking_plan_blocked`, `batch_rejected`, `invalid_expression`, `not_a_condition`).
 */
describe('the error answers of the OpenAPI document', () => {
  let h: Harness;
  let ops: Map<string, Responses>;
  beforeAll(async () => {
    h = await harness('sqlite');
    const doc = (await h.app.inject({ url: '/openapi.json' })).json() as { paths: Record<string, Record<string, { responses: Responses }>> };
    ops = new Map(Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => [`${method.toUpperCase()} ${path}`, op.responses] as const)));
  });
  afterAll(async () => h.close());

  /** The codes an answer's description names (`code`: what it means). */
  const codes = (name: string, status: string) => [...(ops.get(name)?.[status]?.description ?? '').matchAll(/`(\w+)`:/g)].map((m) => m[1]);

  it('names only codes of the catalogue, each under its own status', () => {
    let named = 0;
    for (const [name, responses] of ops) {
      for (const status of Object.keys(responses).filter((s) => /^[45]\d\d$/.test(s))) {
        for (const code of codes(name, status)) {
          named++;
          expect(catalogue, `${name} ${status}: ${code}`).toHaveProperty(code);
          expect(catalogue[code as keyof typeof catalogue].status, `${name} ${status}: ${code}`).toBe(Number(status));
        }
      }
    }
    expect(named).toBeGreaterThan(300);
  });

  it('declares 414 url_too_long and bad_url wherever a path parameter is, store_unavailable everywhere', () => {
    let withParams = 0;
    for (const name of ops.keys()) {
      expect(codes(name, '503'), name).toEqual(expect.arrayContaining(['overloaded', 'store_unavailable']));
      if (!name.includes('{')) continue;
      withParams++;
      expect(codes(name, '414'), name).toEqual(['url_too_long']);
      expect(codes(name, '400'), name).toContain('bad_url');
    }
    expect(withParams).toBeGreaterThan(20);
  });

  it('declares 507 store_full (the embedded store\'s disk full) on every operation that writes, and on no read', () => {
    expect(codes('POST /v1/batch', '507')).toEqual(['store_full']);
    expect(codes('POST /v1/decide', '507')).toEqual(['store_full']);
    expect(codes('GET /v1/decisions', '507')).toEqual([]);
  });

  it('declares each route\'s own codes where it gives them', () => {
    expect(codes('POST /v1/models/{name}/rollback', '409')).toEqual(['rollback_unavailable', 'conflict']);
    expect(codes('POST /v1/models/{name}/promote', '409')).toEqual(['promotion_refused']);
    expect(codes('POST /v1/track', '400')).toEqual(expect.arrayContaining(['tracking_plan_blocked', 'invalid_content_encoding']));
    expect(codes('POST /v1/batch', '400')).toEqual(expect.arrayContaining(['batch_rejected', 'invalid_content_encoding']));
    expect(codes('POST /v1/decide/batch', '400')).toEqual(expect.arrayContaining(['invalid_expression', 'not_a_condition']));
    expect(codes('POST /v1/recommendations', '400')).toEqual(expect.arrayContaining(['invalid_expression', 'not_a_condition']));
    // …and not where it cannot.
    expect(codes('POST /v1/decide', '400')).not.toContain('batch_rejected');
    expect(codes('GET /v1/keys', '400')).not.toContain('bad_url');
  });

  it('declares the code and status of answers the routes give', async () => {
    const admin = { authorization: bearer(KEYS.admin) };
    const answers: [string, { method: 'GET' | 'POST'; url: string; payload?: object }][] = [
      ['GET /v1/profiles/{identifier}', { method: 'GET', url: `/v1/profiles/${'x'.repeat(3000)}` }],
      ['GET /v1/profiles/{identifier}', { method: 'GET', url: '/v1/profiles/%E0%A4%A' }],
      ['POST /v1/models/{name}/rollback', { method: 'POST', url: '/v1/models/rates/rollback', payload: {} }],
      ['POST /v1/decide/batch', { method: 'POST', url: '/v1/decide/batch', payload: { placement: 'home', audience: '1 +' } }],
    ];
    for (const [name, req] of answers) {
      const r = await h.app.inject({ ...req, headers: admin });
      expect(r.statusCode, r.body).toBeGreaterThanOrEqual(400);
      expect(codes(name, String(r.statusCode)), `${name}: ${r.body}`).toContain(r.json().error);
    }
  });
});
