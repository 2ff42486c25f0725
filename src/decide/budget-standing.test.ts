import { afterEach, describe, expect, it } from 'vitest';
import { harness, send, type Harness } from '../../test/harness.js';
import { SubjectMoved } from './decider.js';
import { advertising } from './test-http.js';

/**
 * On one process, a decision logs only on the budgets it was made on (decider.ts `write`): the
 * pipeline read the channel's use, and a decision for another subject may have taken from it
 * before this one reserved its contacts. Its own contact may still fit while another action's
 * fair share is used up meanwhile — that action is then no longer drawn, so the draw's
 * propensities would be those of a view no longer true: the decision is made again.
 */
const config = {
  catalog: {
    actions: [
      { id: 'em-a', name: 'Email A', channels: ['email'], purpose: 'Advertising', value: 50, topics: ['marketing'] },
      { id: 'em-b', name: 'Email B', channels: ['email'], purpose: 'Advertising', value: 40, topics: ['marketing'] },
    ],
    placements: [{ id: 'email-slot', name: 'Email', channel: 'email', slots: 1 }],
  },
  policy: {
    exploration: { budget: 0.2 },
    contact: { budgets: [{ name: 'email budget', channel: 'email', max: 8, window: '7d', borrowAfter: 1 }] },
  },
};

let h: Harness;
afterEach(async () => h?.close());

/** Another subject's e-mails of `action`, reserved in the ledger as its decisions would be. */
function others(action: string, n: number): void {
  for (let i = 0; i < n; i++) h.tact.decide.state.ledger.record(`other-${action}-${i}`, { at: Date.now(), action, channel: 'email', topics: ['marketing'], decisionId: `d-${action}-${i}` });
}

describe('a decision and the budgets it was made on (one process)', () => {
  it('is made again when an action used its fair share after the pipeline ran, though its own contact still fits', async () => {
    h = await harness('sqlite', { config, random: () => 0.99 });
    await send(h.app, '/v1/identify', { userId: 'ana', context: advertising });
    const decider = h.tact.decide.decider;
    const p = await decider.prepare({ subject: 'ana', placement: 'email-slot' });
    expect(p.record.choices[0]).toMatchObject({ action: 'em-a', propensity: 0.8 + 0.2 / 3 }); // em-a, em-b and "none" drawn from
    others('em-b', 4); // em-b's share: 4 of 8
    await expect(decider.commit(p)).rejects.toBeInstanceOf(SubjectMoved);
    // Made again, it is drawn from em-a and "none" only.
    expect((await decider.decide({ subject: 'ana', placement: 'email-slot' })).choices[0]).toMatchObject({ action: 'em-a', propensity: 0.8 + 0.2 / 2 });
  });

  it('is made again when the budget was spent meanwhile, and logged as it was made when nothing it stands on changed', async () => {
    h = await harness('sqlite', { config, random: () => 0.99 });
    for (const userId of ['ana', 'bo']) await send(h.app, '/v1/identify', { userId, context: advertising });
    const decider = h.tact.decide.decider;
    const ana = await decider.prepare({ subject: 'ana', placement: 'email-slot' });
    others('em-b', 3); // em-b 3 of its 4: the standing is the same
    expect((await decider.commit(ana)).id).toBe(ana.record.id);
    const bo = await decider.prepare({ subject: 'bo', placement: 'email-slot' });
    others('em-a', 3); // with ana's, em-a 4 of its 4
    others('em-b', 1); // em-b 4 of its 4: the budget of 8 is spent
    await expect(decider.commit(bo)).rejects.toBeInstanceOf(SubjectMoved);
    expect((await decider.decide({ subject: 'bo', placement: 'email-slot' })).choices[0].kind).toBe('none');
    expect((await h.store.decisions.contactsSince(0)).length).toBe(1);
  });
});
