import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../../test/harness.js';
import { putConfig } from '../store/conformance/learn-helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/**
 * QA, 2026-12-05: docs/configuration.md promises an invalid document is refused "naming every bad
 * field", but the checks against the stored configuration (a misspelt feature in a rule) ran only
 * once the document was well formed: a lifecycle with a misspelt feature and a misspelt key named
 * the key, and a second PUT the feature.
 */
describe('a configuration document with problems of both kinds', () => {
  it('names every bad field in one answer: its own (a key it does not take) and those against the stored configuration (a feature no one defined)', async () => {
    h = await harness('sqlite', { config: { features: [{ name: 'orders', kind: 'count', event: 'Order Completed' }] } });
    const r = await putConfig(h, 'lifecycle', { stages: [{ name: 'a', when: 'features.ordrs > 1.0' }, { nam: 'b', when: 'true' }] });
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().problems.map((p: { field: string }) => p.field)).toEqual(expect.arrayContaining(['stages[1].nam', 'stages[0].when']));
  });
});
