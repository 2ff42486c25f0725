import { describe, expect, it } from 'vitest';
import type { Message } from './message.js';
import { checkTrackingPlan, compilePlan } from './tracking-plan.js';

const track = (event: string, properties: Record<string, unknown>): Message => ({ messageId: 'm', type: 'track', event, properties, context: {}, timestamp: 0, receivedAt: 0 });

describe('tracking plan', () => {
  const plan = compilePlan({
    unplanned: 'block',
    events: { 'Order Completed': { properties: { type: 'object', required: ['order_id'], properties: { revenue: { type: 'number', minimum: 0 }, currency: { enum: ['EUR', 'GBP'] } } } } },
    identify: { block: true, properties: { type: 'object', properties: { email: { type: 'string', format: 'email' } } } },
  });

  it('names the property and the rule it broke', () => {
    const r = plan.check(track('Order Completed', { revenue: -1, currency: 'XXX' }));
    expect(r.blocked).toBe(false);
    expect(r.violations.map((v) => `${v.property}/${v.rule}`).sort()).toEqual(['currency/enum', 'order_id/required', 'revenue/minimum']);
  });

  it('blocks unplanned events when the plan says so', () => {
    expect(plan.check(track('Whatever', {}))).toMatchObject({ blocked: true, violations: [{ property: '(event)', rule: 'unplanned' }] });
  });

  it('checks identify traits', () => {
    const m: Message = { messageId: 'i', type: 'identify', userId: 'u', traits: { email: 'not-an-email' }, context: {}, timestamp: 0, receivedAt: 0 };
    expect(plan.check(m)).toMatchObject({ blocked: true, violations: [{ event: 'identify', property: 'email', rule: 'format' }] });
  });

  it('passes everything when there is no plan', () => {
    expect(compilePlan({}).check(track('Anything', { x: 1 }))).toEqual({ violations: [], blocked: false });
  });

  it('refuses a schema that does not compile, naming the event', () => {
    const p = checkTrackingPlan({ events: { X: { properties: { type: 'no-such-type' } } } });
    expect(p[0].field).toBe('events.X.properties');
  });

  it('refuses a pattern that can take exponential time on what customers send, naming where it is', () => {
    // JavaScript's RegExp backtracks: "(a+)+$" against "aaaa…a!" doubles its work with each "a".
    const p = checkTrackingPlan({ events: { X: { properties: { type: 'object', properties: { code: { type: 'string', pattern: '(a+)+$' } }, patternProperties: { '^(x*)*y$': {} } } } } });
    expect(p.map((x) => x.field)).toEqual(['events.X.properties.properties.code.pattern', 'events.X.properties.patternProperties.^(x*)*y$']);
    expect(p[0].message).toMatch(/repeats a group that itself repeats/);
    expect(checkTrackingPlan({ events: { X: { properties: { type: 'object', properties: { currency: { type: 'string', pattern: '^[A-Z]{3}$' } } } } } })).toEqual([]);
  });

  it('compiles a plan whose schemas carry an `$id` as often as the configuration is loaded', () => {
    // Each load reads the document afresh: a new object with the same `$id` every time.
    const doc = () => ({ events: { A: { properties: { $id: 'order', type: 'object', required: ['x'] } }, B: { properties: { $id: 'order', type: 'object' } } } });
    expect(checkTrackingPlan(doc())).toEqual([]);
    expect(() => compilePlan(doc())).not.toThrow();
    const again = compilePlan(doc());
    expect(again.check(track('A', {})).violations.map((v) => v.rule)).toEqual(['required']);
    expect(checkTrackingPlan(doc())).toEqual([]);
  });

  it('refuses a `format` no validator knows, naming where it is, rather than checking nothing', () => {
    const p = checkTrackingPlan({ events: { Signed: { properties: { type: 'object', properties: { email: { type: 'string', format: 'emial' } } } } } });
    expect(p.map((x) => x.field)).toEqual(['events.Signed.properties']);
    expect(p[0].message).toMatch(/format "emial"/);
  });

  it('refuses a plan whose shape would silently check nothing: events as a list, misspelled keys', () => {
    expect(checkTrackingPlan({ events: [{ properties: { type: 'object' } }] }).map((x) => x.field)).toEqual(['events']);
    expect(checkTrackingPlan({ identify: [] }).map((x) => x.field)).toEqual(['identify']);
    expect(checkTrackingPlan({ evnts: {} }).map((x) => x.field)).toEqual(['evnts']);
    expect(checkTrackingPlan({ events: { X: { blocked: true, schema: { type: 'object' } } } }).map((x) => x.field)).toEqual(['events.X.blocked', 'events.X.schema']);
    expect(checkTrackingPlan({ unplanned: 'block', events: { X: { description: 'd', block: true, properties: { type: 'object' } } }, identify: { properties: { type: 'object' } } })).toEqual([]);
  });

  it('counts a property\'s broken rule once per message, and names a property holding "/" or "~" as it is spelled', () => {
    // Ajv reports `type` once for each branch of an anyOf (Ajv docs, "Error objects"); instancePath
    // is a JSON Pointer (RFC 6901 §3: "~1" is "/", "~0" is "~").
    const p = compilePlan({ events: { E: { properties: { type: 'object', properties: { x: { anyOf: [{ type: 'string' }, { type: 'null' }] }, 'a/b': { type: 'number' }, 'c~d': { type: 'number' } } } } } });
    const v = p.check(track('E', { x: 1, 'a/b': 'z', 'c~d': 'z' })).violations;
    expect(v.map((x) => `${x.property}:${x.rule}`)).toEqual(['x:type', 'x:anyOf', 'a/b:type', 'c~d:type']);
  });
});
