import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../../test/harness.js';

interface Operation {
  summary?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  requestBody?: unknown;
  parameters?: { in: string }[];
  responses?: Record<string, { content?: Record<string, { schema?: { properties?: Record<string, unknown>; type?: unknown } }> }>;
}

describe('the OpenAPI document', () => {
  let h: Harness;
  let ops: Map<string, Operation>;
  let tags: string[];
  beforeAll(async () => {
    h = await harness('sqlite');
    const doc = (await h.app.inject({ url: '/openapi.json' })).json() as { paths: Record<string, Record<string, Operation>>; tags: { name: string }[] };
    tags = doc.tags.map((t) => t.name);
    ops = new Map(Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => [`${method.toUpperCase()} ${path}`, op] as const)));
  });
  afterAll(async () => h.close());

  it('says which key each operation takes: the write key (Basic or Bearer), a server or admin key (Bearer), or none', () => {
    const writeOrBearer = [{ writeKey: [] }, { bearer: [] }];
    expect(ops.get('POST /v1/track')?.security).toEqual(writeOrBearer);
    expect(ops.get('POST /v1/decide')?.security).toEqual(writeOrBearer);
    expect(ops.get('POST /v1/outcomes')?.security).toEqual(writeOrBearer);
    expect(ops.get('GET /v1/profiles/{identifier}')?.security).toEqual([{ bearer: [] }]);
    expect(ops.get('GET /v1/keys')?.security).toEqual([{ bearer: [] }]);
    expect(ops.get('GET /health')?.security).toEqual([]);
    expect(ops.get('GET /metrics')?.security).toEqual([]);
    for (const [name, op] of ops) expect(op.security, `${name} declares no security`).toBeDefined();
  });

  it('declares the refusals of every operation that takes a key, in the error shape', () => {
    let checked = 0;
    for (const [name, op] of ops) {
      if (!op.security?.length) continue;
      checked++;
      for (const status of ['401', '403']) {
        const props = op.responses?.[status]?.content?.['application/json']?.schema?.properties;
        expect(props, `${name} ${status}`).toMatchObject({ error: expect.anything(), message: expect.anything(), errorId: expect.anything() });
      }
    }
    expect(checked).toBeGreaterThan(40);
  });

  /** The properties of an answer's JSON schema, when it declares one. */
  const shape = (op: Operation, status: string) => op.responses?.[status]?.content?.['application/json']?.schema?.properties;

  it('gives every operation a summary and one of the document\'s tags', () => {
    for (const [name, op] of ops) {
      expect(op.summary, `${name}: no summary`).toBeTruthy();
      expect(op.tags?.length, `${name}: no tag`).toBeGreaterThan(0);
      for (const t of op.tags ?? []) expect(tags, `${name}: tag ${t}`).toContain(t);
    }
  });

  it('declares the error answers every operation can give, in the error shape', () => {
    for (const [name, op] of ops) {
      const [method, path] = name.split(' ');
      const takesInput = path.includes('{') || Boolean(op.requestBody) || (op.parameters ?? []).some((p) => p.in === 'query');
      const statuses = [
        '500', '503',
        // What the input guard and the schemas refuse (input-guard.ts): a wrong field, NUL, a non-finite number.
        ...(takesInput ? ['400'] : []),
        // A path parameter names something: every such route answers not_found when nothing has that name.
        ...(path.includes('{') ? ['404'] : []),
        // A body over the route's limit, or not JSON.
        ...(['POST', 'PUT', 'PATCH'].includes(method) ? ['413', '415'] : []),
      ];
      for (const status of statuses) expect(shape(op, status), `${name} ${status}`).toMatchObject({ error: expect.anything(), message: expect.anything(), errorId: expect.anything() });
    }
  });

  it('declares a successful answer for every operation, and its shape for all but the operations reported as lacking one', () => {
    // Empty since 2026-12-03: every operation describes its answer; a new one without it fails here.
    const undescribed: string[] = [];
    const lacking: string[] = [];
    for (const [name, op] of ops) {
      const ok = Object.keys(op.responses ?? {}).filter((s) => s.startsWith('2'));
      expect(ok, name).not.toEqual([]);
      // @fastify/swagger gives an answer declared without a schema `content` whose schema holds only a
      // description: a shape has a type (or items, properties, a $ref, or alternatives), in some media type.
      // An object that lists no property (`{ type: 'object', additionalProperties: true }`) says nothing of
      // its fields: until 2026-12-05 the estimates, models and segments answers were that.
      const shaped = (schema: { properties?: unknown; type?: unknown }) => ['properties', 'items', '$ref', 'oneOf', 'anyOf'].some((k) => k in schema) || ('type' in schema && schema.type !== 'object');
      const described = ok.some((s) => Object.values(op.responses?.[s]?.content ?? {}).some(({ schema }) => schema !== undefined && shaped(schema)));
      if (!described) lacking.push(name);
    }
    expect(lacking.filter((name) => !undescribed.includes(name)), 'operations that declare no answer schema').toEqual([]);
  });

  it('says what each error status means', () => {
    for (const [name, op] of ops) for (const [status, r] of Object.entries(op.responses ?? {})) if (/^[45]/.test(status)) expect((r as { description?: string }).description, `${name} ${status}`).not.toBe('Default Response');
  });
});
