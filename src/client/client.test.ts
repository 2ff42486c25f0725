import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, harness, send, type Harness } from '../../test/harness.js';
import { shopConfig } from '../decide/fixtures.js';
import { showPlacement, type SlotElement } from './browser.js';
import { createTactClient, TactApiError } from './client.js';
import { operations } from './operations.js';

type OpenApi = { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown>; required?: string[] } }> }; parameters?: { name: string; in: string }[]; responses: Record<string, { content?: Record<string, { schema: { properties?: Record<string, unknown>; required?: string[] } }> }> }>> };

describe('the typed client', () => {
  let h: Harness;
  let url: string;
  let doc: OpenApi;
  beforeAll(async () => {
    h = await harness('sqlite', { config: shopConfig() });
    await send(h.app, '/v1/identify', { userId: 'ana', traits: { name: 'Ana' }, context: { consent: { categoryPreferences: { Advertising: true } } } });
    url = await h.app.listen({ port: 0, host: '127.0.0.1' });
    doc = (await (await fetch(`${url}/openapi.json`)).json()) as OpenApi;
  });
  afterAll(async () => h.close());

  it('calls only operations the OpenAPI document describes, with body fields it accepts', () => {
    for (const [name, op] of Object.entries(operations)) {
      const path = doc.paths[op.path];
      expect(path, `${name}: ${op.path} is not in /openapi.json`).toBeDefined();
      const o = path[op.method.toLowerCase()];
      expect(o, `${name}: ${op.method} ${op.path} is not in /openapi.json`).toBeDefined();
      const body = o.requestBody?.content['application/json']?.schema;
      for (const f of op.body) expect(Object.keys(body?.properties ?? {}), `${name}: body field ${f}`).toContain(f);
      for (const r of body?.required ?? []) expect(op.body as readonly string[], `${name}: the API requires ${r}`).toContain(r);
      const query = (o.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
      for (const q of 'query' in op ? op.query : []) expect(query, `${name}: query parameter ${q}`).toContain(q);
    }
    // the decision the client types is what the API answers
    const decision = doc.paths['/v1/decide'].post.responses['200'].content!['application/json'].schema;
    expect(decision.required).toEqual(['decisionId', 'at', 'placement', 'choices', 'explanation']);
  });

  it('reads the profile of an identifier made of dots, which a URL path cannot carry (it asked GET /v1/. and got a 404 "no route")', async () => {
    await send(h.app, '/v1/identify', { userId: '..', traits: { name: 'Dots' } });
    await send(h.app, '/v1/identify', { anonymousId: '.', traits: { name: 'Dot' } });
    const tact = createTactClient({ baseUrl: url, key: KEYS.server });
    expect((await tact.profile('..')).traits).toEqual({ name: 'Dots' });
    expect((await tact.profile('.')).traits).toEqual({ name: 'Dot' });
    const missing = await tact.decision('..').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(TactApiError);
    expect((missing as TactApiError).problems).toEqual([{ field: 'id', message: 'A URL drops a path segment made of dots.' }]);
  });

  it('decides, reports an outcome, reads the decision and the profile — and throws the API\'s error with its fields', async () => {
    const tact = createTactClient({ baseUrl: url, key: KEYS.server });
    const d = await tact.decide({ subject: 'ana', placement: 'home', n: 2 });
    expect(d.choices.map((c) => c.action)).toEqual(['shoes-offer', 'socks-offer']);
    expect(d.choices[0].estimate?.source).toBe('population');
    const o = await tact.outcome({ decisionId: d.decisionId, type: 'click', action: 'shoes-offer' });
    expect(o.recorded[0]).toMatchObject({ decisionId: d.decisionId, type: 'click' });
    expect((await tact.decision(d.decisionId)).outcomes).toHaveLength(1);
    expect((await tact.decisions({ subject: 'ana', action: 'socks-offer' })).decisions.map((x) => x.decisionId)).toEqual([d.decisionId]);
    expect((await tact.profile('ana')).traits).toEqual({ name: 'Ana' });
    // Ana's identify is her one event: `events` asks for how many recent ones to list.
    expect((await tact.profile('ana')).recentEvents).toHaveLength(1);
    expect((await tact.profile('ana', { events: 0 })).recentEvents).toEqual([]);
    const err = await tact.decide({ subject: 'ana', placement: 'nowhere' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TactApiError);
    expect((err as TactApiError).code).toBe('validation_failed');
    expect((err as TactApiError).body.problems?.[0].field).toBe('placement');
  });

  it('the browser snippet shows a placement\'s choice and reports impression, click and dismissal', async () => {
    const calls: { url: string; body: Record<string, unknown> }[] = [];
    const spy: typeof fetch = async (input, init) => {
      calls.push({ url: String(input), body: JSON.parse(String(init?.body ?? '{}')) });
      expect(String((init?.headers as Record<string, string>).authorization)).toMatch(/^Basic /);
      return fetch(input, init);
    };
    const handlers: ((e: { target: unknown }) => void)[] = [];
    const el: SlotElement = { textContent: null, dataset: {}, addEventListener: (_t, fn) => handlers.push(fn), removeEventListener: () => undefined };
    const d = (await showPlacement({ baseUrl: url, writeKey: KEYS.write, placement: 'home', subject: 'ana', element: el, fetch: spy, whenVisible: (_e, fn) => fn(), onError: (e) => { throw e; } }))!;
    expect(el.textContent).toMatch(/New running shoes|Run further/);
    expect(el.dataset.tactDecision).toBe(d.decisionId);
    handlers[0]({ target: { dataset: {} } });
    await new Promise((r) => setTimeout(r, 100));
    expect(calls.map((c) => [c.url.replace(url, ''), c.body.type ?? 'decide'])).toEqual([['/v1/decide', 'decide'], ['/v1/outcomes', 'impression'], ['/v1/outcomes', 'click']]);
    // a second page: the visitor dismisses it before the observer saw it (the dismissal proves the impression)
    const el2: SlotElement = { textContent: null, dataset: {}, addEventListener: (_t, fn) => handlers.push(fn), removeEventListener: () => undefined };
    const d2 = (await showPlacement({ baseUrl: url, writeKey: KEYS.write, placement: 'home', subject: 'ana', element: el2, fetch: spy, whenVisible: () => undefined, onError: (e) => { throw e; } }))!;
    handlers[1]({ target: { closest: (s: string) => (s === '[data-tact-dismiss]' ? {} : null) } });
    await new Promise((r) => setTimeout(r, 100));
    const logged = await createTactClient({ baseUrl: url, key: KEYS.server }).decision(d2.decisionId);
    expect(logged.outcomes?.map((x) => x.type).sort()).toEqual(['dismissal', 'impression']);
  });
});
