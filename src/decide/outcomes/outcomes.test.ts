import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KEYS, get, harness, send, type Harness } from '../../../test/harness.js';
import { shopConfig, shopPolicy } from '../fixtures.js';
import { advertising, decideReq, picked, post } from '../test-http.js';
import type { DecisionRecord } from '../decision.js';
import { attribute, rewardOf } from './attribution.js';

const DAY = 86_400_000;
const c = (decisionId: string, action: string, at: number) => ({ decisionId, action, at, channel: 'web', topics: [] });

describe('attribution and reward', () => {
  const windowFor = (a: string) => (a === 'short' ? DAY : 7 * DAY);
  it('credits the latest preceding choice within its action\'s window (last touch)', () => {
    const contacts = [c('d1', 'promo', 0), c('d2', 'short', 2 * DAY), c('d3', 'promo', 3 * DAY), c('d4', 'promo', 10 * DAY)];
    expect(attribute({ at: 4 * DAY }, contacts, { windowFor, model: 'last' })).toEqual([{ decisionId: 'd3', action: 'promo', at: 3 * DAY, credit: 1 }]);
    // the later decision (d4) came after the outcome; d2's one-day window is over
    expect(attribute({ at: 3.5 * DAY, action: 'short' }, contacts, { windowFor, model: 'last' })).toEqual([]);
    expect(attribute({ at: 20 * DAY }, contacts, { windowFor, model: 'last' })).toEqual([]);
    // one decision's several choices: the top-ranked one gets the credit
    expect(attribute({ at: DAY }, [c('d9', 'first', 0), c('d9', 'second', 0)], { windowFor, model: 'last' })[0].action).toBe('first');
  });
  it('splits credit evenly when the policy says so', () => {
    const contacts = [c('d1', 'promo', 0), c('d3', 'promo', 3 * DAY)];
    expect(attribute({ at: 4 * DAY }, contacts, { windowFor, model: 'even' }).map((x) => x.credit)).toEqual([0.5, 0.5]);
  });
  it('is the operator\'s value function: revenue − 5 × unsubscribe − 20 × complaint', () => {
    const rewards = { conversion: 'value' as const, unsubscribe: -5, complaint: -20 };
    expect(rewardOf('conversion', 42.5, rewards)).toBe(42.5);
    expect(rewardOf('unsubscribe', null, rewards)).toBe(-5);
    expect(rewardOf('complaint', 3, rewards)).toBe(-20);
    expect(rewardOf('click', null, rewards)).toBe(0);
    expect(rewardOf('constructor', null, rewards)).toBe(0);
  });
});

