import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { KEYS, bearer } from '../../test/harness.js';

type Schema = Record<string, unknown>;
type Paths = Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: Schema }> }> }>>;

/**
 * Checks answers against what their handler returned and what /openapi.json says of them: Fastify
 * serializes through the declared schema, which drops a field it does not list (or reads a null as
 * 0), so the answer a client gets must be the handler's object as plain JSON would give it. Call
 * before the app's first request (it adds a hook).
 *
 * @example
 * const answers = declaredAnswers(h.app);
 * await answers.check('GET', '/v1/models', '/v1/models'); // { status: 200, body: { models: […], … } }
 */
export function declaredAnswers(app: FastifyInstance) {
  const returned = new Map<string, unknown>();
  app.addHook('preSerialization', async (req, _reply, payload) => {
    returned.set(`${req.method} ${req.url}`, payload);
    return payload;
  });
  const ajv = new Ajv({ strict: false, allErrors: true });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  let paths: Paths | undefined;
  return {
    /** The document's schema of the answer of `method path` with `status`. */
    async schema(method: string, path: string, status: number | string): Promise<Schema | undefined> {
      paths ??= (await app.inject({ url: '/openapi.json' })).json().paths as Paths;
      return paths[path]?.[method.toLowerCase()]?.responses[String(status)]?.content?.['application/json']?.schema;
    },
    /** Asks `url`, and checks its answer is the handler's, field for field, and what the document says. */
    async check(method: 'GET' | 'POST', url: string, path: string, payload?: object, key = KEYS.admin) {
      const r = await app.inject({ method, url, headers: { authorization: bearer(key) }, ...(payload ? { payload } : {}) });
      const body = r.json() as Record<string, unknown>;
      expect(r.statusCode, `${method} ${url}: ${r.body}`).toBeLessThan(300);
      const raw = returned.get(`${method} ${url}`);
      expect(raw, `${method} ${url}: the handler's object`).toBeDefined();
      expect(body, `${method} ${url}: the answer lost or changed a field of the handler's`).toStrictEqual(JSON.parse(JSON.stringify(raw)));
      const schema = await this.schema(method, path, r.statusCode);
      expect(schema?.properties, `${method} ${path} ${r.statusCode}: no typed schema`).toBeDefined();
      expect(ajv.validate(schema!, body), `${method} ${path}: ${ajv.errorsText()} in ${r.body}`).toBe(true);
      return { status: r.statusCode, body };
    },
  };
}
