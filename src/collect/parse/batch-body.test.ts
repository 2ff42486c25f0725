import { describe, expect, it } from 'vitest';
import { compileFeature } from '../../profiles/features/definition.js';
import { readBatch } from './batch-body.js';
import { compilePlan } from '../tracking-plan.js';
import { projectionFor, slimMessage, type Projection } from './slim.js';
import { packBatch, unpackBatch } from './wire.js';

const CONTEXT = { ip: '203.0.113.9', page: { path: '/p/1', url: 'https://shop.example.com/p/1' }, userAgent: 'Mozilla/5.0', library: { name: 'analytics.js' }, timezone: 'Europe/London', locale: 'en-GB', consent: { categoryPreferences: { Advertising: false } }, traits: { email: 'ana@example.com' }, externalIds: [{ id: 'c-1', type: 'crm', collection: 'users', encoding: 'none' }] };

describe('reading a batch body', () => {
  it('says why a body cannot be read: empty, not JSON (with the parser\'s reason), no batch list', () => {
    expect(readBatch('', 0)).toEqual({ ok: false, fault: { code: 'invalid_json', detail: 'the body is empty' } });
    const bad = readBatch('{"batch":[', 0);
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.fault.code).toBe('invalid_json');
      expect(bad.fault.code === 'invalid_json' && bad.fault.detail).toMatch(/JSON/);
    }
    const missing = 'The `batch` property is required and must be a list of messages. It was not present on the data you sent.';
    expect(readBatch('{"messages":[]}', 0)).toEqual({ ok: false, fault: { code: 'invalid_batch', problem: { field: 'batch', message: missing } } });
    expect(readBatch('{"batch":null}', 0)).toEqual({ ok: false, fault: { code: 'invalid_batch', problem: { field: 'batch', message: missing } } });
  });

  it('says what a batch body held instead of a `batch` list, rather than that it held nothing', () => {
    // "It was not present" was the answer to `"batch": {…}` and to a bare list of messages too.
    const fault = (text: string) => {
      const r = readBatch(text, 0);
      return r.ok ? undefined : r.fault;
    };
    expect(fault('{"batch":{"type":"track"}}')).toEqual({ code: 'invalid_batch', problem: { field: 'batch', message: 'The `batch` property must be a list of messages; it was an object.' } });
    expect(fault('{"batch":"[]"}')).toEqual({ code: 'invalid_batch', problem: { field: 'batch', message: 'The `batch` property must be a list of messages; it was a string.' } });
    expect(fault('[{"type":"track"}]')).toEqual({ code: 'invalid_batch', problem: { field: 'batch', message: 'A batch body must be a JSON object holding the messages as its `batch` list ({"batch": [ … ]}); it was a list.' } });
    // The batch's context and integrations are merged under each message's: of another type they were
    // dropped without a word, where a message's own is refused naming the field.
    expect(fault('{"batch":[],"context":"web"}')).toEqual({ code: 'invalid_batch', problem: { field: 'context', message: 'The batch\'s `context` must be a JSON object (it is merged under each message\'s own); it was a string.' } });
    expect(fault('{"batch":[],"integrations":[]}')).toEqual({ code: 'invalid_batch', problem: { field: 'integrations', message: 'The batch\'s `integrations` must be a JSON object (it is merged under each message\'s own); it was a list.' } });
    expect(readBatch('{"batch":[],"context":null,"integrations":{"All":true}}', 0).ok).toBe(true);
    // The batch's sentAt stands for messages without their own: QA found a bad one blamed on each such
    // message ("sentAt" rejected on a message that had none) and the batch split, the batch's value never named.
    const sentAt = (v: string) => fault(`{"sentAt":${v},"batch":[{"type":"page","userId":"bs","sentAt":"2026-12-05T11:00:00Z"},{"type":"page","userId":"bs"}]}`);
    expect(sentAt('"garbage"')).toEqual({ code: 'invalid_batch', problem: { field: 'sentAt', message: 'The batch\'s `sentAt` (the time the batch was sent, for messages without their own) must be an ISO-8601 date string such as "2026-11-23T10:00:00.000Z"; it was "garbage".' } });
    expect(sentAt('1e300')).toEqual({ code: 'invalid_batch', problem: { field: 'sentAt', message: 'The batch\'s `sentAt` (the time the batch was sent, for messages without their own) must be a number of milliseconds since 1970 within ±8.64e15 (a Date\'s range), or an ISO-8601 date string such as "2026-11-23T10:00:00.000Z"; it was 1e+300.' } });
    expect(sentAt('{}')?.code).toBe('invalid_batch');
    expect(sentAt('null')).toBeUndefined();
    expect(sentAt('"2026-12-05T11:00:00Z"')).toBeUndefined();
    expect(sentAt('1764932400000')).toBeUndefined();
    expect(fault('null')).toEqual({ code: 'invalid_batch', problem: { field: 'batch', message: 'A batch body must be a JSON object holding the messages as its `batch` list ({"batch": [ … ]}); it was null.' } });
  });

  it('keeps the valid messages with their places and says why each other one was rejected', () => {
    const text = JSON.stringify({ sentAt: '2026-12-01T10:00:05.000Z', context: { library: { name: 'analytics-node' } }, batch: [
      { type: 'track', userId: 'u1', event: 'Signed Up', messageId: 'm1', timestamp: '2026-12-01T10:00:00.000Z' },
      { type: 'track', userId: 'u1' },
      { type: 'identify', anonymousId: 'a1', traits: { plan: 'pro' }, messageId: 'm3' },
    ] });
    const r = readBatch(text, Date.parse('2026-12-01T10:00:06.000Z'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.count).toBe(3);
    expect(r.items.map((i) => i.index)).toEqual([0, 2]);
    // Segment's clock-skew correction with the batch's sentAt, and the batch's context under each message's.
    expect(r.items[0].message.timestamp).toBe(Date.parse('2026-12-01T10:00:01.000Z'));
    expect(r.items[0].message.context).toEqual({ library: { name: 'analytics-node' } });
    expect(JSON.parse(r.items[0].json)).toEqual(r.items[0].message);
    expect(r.rejected).toEqual([{ index: 1, messageId: undefined, problems: [{ field: 'event', message: expect.stringContaining('`event`') }] }]);
  });
});

