import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../../../test/harness.js';
import { rerank } from '../../learn/recommend/rerank.js';

/**
 * The re-ranking's defaults are said where a caller reads them — docs/models.md §7 and the OpenAPI
 * description of `maxWeight` (until 2026-12-05 neither said them) — and are the ones in force.
 * Reference: docs/models.md §7, w = maxWeight·n/(n + halfEvidence), maxWeight 0.5, halfEvidence 10.
 */
const MAX_WEIGHT = 0.5;
const HALF_EVIDENCE = 10;

describe('the re-ranking\'s default weights', () => {
  let h: Harness;
  beforeAll(async () => (h = await harness('sqlite')));
  afterAll(async () => h.close());

  it('are in force: 10 history items give the affinity 0.25 (0.5 · 10/(10 + 10))', () => {
    // Two items, relevance and affinity in opposite orders: their percentiles are 1 and 0, so the
    // scores are 1 − w and w (docs/models.md §7).
    const list = [{ item: 0, relevance: 2 }, { item: 1, relevance: 1 }];
    const scores = (opts: Parameters<typeof rerank>[2]) => rerank(list, [0, 1], opts).map((x) => [x.item, x.score]);
    expect(scores({ evidence: 10 })).toEqual([[0, 0.75], [1, 0.25]]);
    expect(scores({ evidence: 10 })).toEqual(scores({ evidence: 10, maxWeight: MAX_WEIGHT, halfEvidence: HALF_EVIDENCE }));
    expect(scores({ evidence: 10, maxWeight: 1 })).not.toEqual(scores({ evidence: 10 }));
  });

  it('are stated in docs/models.md §7', () => {
    const doc = readFileSync('docs/models.md', 'utf8');
    const section = doc.slice(doc.indexOf('## 7. Recommendations'), doc.indexOf('## 8. '));
    expect(section.length).toBeGreaterThan(100);
    const flat = section.replace(/\s+/g, ' ');
    expect(Number(/maxWeight (\d+(?:\.\d+)?) unless the request sends another/.exec(flat)?.[1])).toBe(MAX_WEIGHT);
    expect(Number(/halfEvidence (\d+) —/.exec(flat)?.[1])).toBe(HALF_EVIDENCE);
  });

  it('are stated in the OpenAPI description of `maxWeight`', async () => {
    const doc = (await h.app.inject({ url: '/openapi.json' })).json();
    const maxWeight = doc.paths['/v1/rerank'].post.requestBody.content['application/json'].schema.properties.maxWeight;
    expect(maxWeight).toMatchObject({ type: 'number', minimum: 0, maximum: 1 });
    expect(maxWeight.description).toContain(`default ${MAX_WEIGHT}.`);
    expect(maxWeight.description).toContain(`maxWeight · n/(n + ${HALF_EVIDENCE})`);
  });

  it('say what a subject without evidence gets: the list by the relevance sent, ties as listed — not "its own order"', async () => {
    const doc = (await h.app.inject({ url: '/openapi.json' })).json();
    const description = doc.paths['/v1/rerank'].post.description as string;
    // w = 0 with no evidence: the score is the relevance percentile, ties as listed (src/learn/recommend/rerank.ts).
    expect(rerank([{ item: 0, relevance: 1 }, { item: 1, relevance: 2 }, { item: 2, relevance: 2 }], [0, 0, 0], { evidence: 0 }).map((x) => x.item)).toEqual([1, 2, 0]);
    expect(description).toContain('a subject without history (or any subject before a model is trained) gets the list ordered by the relevance sent, ties in the order listed.');
    expect(description).not.toContain('in its own order');
    const section = readFileSync('docs/models.md', 'utf8').replace(/\s+/g, ' ');
    expect(section).not.toContain("gets the caller's order back");
    expect(section).not.toContain("the list keeps the caller's order");
  });
});
