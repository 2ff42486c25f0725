import { afterEach, describe, expect, it } from 'vitest';
import { harness, send, type Harness } from '../../../test/harness.js';
import { shopConfig } from '../fixtures.js';
import { findProfile } from '../../profiles/lookup.js';
import { advertising, post } from '../test-http.js';
import { runAudience, type AudienceLine } from './audience-run.js';

const lifecycle = { stages: [{ name: 'loyal', when: 'features.orders >= 2.0' }, { name: 'new', when: 'true' }] };

describe('a batch audience on the lifecycle stage', () => {
  let h: Harness;
  afterEach(async () => h.close());

  it('decides for the profiles in that stage, with no failed evaluation, and a stage not defined is refused', async () => {
    h = await harness('sqlite', { config: { ...shopConfig(), lifecycle } });
    for (const userId of ['ann', 'bob']) await send(h.app, '/v1/identify', { userId, context: advertising });
    for (let i = 0; i < 2; i++) await send(h.app, '/v1/track', { userId: 'bob', event: 'Order Completed', properties: { products: [] } });
    const lines: AudienceLine[] = [];
    for await (const l of runAudience(h.tact, { placement: 'weekly-email', audience: 'lifecycle.stage == "loyal"', includeNone: true })) lines.push(l);
    expect(lines.find((l) => l.type === 'done')).toMatchObject({ evaluated: 2, matched: 1, audienceErrors: 0 });
    const bob = `profile:${(await findProfile(h.store.profiles, 'bob'))?.profileId}`;
    expect(lines.flatMap((l) => (l.type === 'decision' ? [l.subject] : []))).toEqual([bob]);

    const typo = await post(h.app, '/v1/decide/batch', { placement: 'weekly-email', audience: 'lifecycle.stage == "Loyal"' });
    expect(typo.statusCode).toBe(400);
    expect(typo.json().problems[0]).toMatchObject({ field: 'audience', message: expect.stringContaining('which is not a lifecycle stage: did you mean `"loyal"`?') });
  });
});