describe('outcomes', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness('sqlite', { config: shopConfig() });
    await send(h.app, '/v1/identify', { userId: 'ana', context: advertising });
  });
  afterEach(async () => h.close());

  it('under even attribution keeps every action\'s share of one outcome: in the answer, the decision\'s log and the counts', async () => {
    const even = await harness('sqlite', { config: shopConfig({ outcomes: { ...shopPolicy().outcomes, attribution: { window: '7d', model: 'even' } } }) });
    try {
      await send(even.app, '/v1/identify', { userId: 'sam', context: advertising });
      const d = (await decideReq(even.app, { subject: 'sam', placement: 'home', n: 2 })).json();
      const actions = picked(d);
      expect(actions).toEqual(['shoes-offer', 'socks-offer']);
      const r = await post(even.app, '/v1/outcomes', { subject: 'sam', type: 'conversion', value: 10, messageId: 'sam-c1' });
      expect(r.statusCode, r.body).toBe(200);
      const answered = r.json().recorded.map((o: { action: string; credit: number; reward: number; success: boolean }) => [o.action, o.credit, o.reward, o.success]);
      expect(answered).toEqual([['shoes-offer', 0.5, 5, true], ['socks-offer', 0.5, 5, true]]);
      // The log holds what the answer said it recorded (until 2026-12-05 it kept only the first row).
      const logged = (await get(even.app, `/v1/decisions/${d.decisionId}`)).json().outcomes;
      expect(logged.map((o: { action: string; credit: number; reward: number; success: boolean }) => [o.action, o.credit, o.reward, o.success])).toEqual(answered);
      // The counts the estimates are read from hold a success for each.
      const successes = (await even.store.decisions.successCounts()).filter((c) => c.profileKey !== undefined).map((c) => [c.action, Number(c.n)]).sort();
      expect(successes).toEqual([['shoes-offer', 1], ['socks-offer', 1]]);
      // A retry of the same message records nothing more.
      expect((await post(even.app, '/v1/outcomes', { subject: 'sam', type: 'conversion', value: 10, messageId: 'sam-c1' })).json().duplicate).toBe(true);
      expect((await get(even.app, `/v1/decisions/${d.decisionId}`)).json().outcomes).toHaveLength(2);
    } finally {
      await even.close();
    }
  });

  it('maps track events to outcomes, credits the decision before them, and updates the estimate online', async () => {
    const d = (await decideReq(h.app, { subject: 'ana', placement: 'home' })).json();
    expect(d.choices[0]).toMatchObject({ action: 'shoes-offer', estimate: { evidence: 0, value: 0.05 } });
    await send(h.app, '/v1/track', { userId: 'ana', event: 'Order Completed', messageId: 'order-1', properties: { revenue: 120, products: [{ product_id: 'sku-socks' }] } });
    await send(h.app, '/v1/track', { userId: 'ana', event: 'Order Completed', messageId: 'order-2', properties: { revenue: 30, products: [{ product_id: 'sku-socks' }] } });
    await send(h.app, '/v1/track', { userId: 'ana', event: 'Unsubscribed', messageId: 'unsub-1' });
    await h.tact.consumers.runAll();
    const logged = (await get(h.app, `/v1/decisions/${d.decisionId}`)).json();
    expect(logged.outcomes.map((o: { id: string; type: string; reward: number; success: boolean; source: string }) => [o.id, o.type, o.reward, o.success, o.source])).toEqual([
      ['order-1', 'conversion', 120, true, 'event'],
      ['order-2', 'conversion', 30, false, 'event'], // one success per decision: the rate stays a rate
      ['unsub-1', 'unsubscribe', -5, false, 'event'],
    ]);
    // the next decision's estimate for the offer has one trial and one success behind it
    const next = (await decideReq(h.app, { subject: 'ana', placement: 'home', n: 3, explain: 'full' })).json();
    const shoes = next.explanation.candidates.find((x: { action: string }) => x.action === 'shoes-offer');
    expect(shoes.estimate.evidence).toBe(1);
    expect(shoes.estimate.value).toBeCloseTo((0.05 * 20 + 1) / (20 + 1), 4); // kept to 4 significant digits in the log
    // a replayed event is not counted again
    await h.tact.decide.outcomes.record([{ id: 'order-1', at: Date.now(), type: 'conversion', value: 120, profileKey: logged.subject.profileId, source: 'event' }]);
    expect((await get(h.app, `/v1/decisions/${d.decisionId}`)).json().outcomes).toHaveLength(3);
  });

  it('credits the offer a visitor saw before logging in with the purchase made after, merged or decided before any event', async () => {
    // A visitor with a profile of their own (ana's is older: the visitor's merges into it) …
    await send(h.app, '/v1/track', { anonymousId: 'visitor-1', event: 'Product Viewed', context: advertising });
    const seen = (await decideReq(h.app, { subject: 'visitor-1', placement: 'home' })).json();
    // … and one decided for before any of their events arrived.
    const early = (await decideReq(h.app, { subject: 'visitor-2', placement: 'home' })).json();
    expect(picked(seen)).toEqual(['shoes-offer']);
    // Pruned as an hour on: no cap counts these contacts, so the ledger lets go of them — all but an
    // anonymous subject's newest, which keeps its key known; the offers are credited from the log.
    h.tact.decide.state.prune(Date.now() + 3_600_000);
    expect(h.tact.decide.state.ledger.has('anon:visitor-2')).toBe(true);
    for (const [visitor, d, order] of [['visitor-1', seen, 'order-v1'], ['visitor-2', early, 'order-v2']] as const) {
      await send(h.app, '/v1/identify', { userId: visitor === 'visitor-1' ? 'ana' : 'bo', anonymousId: visitor, context: advertising });
      await send(h.app, '/v1/track', { userId: visitor === 'visitor-1' ? 'ana' : 'bo', event: 'Order Completed', messageId: order, properties: { revenue: 80 } });
      await h.tact.consumers.runAll();
      const logged = (await get(h.app, `/v1/decisions/${d.decisionId}`)).json();
      expect(logged.outcomes.map((o: { id: string; credit: number; success: boolean }) => [o.id, o.credit, o.success]), visitor).toEqual([[order, 1, true]]);
    }
  });

  it('takes outcomes over the API: a browser (write key) only for a named decision; the same messageId once', async () => {
    const d = (await decideReq(h.app, { subject: 'ana', placement: 'home' }, KEYS.write)).json();
    const click = await post(h.app, '/v1/outcomes', { decisionId: d.decisionId, type: 'click', action: d.choices[0].action, messageId: 'c-1' }, KEYS.write);
    expect(click.statusCode, click.body).toBe(200);
    expect(click.json().recorded[0]).toMatchObject({ decisionId: d.decisionId, action: 'shoes-offer', type: 'click', reward: 0, credit: 1 });
    // A retry is answered what the first call stored (a client that lost the answer learns it), and nothing more is written.
    expect((await post(h.app, '/v1/outcomes', { decisionId: d.decisionId, type: 'click', messageId: 'c-1' }, KEYS.write)).json()).toEqual({ recorded: click.json().recorded, duplicate: true });
    expect((await get(h.app, `/v1/decisions/${d.decisionId}`)).json().outcomes).toHaveLength(1);
    const bySubject = await post(h.app, '/v1/outcomes', { subject: 'ana', type: 'conversion', value: 55 }, KEYS.write);
    expect(bySubject.statusCode).toBe(403);
    const server = await post(h.app, '/v1/outcomes', { subject: 'ana', type: 'conversion', value: 55 });
    expect(server.json().recorded[0]).toMatchObject({ decisionId: d.decisionId, reward: 55, success: true });
    expect((await post(h.app, '/v1/outcomes', { type: 'click' })).json().problems[0].field).toBe('decisionId');
    expect((await post(h.app, '/v1/outcomes', { decisionId: 'nope', type: 'click' })).statusCode).toBe(404);
    expect((await post(h.app, '/v1/outcomes', { decisionId: d.decisionId })).json().problems[0].field).toBe('type');
  });

  it('reads an outcome\'s `timestamp` as the collection reads a time, and refuses one no Date holds, naming it', async () => {
    const d = (await decideReq(h.app, { subject: 'ana', placement: 'home' })).json();
    const at = new Date(Date.now() + 60_000); // after the decision (one before it is dated at it)
    // `+01`, an offset of hours alone: it passed the check and Date.parse read NaN — a 500 after the outcome was stored.
    const local = new Date(at.getTime() + 3_600_000).toISOString().replace(/\.\d+Z$/, '+01');
    const r = await post(h.app, '/v1/outcomes', { decisionId: d.decisionId, type: 'click', messageId: 'tz-1', timestamp: local });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().recorded[0].at).toBe(new Date(Math.floor(at.getTime() / 1000) * 1000).toISOString());
    const leap = await post(h.app, '/v1/outcomes', { decisionId: d.decisionId, type: 'click', messageId: 'tz-2', timestamp: '2016-12-31T23:59:60Z' });
    expect(leap.statusCode).toBe(400);
    expect(leap.json().problems[0].field).toBe('timestamp');
    expect((await get(h.app, `/v1/decisions/${d.decisionId}`)).json().outcomes.map((o: { id: string }) => o.id)).toEqual(['tz-1']);
  });

  it('warns of an action the catalog lacks, one typo from one it has, that credited nothing', async () => {
    await decideReq(h.app, { subject: 'ana', placement: 'home' });
    const typo = (await post(h.app, '/v1/outcomes', { subject: 'ana', action: 'shoes-ofer', type: 'dismissal' })).json();
    expect(typo.recorded).toMatchObject([{ decisionId: null, action: 'shoes-ofer', credit: 0 }]);
    expect(typo.warnings).toEqual([expect.objectContaining({ field: 'action', suggestion: 'shoes-offer', message: expect.stringMatching(/^The `action` `shoes-ofer` is not in the catalog/) })]);
    // The catalog's own action, and one far from every catalog action (another system's), say nothing.
    expect((await post(h.app, '/v1/outcomes', { subject: 'ana', action: 'shoes-offer', type: 'click' })).json().warnings).toBeUndefined();
    expect((await post(h.app, '/v1/outcomes', { subject: 'ana', action: 'crm-campaign-77', type: 'click' })).json().warnings).toBeUndefined();
  });

  it('recognises an outcome id it took long ago from the log, not from memory', async () => {
    const d = (await decideReq(h.app, { subject: 'ana', placement: 'home' }, KEYS.write)).json();
    expect((await post(h.app, '/v1/outcomes', { decisionId: d.decisionId, type: 'click', messageId: 'c-old' }, KEYS.write)).json().recorded).toHaveLength(1);
    // An hour on, the state no longer holds the id (it keeps minutes of them, not the look-back)…
    h.tact.decide.state.prune(Date.now() + 3_600_000);
    expect(h.tact.decide.state.hasOutcome('c-old')).toBe(false);
    // …and the same messageId is still one outcome.
    expect((await post(h.app, '/v1/outcomes', { decisionId: d.decisionId, type: 'click', messageId: 'c-old' }, KEYS.write)).json()).toMatchObject({ recorded: [{ id: 'c-old', decisionId: d.decisionId, type: 'click' }], duplicate: true });
    expect((await get(h.app, `/v1/decisions/${d.decisionId}`)).json().outcomes).toHaveLength(1);
  });

  it('suppresses an action after the subject dismissed it twice', async () => {
    for (let i = 0; i < 2; i++) {
      const d = (await decideReq(h.app, { subject: 'ana', placement: 'home' })).json();
      expect(picked(d)).toEqual(['shoes-offer']);
      await post(h.app, '/v1/outcomes', { decisionId: d.decisionId, action: 'shoes-offer', type: 'dismissal' }, KEYS.write);
    }
    const after = (await decideReq(h.app, { subject: 'ana', placement: 'home', explain: 'full' })).json();
    expect(picked(after)).toEqual(['socks-offer']);
    expect(after.explanation.candidates.find((x: { action: string }) => x.action === 'shoes-offer')).toMatchObject({ stage: 'contact policy', rule: 'dismissals' });
  });

  it('reads a subject\'s newest choices first under the last-touch model, and all of them only when none of those is creditable', async () => {
    await send(h.app, '/v1/identify', { userId: 'ana', context: advertising });
    const key = (await get(h.app, '/v1/profiles/ana')).json().id as string;
    const now = Date.now();
    // A subject shown an offer 150 times in the last few seconds, and once, before, another.
    const decision = (id: string, at: number, action: string): DecisionRecord => ({
      id, at, profileKey: key, subject: 'ana', placement: 'home', channel: 'web', context: {}, policyVersion: 1, catalogVersion: 1, modelVersion: 'm', arm: 'treatment',
      choices: [{ rank: 1, kind: 'action', action, score: 0.1, propensity: 1, why: '' }], scored: [], excluded: [], facts: {}, absentFacts: [], operator: '', customer: '', excludedByStage: {},
    });
    await h.store.decisions.appendDecision(decision('d-socks', now - 20_000, 'socks-offer'));
    for (let i = 0; i < 150; i++) await h.store.decisions.appendDecision(decision(`d-shoes-${String(i).padStart(3, '0')}`, now - 10_000 + i * 10, 'shoes-offer'));
    // The rows of each read of the subject's choices (the recorder reads a batch's subjects at once).
    const read: number[] = [];
    const contactsOfMany = h.store.decisions.contactsOfMany.bind(h.store.decisions);
    h.store.decisions.contactsOfMany = async (reads) => {
      const rows = await contactsOfMany(reads);
      read.push(...rows.map((r) => r.length));
      return rows;
    };
    const credited = async (id: string, action?: string) => (await h.tact.decide.outcomes.record([{ id, at: now, type: 'conversion', value: 10, profileKey: key, action, source: 'event' }])).records.map((r) => r.decisionId);
    expect(await credited('o-any')).toEqual(['d-shoes-149']);
    expect(read).toEqual([100]);
    read.length = 0;
    // Only the oldest choice is creditable (the outcome names its action): all of them are read.
    expect(await credited('o-socks', 'socks-offer')).toEqual(['d-socks']);
    expect(read).toEqual([100, 151]);
  });
});

