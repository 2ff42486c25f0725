import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, send, type Harness } from '../../../test/harness.js';
import { compileCatalog } from '../catalog-compile.js';
import { shopConfig } from '../fixtures.js';
import { compilePolicy } from '../policy-compile.js';
import { advertising, decideReq, post } from '../test-http.js';
import { outcomeTypeWarnings } from './type-hint.js';

const catalog = compileCatalog({ actions: [{ id: 'trial', name: 'Trial', channels: ['web'], goal: 'signup' }], placements: [{ id: 'home', channel: 'web' }] });
const policy = compilePolicy({ outcomes: { rewards: { refund: -30 }, events: { 'Newsletter Opened': { type: 'email_open' } } } });
const hint = (type: string) => outcomeTypeWarnings(type, policy, catalog).map((w) => w.suggestion);

describe('a warning for an outcome type one typo from a type something reads', () => {
  it('says nothing of a type that is read: Tact\'s own, a reward\'s, an event mapping\'s, a goal', () => {
    for (const type of ['impression', 'click', 'dismissal', 'conversion', 'unsubscribe', 'complaint', 'refund', 'email_open', 'signup']) expect(hint(type), type).toEqual([]);
  });

  it('names the type meant for a near miss of each kind, the case included', () => {
    expect(hint('clickk')).toEqual(['click']);
    expect(hint('Click')).toEqual(['click']);
    expect(hint('dismisal')).toEqual(['dismissal']);
    expect(hint('refnd')).toEqual(['refund']);
    expect(hint('email-open')).toEqual(['email_open']);
    expect(hint('singup')).toEqual(['signup']);
  });

  it('says nothing of the operator\'s own types, far from all of them; short ones allow one edit only', () => {
    for (const type of ['video_watched', 'like', 'share', 'opened', 'view']) expect(hint(type), type).toEqual([]);
  });

  it('says what became of the outcome', () => {
    expect(outcomeTypeWarnings('clickk', policy, catalog)).toEqual([{
      field: 'type',
      suggestion: 'click',
      message: 'The outcome `type` `clickk` is none Tact reads: not one of its own (impression, click, dismissal, conversion, unsubscribe, complaint), of the policy\'s rewards, of the outcomes its events become, or an action\'s goal. It was recorded as sent, with reward 0, as no goal and no dismissal. Did you mean `click`?',
    }]);
  });
});

describe('POST /v1/outcomes with a misspelt type', () => {
  let h: Harness;
  let decisionId: string;
  beforeAll(async () => {
    h = await harness('sqlite', { config: shopConfig() });
    await send(h.app, '/v1/identify', { userId: 'ana', traits: { email: 'ana@x.com' }, context: advertising });
    const d = await decideReq(h.app, { subject: 'ana', placement: 'home' });
    expect(d.statusCode, d.body).toBe(200);
    decisionId = d.json().decisionId;
  });
  afterAll(async () => h.close());

  it('records it as sent and warns with the type meant; a type spelt right has no warning', async () => {
    const r = await post(h.app, '/v1/outcomes', { decisionId, type: 'dismisal' });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().recorded).toMatchObject([{ type: 'dismisal', reward: 0, success: false }]);
    expect(r.json().warnings).toEqual([{ field: 'type', suggestion: 'dismissal', message: expect.stringContaining('Did you mean `dismissal`?') }]);
    const right = await post(h.app, '/v1/outcomes', { decisionId, type: 'dismissal' });
    expect(right.statusCode, right.body).toBe(200);
    expect(right.json().warnings).toBeUndefined();
  });

  it('gives both warnings when the subject\'s kind is misspelt too', async () => {
    const r = await post(h.app, '/v1/outcomes', { subject: 'emial:nobody@x.com', type: 'conversoin' });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().warnings.map((w: { field: string; suggestion: string }) => [w.field, w.suggestion])).toEqual([['subject', 'email:nobody@x.com'], ['type', 'conversion']]);
  });
});
