import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../../test/harness.js';
import { asOpenApi30 } from './openapi-3-0.js';

describe('the OpenAPI document is valid OpenAPI 3.0', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('sqlite');
  });
  afterAll(async () => h.close());

  it('validates against the OpenAPI 3.0 schema (the official one, as @seriousme/openapi-schema-validator ships it)', async () => {
    const doc = (await h.app.inject({ url: '/openapi.json' })).json();
    const r = await new Validator().validate(doc);
    // Until 2026-12-06: 10 errors — numeric exclusiveMaximum/exclusiveMinimum (draft 7's) and `required: []`.
    expect(r.errors ?? []).toEqual([]);
    expect(r.valid).toBe(true);
  });

  it('writes exclusive bounds as 3.0 does, keeps the tighter bound, and leaves the input alone', () => {
    const schema = { type: 'object', required: [], properties: { a: { type: 'number', exclusiveMaximum: 0.5 }, b: { type: 'number', minimum: 1, exclusiveMinimum: 0 }, c: { type: 'number', maximum: 2, exclusiveMaximum: 1 } } };
    const out = asOpenApi30(schema);
    expect(out).toEqual({ type: 'object', properties: { a: { type: 'number', maximum: 0.5, exclusiveMaximum: true }, b: { type: 'number', minimum: 1 }, c: { type: 'number', maximum: 1, exclusiveMaximum: true } } });
    expect(schema.properties.a).toEqual({ type: 'number', exclusiveMaximum: 0.5 });
    expect(schema.required).toEqual([]);
  });
});
