import { describe, expect, it } from 'vitest';
import { recommendationResult } from './recommend-result.js';

describe('the sentences of a recommendation decision', () => {
  it('gives the customer a sentence when nothing is recommended, as every other "none" does', () => {
    const learning = recommendationResult({ mode: 'recommend', items: [], modelVersion: 'recommendations@none', evidence: 0, status: 'learning' }, 0);
    expect(learning.operator).toBe('Nothing to recommend yet: no recommendation model has been trained (tact train recommendations).');
    expect(learning.customer).toBe('We are not showing you anything personalised here right now.');
    // every item left out by the business filters: the same sentence for the customer
    const filtered = recommendationResult({ mode: 'rerank', items: [], modelVersion: 'recommendations@2', evidence: 0, status: 'popular', dropped: [{ id: 'sku-b', reason: 'purchased' }] }, 0);
    expect(filtered.operator).toContain('No item passed the business filters.');
    expect(filtered.customer).toBe('We are not showing you anything personalised here right now.');
  });
});
