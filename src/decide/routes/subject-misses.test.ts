import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, bearer, get, harness, send, type Harness } from '../../../test/harness.js';
import { shopConfig } from '../fixtures.js';
import { advertising, decideReq, post } from '../test-http.js';

// A subject whose kind is near one of Tact's (`emial:`) is most likely a typo: the flag routes
// answer it as GET /v1/profiles/{identifier} does (unknown_identifier_kind, the identifier meant
// in `suggestion`), and the decision log and outcomes, which go ahead, say so in `warnings`
// (profileNotFound and subjectWarnings, src/profiles/lookup.ts).
const KIND_MISS = (id: string, meant: string) =>
  `No profile matches \`${id}\`, and \`emial\` is not an identifier kind Tact or the merge rules name: did you mean \`${meant}\`? The kinds are userId, anonymousId, email and profile (Tact's own id); any other is an external id's \`type\`, as messages send it.`;
const WARNING = (id: string, meant: string) => ({ field: 'subject', message: `${KIND_MISS(id, meant)} The answer is for a subject Tact knows nothing of.`, suggestion: meant });

describe.each(['sqlite', 'postgres'] as const)('a subject whose kind is misspelt (%s)', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness(kind, { config: shopConfig() });
    await send(h.app, '/v1/identify', { userId: 'ana', traits: { email: 'ana@x.com' }, context: advertising });
  });
  afterAll(async () => h.close());

  it('GET /v1/flags answers 404 unknown_identifier_kind, suggesting the identifier meant; another miss stays not_found', async () => {
    const r = await get(h.app, `/v1/flags?subject=${encodeURIComponent('emial:ana@x.com')}`);
    expect(r.statusCode, r.body).toBe(404);
    expect(r.json()).toMatchObject({ error: 'unknown_identifier_kind', message: KIND_MISS('emial:ana@x.com', 'email:ana@x.com'), suggestion: 'email:ana@x.com' });
    const other = await get(h.app, `/v1/flags?subject=${encodeURIComponent('phone:42')}`);
    expect(other.statusCode, other.body).toBe(404);
    expect(other.json()).toMatchObject({ error: 'not_found', message: 'No profile matches `phone:42`.' });
    expect((await get(h.app, '/v1/flags?subject=ana')).statusCode).toBe(200);
  });

  it('POST /v1/flags refuses it with a 400 naming `subject` in the same sentence, suggesting the identifier meant', async () => {
    const flag = (subject: string) => h.app.inject({ method: 'POST', url: '/v1/flags', headers: { authorization: bearer(KEYS.admin) }, payload: { subject, name: 'vip', note: 'call first' } });
    const r = await flag('emial:ana@x.com');
    expect(r.statusCode, r.body).toBe(400);
    // The sentence names the field, then goes on as profileNotFound's.
    const sentence = KIND_MISS('emial:ana@x.com', 'email:ana@x.com').replace('No profile matches `emial:ana@x.com`', 'The `subject` `emial:ana@x.com` matches no profile');
    expect(sentence).not.toBe(KIND_MISS('emial:ana@x.com', 'email:ana@x.com'));
    expect(r.json()).toMatchObject({ error: 'validation_failed', message: sentence, suggestion: 'email:ana@x.com' });
    expect(r.json().problems).toEqual([{ field: 'subject', message: sentence }]);
    const other = await flag('phone:42');
    expect(other.statusCode, other.body).toBe(400);
    expect(other.json().problems).toEqual([{ field: 'subject', message: 'The `subject` `phone:42` matches no profile.' }]);
    expect(other.json().suggestion).toBeUndefined();
    expect((await flag('ana')).statusCode).toBe(201);
  });

  it('GET /v1/decisions answers the list with a warning, and none for a known subject or a kind far from Tact\'s', async () => {
    await decideReq(h.app, { subject: 'ana', placement: 'home' });
    const r = await get(h.app, `/v1/decisions?subject=${encodeURIComponent('emial:ana@x.com')}`);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toEqual({ decisions: [], next: null, warnings: [WARNING('emial:ana@x.com', 'email:ana@x.com')] });
    for (const subject of ['ana', 'phone:42', 'email:new@x.com']) {
      const fine = await get(h.app, `/v1/decisions?subject=${encodeURIComponent(subject)}`);
      expect(fine.statusCode, fine.body).toBe(200);
      expect(fine.json().warnings, subject).toBeUndefined();
    }
    expect((await get(h.app, '/v1/decisions?subject=ana')).json().decisions.length).toBeGreaterThan(0);
  });

  it('POST /v1/outcomes records the outcome for the subject it names, with a warning when its kind is misspelt', async () => {
    const r = await post(h.app, '/v1/outcomes', { subject: 'emial:ana@x.com', type: 'click' });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().recorded[0]).toMatchObject({ profileKey: 'anon:emial:ana@x.com', type: 'click' });
    // In the outcome's words (until 2026-12-06 decide's: "The answer is for a subject …").
    expect(r.json().warnings).toEqual([{ ...WARNING('emial:ana@x.com', 'email:ana@x.com'), message: `${KIND_MISS('emial:ana@x.com', 'email:ana@x.com')} The outcome is recorded for a subject Tact knows nothing of, and credited only to decisions made for that same identifier.` }]);
    for (const subject of ['ana', 'phone:42']) {
      const fine = await post(h.app, '/v1/outcomes', { subject, type: 'click' });
      expect(fine.statusCode, fine.body).toBe(200);
      expect(fine.json().warnings, subject).toBeUndefined();
    }
  });
});

describe('the OpenAPI document', () => {
  it('documents the optional `warnings` of every answer that goes ahead for a subject no profile holds', async () => {
    const h = await harness('sqlite', { config: shopConfig() });
    try {
      const doc = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: { properties?: Record<string, { type?: string; items?: { required?: string[]; properties?: Record<string, unknown> } }>; required?: string[] } }> }> }>> };
      for (const [method, path] of [['post', '/v1/decide'], ['get', '/v1/decisions'], ['post', '/v1/outcomes'], ['post', '/v1/recommendations'], ['post', '/v1/rerank']] as const) {
        const schema = doc.paths[path][method].responses['200'].content?.['application/json'].schema;
        const warnings = schema?.properties?.warnings;
        expect(warnings?.type, `${method} ${path}`).toBe('array');
        // An outcome's warnings may have no value to suggest (one credited to no decision: `reason`).
        expect(warnings?.items?.required, `${method} ${path}`).toEqual(path === '/v1/outcomes' ? ['field', 'message'] : ['field', 'message', 'suggestion']);
        expect(Object.keys(warnings?.items?.properties ?? {}), `${method} ${path}`).toContain('suggestion');
        expect(schema?.required ?? [], `${method} ${path}: optional`).not.toContain('warnings');
      }
      // The logged decision is not answered for a subject asked about: no warnings there.
      expect(doc.paths['/v1/decisions/{id}'].get.responses['200'].content?.['application/json'].schema.properties?.warnings).toBeUndefined();
    } finally {
      await h.close();
    }
  });
});
