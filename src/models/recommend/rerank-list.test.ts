import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../../../test/harness.js';
import { post } from '../../decide/test-http.js';
import { rerankListProblems } from './rerank-list.js';

const config = {
  features: [{ name: 'viewed', kind: 'unique', event: 'Product Viewed', property: 'product_id', limit: 50 }],
  recommendations: { interactions: [{ event: 'Product Viewed', property: 'product_id' }], history: ['viewed'], algorithm: 'cooccurrence' },
};

type Problem = { field: string; message: string };

describe('POST /v1/rerank names every bad item of the list at once', () => {
  let h: Harness;
  beforeAll(async () => (h = await harness('sqlite', { config })));
  afterAll(async () => h.close());

  it('a missing relevance, a null and a "2" alike (until 2026-12-05 the missing one was refused alone)', async () => {
    const res = await post(h.app, '/v1/rerank', { subject: 't1', items: [{ id: 'a', relevance: null }, { id: 'b', relevance: '2' }, { id: 'c' }] });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('validation_failed');
    expect(res.json().problems).toEqual([
      { field: 'items[0].relevance', message: 'The `items[0].relevance` must be a finite number (it is null).' },
      { field: 'items[1].relevance', message: 'The `items[1].relevance` must be a finite number (not "2").' },
      { field: 'items[2].relevance', message: 'The `items[2].relevance` must be a finite number (it is missing).' },
    ]);
  });

  it('in the words of a decision\'s `context.items` (the same checker), with the field under `items`', async () => {
    const list = [{ id: 'a', relevance: null }, { relevance: 2 }, { id: 7, relevance: 1 }, { id: 'a', relevance: 'x' }];
    const res = await post(h.app, '/v1/rerank', { subject: 't1', items: list });
    expect(res.statusCode).toBe(400);
    const asDecision = rerankListProblems(list, 'context.items').map((p) => ({ field: p.field.replace(/^context\.items/, 'items'), message: p.message.replaceAll('context.items', 'items') }));
    expect(asDecision).toHaveLength(5);
    expect(res.json().problems).toEqual(asDecision);
    expect(res.json().problems.map((p: Problem) => p.field)).toEqual(['items[0].relevance', 'items[1].id', 'items[2].id', 'items[3].relevance', 'items[3].id']);
    expect(res.json().problems[1].message).toBe('The `items[1].id` must be a non-empty string (it is missing).');
  });

  it('a property an item does not take is named with the others, not alone', async () => {
    const res = await post(h.app, '/v1/rerank', { subject: 't1', items: [{ id: 'a', relevance: 1, score: 3 }, { id: 'b', relevance: null }] });
    expect(res.statusCode).toBe(400);
    expect(res.json().problems).toEqual([
      { field: 'items[0].score', message: 'The `items[0].score` property is not one an item takes: an item is { id, relevance }.' },
      { field: 'items[1].relevance', message: 'The `items[1].relevance` must be a finite number (it is null).' },
    ]);
  });

  it('takes a good list', async () => {
    const res = await post(h.app, '/v1/rerank', { subject: 't1', items: [{ id: 'a', relevance: 1 }, { id: 'b', relevance: 2 }] });
    expect(res.statusCode, res.body).toBe(200);
  });
});

describe('rerankListProblems', () => {
  it('leaves other properties to a decision\'s `context.items` (search results carry more), refuses them when closed', () => {
    const list = [{ id: 'a', relevance: 1, title: 'Trail shoe' }];
    expect(rerankListProblems(list, 'context.items')).toEqual([]);
    expect(rerankListProblems(list, 'items', 1000, { closed: true }).map((p) => p.field)).toEqual(['items[0].title']);
  });
});
