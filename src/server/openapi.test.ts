import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../../test/harness.js';

interface Operation { security?: Record<string, string[]>[]; responses?: Record<string, { content?: Record<string, { schema?: { properties?: Record<string, unknown> } }> }> }

describe('the OpenAPI document', () => {
  let h: Harness;
  let ops: Map<string, Operation>;
  beforeAll(async () => {
    h = await harness('sqlite');
    const doc = (await h.app.inject({ url: '/openapi.json' })).json() as { paths: Record<string, Record<string, Operation>> };
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
});
