import { afterEach, describe, expect, it } from 'vitest';
import { harness, openTestStore, send, type Harness } from '../../test/harness.js';
import { shopConfig } from './fixtures.js';
import { advertising, decideReq, picked, post } from './test-http.js';

describe('dismissal suppression', () => {
  let h: Harness;
  let cleanup: () => Promise<void>;
  afterEach(async () => (await h?.close(), await cleanup?.()));

  it('counts one dismissal once, though the `even` attribution model credits it to several decisions of the action', async () => {
    const config = shopConfig({ outcomes: { attribution: { window: '7d', model: 'even' } }, contact: { dismissals: { count: 2, window: '30d' } } });
    const opened = await openTestStore('sqlite');
    cleanup = opened.cleanup;
    h = await harness('sqlite', { store: opened.store, config });
    await send(h.app, '/v1/identify', { userId: 'ana', context: advertising });
    for (let i = 0; i < 2; i++) expect(picked((await decideReq(h.app, { subject: 'ana', placement: 'home' })).json())).toEqual(['shoes-offer']);
    // "not interested", with no decision named: credited evenly to the two decisions that showed the offer
    const r = await post(h.app, '/v1/outcomes', { subject: 'ana', type: 'dismissal', messageId: 'dismiss-1' });
    expect(r.json().recorded.map((o: { action: string; credit: number }) => [o.action, o.credit])).toEqual([['shoes-offer', 0.5], ['shoes-offer', 0.5]]);
    // one dismissal of the two the policy allows: still offered
    expect(picked((await decideReq(h.app, { subject: 'ana', placement: 'home' })).json())).toEqual(['shoes-offer']);
    // after a restart (the state read again from the log) too
    await h.close();
    h = await harness('sqlite', { store: opened.store, config });
    expect(picked((await decideReq(h.app, { subject: 'ana', placement: 'home' })).json())).toEqual(['shoes-offer']);
    // a second dismissal reaches the count
    await post(h.app, '/v1/outcomes', { subject: 'ana', type: 'dismissal', messageId: 'dismiss-2' });
    const d = (await decideReq(h.app, { subject: 'ana', placement: 'home', explain: 'full' })).json();
    expect(picked(d)).not.toContain('shoes-offer');
    expect(d.explanation.candidates.find((c: { action: string }) => c.action === 'shoes-offer')).toMatchObject({ stage: 'contact policy', rule: 'dismissals' });
  });

  it('does not count a dismissal credited to no decision: an action the subject was never shown is not suppressed', async () => {
    const config = shopConfig({ contact: { dismissals: { count: 2, window: '30d' } } });
    const opened = await openTestStore('sqlite');
    cleanup = opened.cleanup;
    h = await harness('sqlite', { store: opened.store, config });
    await send(h.app, '/v1/identify', { userId: 'ana', context: advertising });
    // Two dismissals by subject and action, no decision having shown it: recorded, credited to none (docs/decisions.md, "dismissal suppression").
    for (const messageId of ['never-1', 'never-2']) {
      const r = await post(h.app, '/v1/outcomes', { subject: 'ana', action: 'shoes-offer', type: 'dismissal', messageId });
      expect(r.json().recorded).toMatchObject([{ decisionId: null, action: 'shoes-offer', credit: 0 }]);
    }
    expect(picked((await decideReq(h.app, { subject: 'ana', placement: 'home' })).json())).toEqual(['shoes-offer']);
    // Nor after a restart, the dismissals read again from the log.
    await h.close();
    h = await harness('sqlite', { store: opened.store, config });
    expect(picked((await decideReq(h.app, { subject: 'ana', placement: 'home' })).json())).toEqual(['shoes-offer']);
    // Shown now, dismissed twice by subject and action: credited to the decision that showed it, and suppressed.
    for (const messageId of ['shown-1', 'shown-2']) expect((await post(h.app, '/v1/outcomes', { subject: 'ana', action: 'shoes-offer', type: 'dismissal', messageId })).json().recorded[0].credit).toBe(1);
    expect(picked((await decideReq(h.app, { subject: 'ana', placement: 'home' })).json())).not.toContain('shoes-offer');
  });

  it('counts the dismissals recorded before a policy turned suppression on, at once, as a restart would', async () => {
    // No cap and no suppression: the ledger keeps no dismissal.
    const config = shopConfig({ contact: {} });
    const opened = await openTestStore('sqlite');
    cleanup = opened.cleanup;
    h = await harness('sqlite', { store: opened.store, config });
    await send(h.app, '/v1/identify', { userId: 'ana', context: advertising });
    expect(picked((await decideReq(h.app, { subject: 'ana', placement: 'home' })).json())).toEqual(['shoes-offer']);
    expect((await post(h.app, '/v1/outcomes', { subject: 'ana', action: 'shoes-offer', type: 'dismissal', messageId: 'before-1' })).json().recorded[0].credit).toBe(1);
    // No suppression in the policy yet: still offered.
    expect(picked((await decideReq(h.app, { subject: 'ana', placement: 'home' })).json())).toEqual(['shoes-offer']);
    const policy = config.policy as Record<string, unknown>;
    await h.tact.applyDocument('policy', { ...policy, contact: { dismissals: { count: 1, window: '30d' } } }, { author: 'test', reason: 'suppress after one dismissal' });
    const d = (await decideReq(h.app, { subject: 'ana', placement: 'home', explain: 'full' })).json();
    expect(picked(d)).not.toContain('shoes-offer');
    expect(d.explanation.candidates.find((c: { action: string }) => c.action === 'shoes-offer')).toMatchObject({ stage: 'contact policy', rule: 'dismissals' });
  });
});
