import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness, send, type Harness } from '../../../test/harness.js';
import { shopConfig } from '../fixtures.js';
import { post } from '../test-http.js';

describe('a batch audience comparing a value of a declared type with one of another', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness('sqlite', { config: shopConfig() });
    for (let i = 0; i < 3; i++) await send(h.app, '/v1/identify', { userId: `u${i}`, traits: { tier: 'gold' } });
  });
  afterEach(async () => h.close());

  it('is refused before any decision is made, naming the field and the two values', async () => {
    const before = (await h.store.decisions.queryDecisions({ limit: 1000 })).length;
    const r = await post(h.app, '/v1/decide/batch', { placement: 'weekly-email', audience: 'traits.tier == "gold" && features.orders > "1"' });
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().problems).toEqual([{ field: 'audience', message: 'The rule in `audience` compares `features.orders`, a number (a count feature), with `"1"`, a string: the two cannot be ordered, so the rule would fail for every subject. Compare it with a number.' }]);
    const never = await post(h.app, '/v1/decide/batch', { placement: 'weekly-email', audience: 'lastSeen == "today"' });
    expect(never.statusCode, never.body).toBe(400);
    expect(never.json().problems[0]).toMatchObject({ field: 'audience', message: expect.stringMatching(/`lastSeen`, a timestamp, with `"today"`, a string: values of two types are never equal/) });
    expect((await h.store.decisions.queryDecisions({ limit: 1000 })).length).toBe(before);
  });
});
