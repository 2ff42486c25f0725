import { describe, expect, it } from 'vitest';
import { harness, openTestStore } from '../../test/harness.js';

const features = [{ name: 'orders', kind: 'count', event: 'Order Completed' }];

/**
 * A config file that does not start (docs/configuration.md: "a file with such a key does not
 * start") changes nothing: its sections are applied one after another, and a fault in a later one
 * used to stop the start after the earlier ones were stored — a new feature backfilling, and on
 * PostgreSQL in force for every running server — while the operator read that the file was refused.
 */
describe('a config file refused at start', () => {
  it('stores none of its sections when one is refused by its own checks, and names every bad section', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    try {
      const started = harness('sqlite', { store, config: { features, lifecycle: { stages: [{ name: 'prospect', when: 'true', descripton: 'x' }] }, segments: { audience: [] } } });
      await expect(started).rejects.toThrow(/The `lifecycle` section of test-config is not valid: stages\[0\]\.descripton: .* The `segments` section of test-config is not valid: audience: /);
      expect(await store.documents.latest('features')).toBeUndefined();
    } finally {
      await cleanup();
    }
  });

  it('stores none of its sections when a later one reads a name the earlier ones do not define', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    try {
      const started = harness('sqlite', { store, config: { features, lifecycle: { stages: [{ name: 'prospect', when: 'features.order == 0.0' }] } } });
      await expect(started).rejects.toThrow('The `lifecycle` section of test-config is not valid: stages[0].when: The rule in `stages[0].when` reads `features.order`, which is not a defined feature: did you mean `features.orders`?');
      expect(await store.documents.latest('features')).toBeUndefined();
    } finally {
      await cleanup();
    }
  });

  it('still takes a file whose later section reads a feature an earlier section adds', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    const h = await harness('sqlite', { store, config: { features, lifecycle: { stages: [{ name: 'prospect', when: 'features.orders == 0.0' }] } } });
    try {
      expect((await store.documents.latest('features'))?.version).toBe(1);
      expect((await store.documents.latest('lifecycle'))?.version).toBe(1);
    } finally {
      await h.close();
      await cleanup().catch(() => undefined);
    }
  });
});