describe('the delays the estimates learn', () => {
  it('are taught by every success recorded, through the API or a track event, and read again at a start', async () => {
    const h = await harness('sqlite', { config: shopConfig() });
    try {
      await send(h.app, '/v1/identify', { userId: 'ana', context: advertising });
      await send(h.app, '/v1/identify', { userId: 'bo', context: advertising });
      const a = (await decideReq(h.app, { subject: 'ana', placement: 'home' })).json();
      const b = (await decideReq(h.app, { subject: 'bo', placement: 'home' })).json();
      const r = await post(h.app, '/v1/outcomes', { subject: 'ana', decisionId: a.decisionId, type: 'conversion', messageId: 'ana-c' });
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json().recorded[0].success).toBe(true);
      // An `Order Completed` event, mapped to a conversion.
      await send(h.app, '/v1/track', { userId: 'bo', event: 'Order Completed', properties: { revenue: 12 }, messageId: 'bo-c' });
      await h.tact.consumers.runAll();
      // Each success within the hour of its choice: hour of delay 0, once per success.
      const held = (t: Harness) => [picked(a)[0], picked(b)[0]].filter((x, i, all) => all.indexOf(x) === i).flatMap((action) => t.tact.decide.state.counts.delays.held(action).map((x) => [action, x.delayMs]));
      const expected = [[picked(a)[0], 0], [picked(b)[0], 0]].sort();
      expect(held(h).sort()).toEqual(expected);
      // A start reads them from the log.
      const again = await harness('sqlite', { store: h.store, config: shopConfig() });
      try {
        expect(held(again).sort()).toEqual(expected);
      } finally {
        await again.tact.close();
      }
    } finally {
      await h.close();
    }
  });
});
