import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KEYS, get, harness, send, type Harness } from '../../../test/harness.js';
import { shopConfig } from '../fixtures.js';
import { advertising, decideReq, post } from '../test-http.js';

describe('outcomes that do not fit their decision', () => {
  let h: Harness;
  let ana: { decisionId: string; choices: { action: string }[] };
  beforeEach(async () => {
    h = await harness('sqlite', { config: shopConfig() });
    await send(h.app, '/v1/identify', { userId: 'ana', context: advertising });
    await send(h.app, '/v1/identify', { userId: 'bo', context: advertising });
    ana = (await decideReq(h.app, { subject: 'ana', placement: 'home' })).json();
  });
  afterEach(async () => h.close());
  const outcomesOf = async (id: string) => (await get(h.app, `/v1/decisions/${id}`)).json().outcomes as { id: string }[];

  it('refuses an outcome of another subject\'s decision, naming the decisionId', async () => {
    const r = await post(h.app, '/v1/outcomes', { decisionId: ana.decisionId, subject: 'bo', type: 'conversion', value: 10, messageId: 'o-bo' });
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().problems[0].field).toBe('decisionId');
    expect(await outcomesOf(ana.decisionId)).toEqual([]);
    // the subject's own decision, named with the subject, is taken
    expect((await post(h.app, '/v1/outcomes', { decisionId: ana.decisionId, subject: 'ana', type: 'click', messageId: 'o-ana' })).json().recorded[0].decisionId).toBe(ana.decisionId);
    // and so is one decided for while the subject was an anonymous visitor, since identified
    const seen = (await decideReq(h.app, { subject: 'v-9', placement: 'home' })).json();
    await send(h.app, '/v1/identify', { userId: 'cy', anonymousId: 'v-9', context: advertising });
    const later = await post(h.app, '/v1/outcomes', { decisionId: seen.decisionId, subject: 'cy', type: 'click', messageId: 'o-cy' });
    expect(later.json().recorded?.[0]?.decisionId, later.body).toBe(seen.decisionId);
  });

  it('refuses an action the decision did not choose, naming the action', async () => {
    const r = await post(h.app, '/v1/outcomes', { decisionId: ana.decisionId, action: 'loan-offer', type: 'click', messageId: 'o-loan' });
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().problems[0].field).toBe('action');
    expect(await outcomesOf(ana.decisionId)).toEqual([]);
  });

  it('refuses an outcome timestamped well before its decision, naming the timestamp; a few minutes before is another clock\'s skew, taken at the decision', async () => {
    const at = Date.parse((await get(h.app, `/v1/decisions/${ana.decisionId}`)).json().at);
    const r = await post(h.app, '/v1/outcomes', { decisionId: ana.decisionId, type: 'click', messageId: 'o-early', timestamp: new Date(at - 5 * 60_000 - 1).toISOString() });
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().problems[0].field).toBe('timestamp');
    const skewed = await post(h.app, '/v1/outcomes', { decisionId: ana.decisionId, type: 'click', messageId: 'o-skewed', timestamp: new Date(at - 5 * 60_000).toISOString() });
    expect(skewed.statusCode, skewed.body).toBe(200);
    expect(skewed.json().recorded.map((o: { decisionId: string; at: string }) => [o.decisionId, Date.parse(o.at)])).toEqual([[ana.decisionId, at]]);
  });

  it('refuses an outcome timestamped more than a day ahead of the server\'s clock, naming the timestamp, as a tracked event is', async () => {
    // A wrong clock's dismissal dated years ahead would count towards suppression for years, and outlive the retention.
    const r = await post(h.app, '/v1/outcomes', { subject: 'ana', action: 'shoes-offer', type: 'dismissal', messageId: 'o-ahead', timestamp: '2999-01-01T00:00:00Z' });
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().problems[0]).toMatchObject({ field: 'timestamp' });
    expect(r.json().problems[0].message).toContain('24 hours');
    const nextDay = await post(h.app, '/v1/outcomes', { decisionId: ana.decisionId, type: 'dismissal', messageId: 'o-next-day', timestamp: new Date(Date.now() + 25 * 3600_000).toISOString() });
    expect(nextDay.statusCode, nextDay.body).toBe(400);
    expect(await outcomesOf(ana.decisionId)).toEqual([]);
    // A client writing its local time as UTC (hours ahead) is still taken.
    const local = await post(h.app, '/v1/outcomes', { decisionId: ana.decisionId, type: 'click', messageId: 'o-local', timestamp: new Date(Date.now() + 14 * 3600_000).toISOString() });
    expect(local.statusCode, local.body).toBe(200);
  });

  it('refuses an empty `decisionId` or `action` instead of reading it as absent, naming the field', async () => {
    // Read as absent, an empty decisionId (a template with nothing in it) credited the subject's latest decision, and an empty action the top choice.
    for (const [body, field] of [
      [{ decisionId: '', subject: 'ana', type: 'click', messageId: 'o-no-id' }, 'decisionId'],
      [{ decisionId: ana.decisionId, action: '', type: 'click', messageId: 'o-no-action' }, 'action'],
    ] as const) {
      const r = await post(h.app, '/v1/outcomes', body);
      expect(r.statusCode, r.body).toBe(400);
      expect(r.json().problems[0].field).toBe(field);
    }
    expect(await outcomesOf(ana.decisionId)).toEqual([]);
  });

  it('refuses a type, action or item longer than any id, and a value beyond ±1e15, naming the field (a 100,000-character type was stored; 1e308 overflowed the totals)', async () => {
    const long = 'x'.repeat(100_000);
    for (const [field, body] of [
      ['type', { type: long }],
      ['action', { type: 'click', action: long }],
      ['item', { type: 'click', item: long }],
      ['value', { type: 'conversion', value: 1e308 }],
      ['value', { type: 'conversion', value: -1e308 }],
    ] as const) {
      const r = await post(h.app, '/v1/outcomes', { decisionId: ana.decisionId, ...body });
      expect(r.statusCode, `${field}: ${r.body.slice(0, 200)}`).toBe(400);
      expect(r.json().problems.map((p: { field: string }) => p.field)).toContain(field);
    }
    expect(await outcomesOf(ana.decisionId)).toEqual([]);
    // Ordinary revenue is taken.
    expect((await post(h.app, '/v1/outcomes', { decisionId: ana.decisionId, type: 'conversion', value: 1_250_000.5 })).statusCode).toBe(200);
  });

  it('records an outcome posted twice at once (a client retrying) once, and says the other is a duplicate', async () => {
    const body = { decisionId: ana.decisionId, type: 'conversion', value: 7, messageId: 'o-twice' };
    const answers = (await Promise.all([post(h.app, '/v1/outcomes', body), post(h.app, '/v1/outcomes', body, KEYS.write)])).map((r) => r.json());
    expect(answers.map((a) => a.duplicate).sort()).toEqual([false, true]);
    // The duplicate is answered with what the first stored: the same record, written once. The
    // browser's answer (the write key, answers[1]) leaves out the profile's internal id.
    const [first, second] = answers[0].duplicate ? [answers[1], answers[0]] : answers;
    expect(first.recorded).toHaveLength(1);
    expect(answers[1].recorded[0]).not.toHaveProperty('profileKey');
    const withoutKey = (r: Record<string, unknown>[]) => r.map(({ profileKey: _key, ...x }) => x);
    expect(withoutKey(second.recorded)).toEqual(withoutKey(first.recorded));
    expect(await outcomesOf(ana.decisionId)).toHaveLength(1);
  });

  it('credits a purchase naming another subject\'s decision to the buyer\'s own decisions, not to the other\'s', async () => {
    const bo = (await decideReq(h.app, { subject: 'bo', placement: 'home' })).json();
    await send(h.app, '/v1/track', { userId: 'ana', event: 'Order Completed', messageId: 'order-fwd', properties: { revenue: 99, decision_id: bo.decisionId } });
    await h.tact.consumers.runAll();
    expect(await outcomesOf(bo.decisionId)).toEqual([]);
    expect((await outcomesOf(ana.decisionId)).map((o) => o.id)).toEqual(['order-fwd']);
  });
});
