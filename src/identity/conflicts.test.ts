import { afterEach, describe, expect, it } from 'vitest';
import { get, harness, send, type Harness } from '../../test/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('identity conflicts on a shared device', () => {
  // Every event of the second user with the first user's anonymousId hits the same conflict: one
  // row per (profile, kind, value, reason) counts them, or the table grows with every such event.
  it('are recorded once per profile, kind, value and reason, counting the messages that hit them', async () => {
    h = await harness('sqlite');
    await send(h.app, '/v1/identify', { userId: 'alice', anonymousId: 'shared-device', messageId: 'a0' });
    for (let i = 0; i < 3; i++) {
      expect((await send(h.app, '/v1/track', { userId: 'bob', anonymousId: 'shared-device', event: 'Viewed', messageId: `b${i}` })).statusCode).toBe(200);
    }
    const bob = (await get(h.app, '/v1/profiles/bob')).json() as { identityConflicts: { kind: string; value: string; count?: number; messageId: string }[] };
    expect(bob.identityConflicts).toEqual([expect.objectContaining({ kind: 'anonymousId', value: 'shared-device', count: 3, messageId: 'b2' })]);
  });
});
