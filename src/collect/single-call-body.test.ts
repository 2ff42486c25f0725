import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, harness, send, type Harness } from '../../test/harness.js';
import { ISO_8601 } from './normalize.js';

interface Schema { type?: string; maxLength?: number; minLength?: number; pattern?: string; anyOf?: Schema[]; properties?: Record<string, Schema> }

describe('single collection calls: a request without a body, and what the OpenAPI document declares', () => {
  let h: Harness;
  let doc: { paths: Record<string, { post: { requestBody: { content: Record<string, { schema: Schema }> } } }> };
  beforeAll(async () => {
    h = await harness('sqlite');
    doc = (await h.app.inject({ url: '/openapi.json' })).json();
  });
  afterAll(async () => h.close());
  const body = (path: string) => doc.paths[path].post.requestBody.content['application/json'].schema;

  it('answers a single call with no body at all (nor a Content-Type) as a batch is answered: the request had no body', async () => {
    for (const [path, call] of [['/v1/track', 'A track'], ['/v1/identify', 'An identify'], ['/v1/page', 'A page'], ['/v1/screen', 'A screen'], ['/v1/group', 'A group'], ['/v1/alias', 'An alias'], ['/v1/t', 'A track'], ['/v1/i', 'An identify']]) {
      const r = await h.app.inject({ method: 'POST', url: path, headers: { authorization: basic() } });
      expect([r.statusCode, r.json().error], `${path}: ${r.body}`).toEqual([400, 'validation_failed']);
      expect(r.json().problems, path).toEqual([{ field: '(message)', message: `${call} call's body must be a JSON object holding the message; the request had no body.` }]);
    }
    // A body that is JSON but no object still says so.
    const nul = await send(h.app, '/v1/track', 'null');
    expect([nul.statusCode, nul.json().message], nul.body).toEqual([400, 'Each message must be a JSON object.']);
  });

  it('declares the 200-character limit of messageId, which a longer one is refused for', async () => {
    expect(body('/v1/track').properties?.messageId).toMatchObject({ type: 'string', minLength: 1, maxLength: 200 });
    expect((await send(h.app, '/v1/track', { userId: 'u', event: 'E', messageId: 'm'.repeat(200) })).statusCode).toBe(200);
    const long = await send(h.app, '/v1/track', { userId: 'u', event: 'E', messageId: 'm'.repeat(201) });
    expect([long.statusCode, long.json().problems[0].field]).toEqual([400, 'messageId']);
  });

  it('declares ids as strings or whole numbers and times as ISO-8601 text or epoch milliseconds, as they are taken', async () => {
    const idForms = { anyOf: [{ type: 'string', maxLength: 512 }, { type: 'integer', minimum: -9007199254740991, maximum: 9007199254740991 }] };
    const timeForms = { anyOf: [{ type: 'string', pattern: ISO_8601.source }, { type: 'number', minimum: -8.64e15, maximum: 8.64e15 }] };
    for (const path of ['/v1/track', '/v1/identify', '/v1/page', '/v1/screen', '/v1/group', '/v1/alias']) {
      const p = body(path).properties ?? {};
      for (const f of ['userId', 'anonymousId']) expect(p[f], `${path} ${f}`).toMatchObject(idForms);
      for (const f of ['timestamp', 'originalTimestamp', 'sentAt']) expect(p[f], `${path} ${f}`).toMatchObject(timeForms);
    }
    expect(body('/v1/group').properties?.groupId).toMatchObject(idForms);
    expect(body('/v1/alias').properties?.previousId).toMatchObject(idForms);
    expect(body('/v1/batch').properties?.sentAt).toMatchObject(timeForms);
    // What the declarations say is taken is taken: digits as ids, epoch ms and a date alone as times.
    const taken = await send(h.app, '/v1/alias', { userId: 42, previousId: 41, timestamp: Date.parse('2026-12-05T10:00:00Z'), sentAt: '2026-12-05' });
    expect(taken.statusCode, taken.body).toBe(200);
    expect(new RegExp(ISO_8601.source).test('2026-12-05 10:00:00,5+01')).toBe(true);
  });
});
