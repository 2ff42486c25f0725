import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, send, type Harness } from '../../../test/harness.js';
import { shopConfig } from '../fixtures.js';
import { advertising, decideReq, post } from '../test-http.js';

/**
 * An outcome naming a decision and a subject whose kind is misspelt (`emial:`) was answered a plain
 * 400 "made for another subject": the subject, found in no profile, is another one. The 400 now
 * also says, for the field `subject`, what the lookups say of such a kind (lookup.ts,
 * unknown_identifier_kind's sentence), with the identifier meant in `suggestion`.
 */
const KIND_MISS = 'No profile matches `emial:ana@x.com`, and `emial` is not an identifier kind Tact or the merge rules name: did you mean `email:ana@x.com`? The kinds are userId, anonymousId, email and profile (Tact\'s own id); any other is an external id\'s `type`, as messages send it.';

describe.each(['sqlite', 'postgres'] as const)('an outcome with a decision and a misspelt subject kind (%s)', (kind) => {
  let h: Harness;
  let decisionId: string;
  beforeAll(async () => {
    h = await harness(kind, { config: shopConfig() });
    await send(h.app, '/v1/identify', { userId: 'ana', traits: { email: 'ana@x.com' }, context: advertising });
    await send(h.app, '/v1/identify', { userId: 'bob', traits: { email: 'bob@x.com' }, context: advertising });
    const d = await decideReq(h.app, { subject: 'ana', placement: 'home' });
    expect(d.statusCode, d.body).toBe(200);
    decisionId = d.json().decisionId;
  });
  afterAll(async () => h.close());

  it('answers the 400 with the hint for `subject` and the identifier meant', async () => {
    const r = await post(h.app, '/v1/outcomes', { decisionId, subject: 'emial:ana@x.com', type: 'click' });
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().problems).toEqual([
      { field: 'decisionId', message: expect.stringContaining('was made for another subject') },
      { field: 'subject', message: KIND_MISS },
    ]);
    expect(r.json().suggestion).toBe('email:ana@x.com');
    // With the kind spelt right, it is hers.
    const fixed = await post(h.app, '/v1/outcomes', { decisionId, subject: 'email:ana@x.com', type: 'click' });
    expect(fixed.statusCode, fixed.body).toBe(200);
  });

  it('gives no hint when the subject is simply someone else', async () => {
    for (const subject of ['bob', 'phone:42']) {
      const r = await post(h.app, '/v1/outcomes', { decisionId, subject, type: 'click' });
      expect(r.statusCode, r.body).toBe(400);
      expect(r.json().problems.map((p: { field: string }) => p.field), subject).toEqual(['decisionId']);
      expect(r.json().suggestion, subject).toBeUndefined();
    }
  });
});
