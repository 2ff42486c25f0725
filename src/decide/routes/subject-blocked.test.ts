import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, send, type Harness } from '../../../test/harness.js';
import { shopConfig } from '../fixtures.js';
import { advertising, decideReq, post } from '../test-http.js';

/**
 * QA, 2026-12-05: POST /v1/decide and POST /v1/outcomes took subjects the collection API refuses
 * ("null", "undefined", "   ", "0"): every client sending `String(undefined)` was decided for as
 * the one subject `anon:null`, sharing its caps, dismissals and budgets; blank subjects opened
 * reviews for a person named "   ". Now a 400 naming `subject`, as /v1/track's for `userId`.
 */
describe('a subject that cannot identify anyone', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('sqlite', { config: shopConfig() });
    await send(h.app, '/v1/identify', { userId: 'ana', traits: { email: 'ana@x.com' }, context: advertising });
  });
  afterAll(async () => h.close());

  it.each(['null', 'undefined', '   ', '\t', '0', '-1', 'userId:null', 'email:  '])('is refused by /v1/decide with a 400 naming `subject` (%j), and nothing is logged', async (subject) => {
    const r = await decideReq(h.app, { subject, placement: 'home' });
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().problems).toEqual([{ field: 'subject', message: expect.stringMatching(/^The `subject` (is blank|".*" cannot identify anyone \(.*\))/) }]);
    const logged = await h.store.decisions.queryDecisions({ limit: 10 });
    expect(logged.filter((d) => d.subject === subject)).toEqual([]);
  });

  it.each(['null', '   ', '000-000'])('is refused by /v1/outcomes with a 400 naming `subject` (%j)', async (subject) => {
    const r = await post(h.app, '/v1/outcomes', { subject, type: 'dismissal' });
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().problems).toEqual([{ field: 'subject', message: expect.stringContaining('`subject`') }]);
  });

  it('leaves real subjects, external kinds and values that only contain a blocked word alone', async () => {
    for (const subject of ['ana', 'email:ana@x.com', 'nullable-user', 'crm:0', 'new-visitor-1']) {
      const r = await decideReq(h.app, { subject, placement: 'home' });
      expect(r.statusCode, `${subject}: ${r.body}`).toBe(200);
    }
  });
});
