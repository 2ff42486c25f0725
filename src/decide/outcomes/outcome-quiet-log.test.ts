import { afterEach, describe, expect, it } from 'vitest';
import { harness, send, type Harness, type StoreKind } from '../../../test/harness.js';
import { shopConfig } from '../fixtures.js';
import { advertising, decideReq, picked } from '../test-http.js';

const order = (userId: string, revenue: number) => ({ type: 'track', userId, event: 'Order Completed', properties: { revenue } });

describe.each<StoreKind>(['sqlite', 'postgres'])('outcomes mapped from events while the log holds no choice (%s)', (kind) => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  /** Counts the reads of subjects' choices from the log (one a subject, alone or many at once). */
  const counting = (t: Harness) => {
    const reads = { perSubject: 0 };
    const contactsOf = t.store.decisions.contactsOf.bind(t.store.decisions);
    t.store.decisions.contactsOf = (...args) => ((reads.perSubject += 1), contactsOf(...args));
    const contactsOfMany = t.store.decisions.contactsOfMany.bind(t.store.decisions);
    t.store.decisions.contactsOfMany = (many) => ((reads.perSubject += many.length), contactsOfMany(many));
    return reads;
  };

  it('records them uncredited without reading each subject\'s choices: one look at the log for the batch', async () => {
    const t = (h = await harness(kind, { config: shopConfig() }));
    for (const u of ['u-1', 'u-2', 'u-3']) await send(t.app, '/v1/identify', { userId: u, context: advertising });
    const reads = counting(t);
    expect((await send(t.app, '/v1/batch', { batch: [order('u-1', 10), order('u-2', 20), order('u-3', 30)] })).json()).toEqual({ success: true });
    await t.tact.consumers.runAll();
    const outcomes = await t.store.decisions.outcomesSince(0);
    expect(outcomes.map((o) => [o.type, o.value, o.decisionId, o.credit]).sort()).toEqual([['conversion', 10, null, 0], ['conversion', 20, null, 0], ['conversion', 30, null, 0]]);
    expect(reads.perSubject).toBe(0);
  });

  it('reads them as before once the span holds a choice, and credits the subject that had it', async () => {
    const t = (h = await harness(kind, { config: shopConfig() }));
    for (const u of ['u-1', 'u-2', 'u-3']) await send(t.app, '/v1/identify', { userId: u, context: advertising });
    const d = (await decideReq(t.app, { subject: 'u-2', placement: 'home' })).json();
    const action = picked(d)[0];
    expect(action).not.toBe('none');
    const reads = counting(t);
    expect((await send(t.app, '/v1/batch', { batch: [order('u-1', 10), order('u-2', 20), order('u-3', 30)] })).json()).toEqual({ success: true });
    await t.tact.consumers.runAll();
    const outcomes = await t.store.decisions.outcomesSince(0);
    const credited = outcomes.filter((o) => o.decisionId !== null);
    expect(credited.map((o) => [o.value, o.decisionId, o.action])).toEqual([[20, d.decisionId, action]]);
    expect(outcomes.filter((o) => o.decisionId === null).map((o) => o.value).sort()).toEqual([10, 30]);
    expect(reads.perSubject).toBeGreaterThanOrEqual(3);
  });
});
