import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, KEYS, send, type Harness } from '../../../test/harness.js';
import { declaredAnswers } from '../answers-fixture.js';

type Answer = Record<string, unknown>;

const config = {
  features: [{ name: 'viewed', kind: 'unique', event: 'Product Viewed', property: 'product_id', limit: 50 }],
  recommendations: { interactions: [{ event: 'Product Viewed', property: 'product_id' }], history: ['viewed'], algorithm: 'cooccurrence', items: { a: { price: 3 }, b: { price: 5 }, c: {} } },
};

/**
 * The answers of POST /v1/recommendations and POST /v1/rerank are what /openapi.json says of them
 * (until 2026-12-05 it declared only `warnings`), and declaring them — Fastify serializes through
 * the schema — dropped no field of what the handlers return nor turned a null into something else.
 */
describe('the recommendations\' answers', () => {
  let h: Harness;
  let answers: ReturnType<typeof declaredAnswers>;
  beforeAll(async () => {
    h = await harness('sqlite', { config });
    answers = declaredAnswers(h.app);
  });
  afterAll(async () => h.close());

  it('before a model is trained: `learning` with no items, and the caller\'s list by its relevance', async () => {
    const recs = (await answers.check('POST', '/v1/recommendations', '/v1/recommendations', { subject: 'u1', n: 2 }, KEYS.server)).body;
    expect(recs).toEqual({ subject: { id: null, known: false }, placement: null, items: [], modelVersion: null, status: 'learning', note: expect.any(String) });
    const reranked = (await answers.check('POST', '/v1/rerank', '/v1/rerank', { subject: 'u1', items: [{ id: 'a', relevance: 1 }] }, KEYS.server)).body;
    // The note says why the list is only ordered by its relevance, as /v1/recommendations says it (until 2026-12-05 only modelVersion null did).
    expect(reranked).toEqual({ subject: { id: null, known: false }, items: [{ id: 'a', relevance: 1, score: 1, affinity: 0, explanation: 'ranked by relevance' }], modelVersion: null, evidence: 0, dropped: [], note: expect.stringContaining(recs.note as string) });
  });

  it('personal and popular items with their intervals, a subject\'s warnings, a re-ranked list with what was dropped and the rules that failed', async () => {
    for (const [u, items] of Object.entries({ u1: ['a', 'b'], u2: ['a', 'b'], u3: ['a', 'c'] })) for (const product_id of items) await send(h.app, '/v1/track', { userId: u, event: 'Product Viewed', properties: { product_id } });
    await h.tact.learning.train(['recommendations']);
    const personal = (await answers.check('POST', '/v1/recommendations', '/v1/recommendations', { subject: 'u3', n: 3 }, KEYS.server)).body;
    expect(personal).toMatchObject({ subject: { id: expect.any(String), known: true }, modelVersion: 'recommendations@1', status: 'personal' });
    // Since 2026-12-06 each item carries its score's estimate (with `status`), as a decision logs it.
    expect(Object.keys((personal.items as Answer[])[0]).sort()).toEqual(['because', 'estimate', 'explanation', 'id', 'interval', 'score', 'source']);
    const popular = (await answers.check('POST', '/v1/recommendations', '/v1/recommendations', { subject: 'emial:x', n: 3 }, KEYS.server)).body;
    expect(popular).toMatchObject({ status: 'popular', warnings: [{ field: 'subject' }] });
    expect((popular.items as Answer[])[0]).toMatchObject({ source: 'population', because: null, interval: { level: 0.9 }, estimate: { source: 'population', status: 'learning' } });
    expect(popular.fallback).toEqual({ reason: 'no known history', history: 0, why: 'the subject has no history the model knows yet' });
    const payload = { subject: 'u3', items: [{ id: 'a', relevance: 1 }, { id: 'b', relevance: 2 }, { id: 'c', relevance: 3 }, { id: 'z', relevance: 3 }], filters: { exclude: ['z'], rule: 'item.price > 2' } };
    const reranked = (await answers.check('POST', '/v1/rerank', '/v1/rerank', payload, KEYS.server)).body;
    expect(reranked).toMatchObject({ modelVersion: 'recommendations@1', evidence: 2, dropped: [{ id: 'c', reason: 'rule', rule: 'filters.rule', error: expect.any(String) }, { id: 'z', reason: 'excluded' }], ruleErrors: [{ rule: 'filters.rule', failed: 1, asked: 3, items: ['c'] }], note: expect.any(String) });
    // The affinity is inferred: where the history leads to the item it comes with its interval (since 2026-12-05).
    for (const item of reranked.items as Answer[]) {
      // and every item the model knows has its estimate (since 2026-12-06: an affinity of 0 stood bare)
      expect(Object.keys(item).sort()).toEqual(['affinity', 'estimate', 'explanation', 'id', 'relevance', 'score', ...((item.affinity as number) > 0 ? ['affinityInterval'] : [])].sort());
    }
    expect((reranked.items as Answer[]).some((i) => (i.affinity as number) > 0)).toBe(true);
  });

  it('/openapi.json declares the fields of each answer', async () => {
    type Schema = { properties: Record<string, Schema & { items?: Schema; description?: string }> };
    const schema = async (path: string) => (await answers.schema('POST', path, 200)) as Schema;
    const recs = await schema('/v1/recommendations');
    expect(Object.keys(recs.properties)).toEqual(['subject', 'placement', 'items', 'modelVersion', 'status', 'fallback', 'note', 'ruleErrors', 'warnings']);
    expect(Object.keys(recs.properties.subject.properties)).toEqual(['id', 'known']);
    expect(Object.keys(recs.properties.items.items!.properties)).toEqual(['id', 'score', 'source', 'explanation', 'because', 'interval', 'estimate']);
    const rerank = await schema('/v1/rerank');
    expect(Object.keys(rerank.properties)).toEqual(['subject', 'items', 'modelVersion', 'evidence', 'dropped', 'note', 'ruleErrors', 'warnings']);
    expect(Object.keys(rerank.properties.items.items!.properties)).toEqual(['id', 'relevance', 'score', 'affinity', 'explanation', 'affinityInterval', 'estimate']);
    expect(Object.keys(rerank.properties.dropped.items!.properties)).toEqual(['id', 'reason', 'rule', 'error']);
    for (const s of [recs, rerank]) for (const [field, p] of Object.entries(s.properties)) expect(p.description, field).toEqual(expect.any(String));
  });
});