describe('the projection a parse worker sends', () => {
  const SLIM: Projection = { epoch: 3, wholeContext: false, properties: ['revenue'] };
  const whole = { messageId: 'm', type: 'track' as const, event: 'Order Completed', userId: 'u', anonymousId: 'a', properties: { revenue: 12 }, traits: { plan: 'pro' }, context: CONTEXT, integrations: { All: true }, timestamp: 5, receivedAt: 6, originalTimestamp: '2026-12-01T10:00:00.000Z', sentAt: '2026-12-01T10:00:01.000Z' };

  it('keeps every field the write path reads and drops the context, properties and timestamps it does not', () => {
    const s = slimMessage({ ...whole, properties: { revenue: 12, currency: 'EUR', products: [{ product_id: 'p1' }] } }, SLIM);
    const { integrations: _i, context: _c, originalTimestamp: _o, sentAt: _s, ...rest } = whole;
    expect(s).toEqual({ ...rest, properties: { revenue: 12 }, context: { timezone: 'Europe/London', locale: 'en-GB', consent: CONTEXT.consent, traits: CONTEXT.traits, externalIds: CONTEXT.externalIds } });
    expect(slimMessage(whole, { epoch: 3, wholeContext: true, properties: 'whole' }).context).toBe(whole.context);
  });

  it('crosses threads as strings and comes back as the same messages, slimmed, with the stored JSON whole', () => {
    const text = JSON.stringify({ batch: [{ ...whole, type: 'track' }, { type: 'page', anonymousId: 'a2', context: CONTEXT, messageId: 'p1' }, { type: 'bogus' }] });
    const direct = readBatch(text, 10);
    const back = unpackBatch(structuredClone(packBatch(direct, SLIM)));
    expect(direct.ok && back.ok).toBe(true);
    if (!direct.ok || !back.ok) return;
    expect(back.count).toBe(3);
    expect(back.rejected).toEqual(direct.rejected);
    expect(back.items).toEqual(direct.items.map((i) => ({ index: i.index, json: i.json, message: slimMessage(i.message, SLIM), projected: 3 })));
    expect(unpackBatch(packBatch(readBatch('nope', 1), SLIM))).toEqual(readBatch('nope', 1));
  });

  it('follows the configuration: the features\' property paths, whole context or properties when a rule or the plan reads them', () => {
    const f = (property?: string, where?: string) => compileFeature({ name: 'n', kind: property ? 'unique' : 'count', event: 'Order Completed', property, where });
    const none = compilePlan(undefined);
    expect(projectionFor([f('revenue'), f('products[].product_id'), f()], none, 9)).toEqual({ epoch: 9, wholeContext: false, properties: ['revenue', 'products'] });
    expect(projectionFor([f(undefined, "context.page.path.startsWith('/p/')")], none, 9)).toEqual({ epoch: 9, wholeContext: true, properties: [] });
    expect(projectionFor([f('revenue', 'properties.currency == "EUR"')], none, 9).properties).toBe('whole');
    const plan = compilePlan({ events: { 'Order Completed': { properties: { type: 'object', required: ['order_id'] } } } });
    expect(projectionFor([f('revenue')], plan, 9).properties).toBe('whole');
  });
});
