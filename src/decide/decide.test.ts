import fastJson from 'fast-json-stringify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KEYS, get, harness, send, type Harness } from '../../test/harness.js';
import { shopConfig } from './fixtures.js';
import { decideSchemas } from './routes/schemas.js';
import { advertising, decideReq, picked, post } from './test-http.js';

describe('POST /v1/decide', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness('sqlite', { config: shopConfig() });
    await send(h.app, '/v1/identify', { userId: 'ana', traits: { name: 'Ana' }, context: advertising });
  });
  afterEach(async () => h.close());

  it('answers a ranked list with scores, exact propensities and explanations, logged before it answers', async () => {
    const r = await decideReq(h.app, { subject: 'ana', placement: 'home', n: 3 });
    expect(r.statusCode, r.body).toBe(200);
    const d = r.json();
    expect(picked(d)).toEqual(['shoes-offer', 'socks-offer', 'newsletter']);
    expect(d.choices[0]).toMatchObject({ rank: 1, kind: 'action', score: expect.closeTo(0.05 * 60 - 0.2, 9), propensity: 0.5, estimate: { source: 'population', status: 'learning', evidence: 0 } });
    expect(['a', 'b']).toContain(d.choices[0].variant); // the draft variant is never chosen
    expect(d.choices[0].explanation).toBe('"Running shoes offer" scored 2.8 = 5% conversion rate (population, learning, not enough data yet, n=0) × value 60 - contact cost 0.2.');
    expect(d.explanation).toMatchObject({ policyVersion: 1, catalogVersion: 1, modelVersion: 'beta-ladder@1', experiment: { arm: 'treatment' }, excludedByStage: { eligibility: 2 } });
    expect(d.explanation.customer).toBe('You are seeing "Running shoes offer" because you looked at running gear recently.');
    const logged = (await get(h.app, `/v1/decisions/${d.decisionId}`)).json();
    expect(logged.choices).toEqual(d.choices);
    expect(logged.explanation.candidates.find((c: { action: string }) => c.action === 'loan-offer')).toMatchObject({ status: 'excluded', stage: 'eligibility', rule: 'own eligibility rule' });
    expect(logged.explanation.facts).toMatchObject({ 'consent.Advertising': true, 'features.purchased': [] });
    expect(logged.explanation.absentFacts).toContain('traits.segment');
  });

  it('writes its own words in Latin-1, so a record and an answer are one-byte strings', async () => {
    // A single character above U+00FF (a typographic minus or dash) makes V8 build the whole JSON
    // as a two-byte string: twice the bytes to allocate, copy to the writer thread and encode for
    // the socket, for every decision (docs/benchmarks.md, decide). Names from the catalog may need
    // more; Tact's own sentences must not.
    const r = await decideReq(h.app, { subject: 'ana', placement: 'home', n: 3, explain: 'full' });
    expect(r.body).toMatch(/^[\u0000-\u00ff]*$/);
    const logged = (await get(h.app, `/v1/decisions/${r.json().decisionId}`)).body;
    expect(logged).toMatch(/^[\u0000-\u00ff]*$/);
  });

  it('answers as the schema-compiled serializer would (the route writes with JSON.stringify)', async () => {
    const bySchema = fastJson(decideSchemas.decide.response[200] as unknown as Parameters<typeof fastJson>[0]);
    for (const [body, key] of [[{ explain: 'summary' }, KEYS.server], [{ explain: 'full', n: 3 }, KEYS.server], [{}, KEYS.write]] as const) {
      const r = await decideReq(h.app, { subject: 'ana', placement: 'home', ...body }, key);
      expect(r.statusCode, r.body).toBe(200);
      // The schema's serializer coerces every declared property to its declared type (and keeps the
      // rest, as the schema allows): the same answer through it means nothing changed for a client.
      expect(JSON.parse(bySchema(r.json())), JSON.stringify(body)).toEqual(r.json());
    }
  });

  it('never recommends what the subject bought a moment ago (freshness)', async () => {
    expect(picked((await decideReq(h.app, { subject: 'ana', placement: 'home' })).json())).toEqual(['shoes-offer']);
    const ack = await send(h.app, '/v1/track', { userId: 'ana', event: 'Order Completed', properties: { revenue: 80, products: [{ product_id: 'sku-shoes' }] } });
    expect(ack.json()).toEqual({ success: true });
    const after = (await decideReq(h.app, { subject: 'ana', placement: 'home', explain: 'full' })).json();
    expect(picked(after)).toEqual(['socks-offer']);
    expect(after.explanation.candidates.find((c: { action: string }) => c.action === 'shoes-offer')).toMatchObject({ stage: 'suitability', rule: 'not bought already', reason: 'the subject bought it already' });
    expect(after.explanation.facts['features.purchased']).toEqual(['sku-shoes']);
  });

  it('lets marketing yield to the service action while a support ticket is open', async () => {
    await send(h.app, '/v1/track', { userId: 'ana', event: 'Ticket Opened', properties: { ticket: 't-1' } });
    const open = (await decideReq(h.app, { subject: 'ana', placement: 'home', n: 3 })).json();
    expect(picked(open)).toEqual(['service-followup', 'newsletter', 'none']);
    expect(open.choices[2].explanation).toBe('No other action passed the rules, so the list ends here.');
    expect(open.explanation.excludedByStage.applicability).toBe(2);
    await new Promise((r) => setTimeout(r, 5));
    await send(h.app, '/v1/track', { userId: 'ana', event: 'Ticket Closed', properties: { ticket: 't-1' } });
    expect(picked((await decideReq(h.app, { subject: 'ana', placement: 'home' })).json())).toEqual(['shoes-offer']);
  });

  it('names the field of every bad request', async () => {
    const unknown = await decideReq(h.app, { subject: 'ana', placement: 'nowhere' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().problems[0]).toMatchObject({ field: 'placement' });
    expect(unknown.json().message).toContain('The placements are home, weekly-email');
    const missing = await decideReq(h.app, { placement: 'home' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().problems[0].field).toBe('subject');
    const extra = await decideReq(h.app, { subject: 'ana', placement: 'home', colour: 'red' });
    expect(extra.json().problems[0].field).toBe('colour');
    const n = await decideReq(h.app, { subject: 'ana', placement: 'home', n: 0 });
    expect(n.json().problems[0].field).toBe('n');
  });

  it('lets a browser ask for a public placement with the write key and tells it only what the customer may read', async () => {
    const r = await decideReq(h.app, { subject: 'ana', placement: 'home' }, KEYS.write);
    expect(r.statusCode, r.body).toBe(200);
    const d = r.json();
    expect(Object.keys(d.explanation)).toEqual(['customer']);
    expect(d.choices[0].score).toBeUndefined();
    expect(d.subject).toBeUndefined();
    const closed = await decideReq(h.app, { subject: 'ana', placement: 'weekly-email' }, KEYS.write);
    expect(closed.statusCode).toBe(403);
    expect(closed.json().message).toContain('`weekly-email`');
  });

  it('tells a browser that names a placement the catalog does not have which field is wrong, without listing the catalog', async () => {
    const r = await decideReq(h.app, { subject: 'ana', placement: 'hom' }, KEYS.write);
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().problems[0]).toMatchObject({ field: 'placement' });
    expect(r.body).not.toContain('weekly-email');
  });

  it('does not tell a customer which internal queue they were handed to', async () => {
    const app = await harness('sqlite', { config: shopConfig({ humanTerritory: [{ name: 'collections', queue: 'debt-collections', when: 'has(traits.segment) && traits.segment == "arrears"' }] }) });
    try {
      await send(app.app, '/v1/identify', { userId: 'cy', traits: { segment: 'arrears' } });
      const d = (await decideReq(app.app, { subject: 'cy', placement: 'home' }, KEYS.write)).json();
      expect(d.choices).toEqual([{ rank: 1, kind: 'handoff' }]);
      expect(JSON.stringify(d)).not.toMatch(/collections|arrears/);
      expect(d.explanation.customer).toBe('A member of our team will look after this for you personally.');
      const logged = (await get(app.app, `/v1/decisions/${d.decisionId}`)).json();
      expect(logged.choices[0]).toMatchObject({ kind: 'handoff', queue: 'debt-collections' });
    } finally {
      await app.close();
    }
  });

  it('decides for a subject with no profile yet (a first visit) on the population\'s estimates', async () => {
    const d = (await decideReq(h.app, { subject: 'anon-visitor-1', placement: 'home' })).json();
    expect(d.subject).toEqual({ identifier: 'anon-visitor-1', profileId: null });
    // no consent recorded: the Advertising offers are out, the newsletter is in
    expect(picked(d)).toEqual(['newsletter']);
    expect(d.explanation.excludedByStage.consent).toBe(2);
  });

  it('queries the log by subject, action, placement and time', async () => {
    await send(h.app, '/v1/identify', { userId: 'bo', context: advertising });
    const a = (await decideReq(h.app, { subject: 'ana', placement: 'home' })).json();
    const b = (await decideReq(h.app, { subject: 'bo', placement: 'home', n: 2 })).json();
    const c = (await decideReq(h.app, { subject: 'ana', placement: 'weekly-email' })).json();
    const ids = async (q: string) => (await get(h.app, `/v1/decisions?${q}`)).json().decisions.map((d: { decisionId: string }) => d.decisionId);
    expect(await ids('subject=ana')).toEqual([c.decisionId, a.decisionId]);
    expect(await ids('subject=ana&placement=home')).toEqual([a.decisionId]);
    expect(await ids('action=socks-offer')).toEqual([b.decisionId]);
    expect(await ids(`from=${encodeURIComponent(b.at)}&subject=ana`)).toEqual(c.at >= b.at ? [c.decisionId] : []);
    expect(await ids(`to=${encodeURIComponent(a.at)}`)).toEqual([]);
    expect((await get(h.app, '/v1/decisions/nope')).statusCode).toBe(404);
    expect((await get(h.app, '/v1/decisions?limit=0')).json().problems[0].field).toBe('querystring.limit');
    expect((await post(h.app, '/v1/decide', { subject: 'ana', placement: 'home' }, 'nope')).statusCode).toBe(401);
  });
});
