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

  it('refuses a plan that is no object, saying what it was: one sent as JSON text is told to send the object itself (QA: the message asked for an object with `events`)', () => {
    const text = JSON.stringify({ events: { 'Order Completed': {} } });
    expect(checkTrackingPlan(text)).toEqual([{ field: 'trackingPlan', message: 'The tracking plan must be a JSON object with `events` (and optionally `unplanned`, `identify`, `group`), not a string: it was "{\\"events\\":{\\"Order Completed\\":{}}}" (a string). Send the object itself, not JSON text holding it.' }]);
    expect(checkTrackingPlan([{ events: {} }])).toEqual([{ field: 'trackingPlan', message: 'The tracking plan must be a JSON object with `events` (and optionally `unplanned`, `identify`, `group`); it was an array.' }]);
    expect(checkTrackingPlan(5)[0].message).toMatch(/; it was 5 \(a number\)\.$/);
  });

  it('names the property and the rule it broke', () => {
    const r = plan.check(track('Order Completed', { revenue: -1, currency: 'XXX' }));
    expect(r.blocked).toBe(false);
    expect(r.violations.map((v) => `${v.property}/${v.rule}`).sort()).toEqual(['currency/enum', 'order_id/required', 'revenue/minimum']);
  });

  it('blocks unplanned events when the plan says so', () => {
    expect(plan.check(track('Whatever', {}))).toMatchObject({ blocked: true, violations: [{ property: '(event)', rule: 'unplanned' }] });
  });

  it('checks group traits against the plan\'s `group` schema, naming the field from the message', () => {
    const p = compilePlan({ group: { block: true, properties: { type: 'object', required: ['plan'], properties: { employees: { type: 'integer' } } } } });
    const m: Message = { messageId: 'g', type: 'group', userId: 'u', groupId: 'acme', traits: { employees: 'many' }, context: {}, timestamp: 0, receivedAt: 0 };
    const r = p.check(m);
    expect(r.blocked).toBe(true);
    expect(r.violations.map((v) => [v.event, v.property, v.rule, v.field])).toEqual([['group', 'plan', 'required', 'traits.plan'], ['group', 'employees', 'type', 'traits.employees']]);
    expect(p.check({ ...m, traits: { plan: 'pro', employees: 40 } })).toEqual({ violations: [], blocked: false });
    expect(p.names('group')).toBe(true);
    expect(checkTrackingPlan({ group: [] })).toEqual([{ field: 'group', message: 'The `group` property must be an object with `properties` (a JSON Schema of the group traits) and optionally `block`.' }]);
    expect(checkTrackingPlan({ group: { properties: { type: 'object', properties: { plan: { type: 'strnig' } } } } }).map((x) => x.field)).toEqual(['group.properties']);
  });

  it('checks the account traits an identify\'s `company` writes against the group schema, and leaves the member\'s `role` to it (QA 2026-12-06)', () => {
    const schema = { type: 'object', additionalProperties: false, required: ['name'], properties: { name: { type: 'string' }, employees: { type: 'integer', minimum: 1 } } };
    const p = compilePlan({ group: { block: true, properties: schema } });
    const identify = (company: Record<string, unknown>): Message => ({ messageId: 'i', type: 'identify', userId: 'u', traits: { email: 'a@b.c', company }, context: {}, timestamp: 0, receivedAt: 0 });
    // What a group call is refused for, an identify's company was written with (200, no violation).
    const r = p.check(identify({ id: 'rbco', name: 7, employees: -3, junk: 'x' }));
    expect(r.blocked).toBe(true);
    expect(r.violations.map((v) => [v.event, v.property, v.rule, v.field]).sort()).toEqual([
      ['group', '*', 'additionalProperties', 'traits.company.junk'], ['group', 'employees', 'minimum', 'traits.company.employees'], ['group', 'name', 'type', 'traits.company.name'],
    ]);
    // Its id names the account and its role is the member's: neither is an account trait.
    expect(p.check(identify({ id: 'rbco', name: 'RB', employees: 3, role: 'admin' }))).toEqual({ violations: [], blocked: false });
    // A company without an id makes no account: nothing to check.
    expect(p.check(identify({ name: 7 }))).toEqual({ violations: [], blocked: false });
    // A group call's `role` (the docs' way to send a member's role) is not refused by a strict schema of the account's traits…
    const group = (traits: Record<string, unknown>): Message => ({ messageId: 'g', type: 'group', userId: 'u', groupId: 'k', traits, context: {}, timestamp: 0, receivedAt: 0 });
    expect(p.check(group({ name: 'K Co', role: 'admin' }))).toEqual({ violations: [], blocked: false });
    // …unless the schema names `role`, which then checks it.
    const withRole = compilePlan({ group: { block: true, properties: { ...schema, properties: { ...schema.properties, role: { enum: ['admin', 'member'] } } } } });
    expect(withRole.check(group({ name: 'K Co', role: 'owner' })).violations.map((v) => [v.property, v.rule])).toEqual([['role', 'enum']]);
  });

  it('checks identify traits', () => {
    const m: Message = { messageId: 'i', type: 'identify', userId: 'u', traits: { email: 'not-an-email' }, context: {}, timestamp: 0, receivedAt: 0 };
    expect(plan.check(m)).toMatchObject({ blocked: true, violations: [{ event: 'identify', property: 'email', rule: 'format' }] });
  });

  it('passes everything when there is no plan', () => {
    expect(compilePlan({}).check(track('Anything', { x: 1 }))).toEqual({ violations: [], blocked: false });
  });

  it('counts a `context.timezone` the runtime does not know on every call, with or without a plan, and blocks nothing', () => {
    const withZone = (m: Message, timezone: unknown): Message => ({ ...m, context: { timezone } });
    const rows = (p: ReturnType<typeof compilePlan>, m: Message) => p.check(m).violations.filter((v) => v.rule === 'timezone').map((v) => [v.event, v.property, v.field]);
    const none = compilePlan({});
    expect(rows(none, withZone(track('Viewed', {}), 'Mars/Olympus'))).toEqual([['Viewed', 'context.timezone', 'context.timezone']]);
    const page: Message = { messageId: 'p', type: 'page', userId: 'u', context: {}, timestamp: 0, receivedAt: 0 };
    expect(rows(none, withZone(page, 'EST5EDT-bad'))).toEqual([['page', 'context.timezone', 'context.timezone']]);
    expect(rows(none, withZone(page, 7))).toEqual([['page', 'context.timezone', 'context.timezone']]);
    for (const fine of ['Europe/Paris', 'UTC', null, undefined]) expect(none.check(withZone(page, fine))).toEqual({ violations: [], blocked: false });
    // Beside the plan's own rows; the message is blocked only for those.
    const r = plan.check(withZone(track('Order Completed', { order_id: 1, revenue: -1 }), 'Mars/Olympus'));
    expect([r.blocked, r.violations.map((v) => `${v.property}/${v.rule}`)]).toEqual([false, ['revenue/minimum', 'context.timezone/timezone']]);
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

  it('refuses an event name no track call can carry (white space at either end, or none at all), naming it', () => {
    // normalize.ts stores a track call's `event` trimmed, so "Order Completed " in the plan matched
    // no message: under `unplanned: block` every "Order Completed" was refused as unplanned.
    const p = checkTrackingPlan({ unplanned: 'block', events: { 'Order Completed ': { properties: { type: 'object' } }, ' ': {}, 'Signed Up': {} } });
    expect(p.map((x) => x.field)).toEqual(['events.Order Completed ', 'events. ']);
    expect(p[0].message).toBe('The event name "Order Completed " has white space at its start or end, which Tact removes from a track call\'s `event`, so no message would match it; write it "Order Completed".');
    expect(p[1].message).toBe('The event name " " is blank; a track call\'s `event` must name what the user did.');
    // A plan stored before this check still matches the events it meant.
    const stored = compilePlan({ unplanned: 'block', events: { 'Order Completed ': { properties: { type: 'object', required: ['revenue'] } } } });
    expect(stored.check(track('Order Completed', {})).violations.map((v) => `${v.event}/${v.property}/${v.rule}`)).toEqual(['Order Completed/revenue/required']);
    expect(stored.names('Order Completed')).toBe(true);
  });

  it('counts a property\'s broken rule once per message, and names a property holding "/" or "~" as it is spelled', () => {
    // Ajv reports `type` once for each branch of an anyOf (Ajv docs, "Error objects"); instancePath
    // is a JSON Pointer (RFC 6901 §3: "~1" is "/", "~0" is "~").
    const p = compilePlan({ events: { E: { properties: { type: 'object', properties: { x: { anyOf: [{ type: 'string' }, { type: 'null' }] }, 'a/b': { type: 'number' }, 'c~d': { type: 'number' } } } } } });
    const v = p.check(track('E', { x: 1, 'a/b': 'z', 'c~d': 'z' })).violations;
    expect(v.map((x) => `${x.property}:${x.rule}`)).toEqual(['x:type', 'x:anyOf', 'a/b:type', 'c~d:type']);
  });

  it('tells a key holding a dot from a key inside another: `["a.b"]` is the key "a.b", `a.b` is b inside a', () => {
    // Ajv's instancePath keeps them apart (/a.b and /a/b, a JSON Pointer); until 2026-12-05 both were
    // counted, and named, as `a.b`: one row for two properties, the schema of one seemingly broken by the other.
    const p = compilePlan({ events: { E: { properties: { type: 'object', required: ['a.b'], properties: { 'a.b': { type: 'number' }, a: { type: 'object', required: ['b'], properties: { b: { type: 'number' } } } } } } } });
    const flat = p.check(track('E', { 'a.b': 'x', a: { b: 1 } })).violations;
    expect(flat.map((x) => [x.property, x.rule, x.field, x.detail])).toEqual([['["a.b"]', 'type', 'properties["a.b"]', '`["a.b"]` must be number']]);
    const nested = p.check(track('E', { 'a.b': 1, a: { b: 'x' } })).violations;
    expect(nested.map((x) => [x.property, x.rule, x.field])).toEqual([['a.b', 'type', 'properties.a.b']]);
    // Both missing: two rows, not one.
    const missing = p.check(track('E', { a: {} })).violations;
    expect(missing.map((x) => [x.property, x.field])).toEqual([['["a.b"]', 'properties["a.b"]'], ['a.b', 'properties.a.b']]);
    // A key named `*` is not the `*` that counts the keys a schema does not name.
    const star = compilePlan({ events: { E: { properties: { type: 'object', additionalProperties: false, properties: { '*': { type: 'string' }, x: { type: 'object', properties: { 'y.z': { type: 'number' } } } } } } } });
    const s = star.check(track('E', { '*': 1, coupon: 'c', x: { 'y.z': 'q' } })).violations;
    expect(s.map((x) => [x.property, x.field]).sort()).toEqual([['*', 'properties.coupon'], ['["*"]', 'properties["*"]'], ['x["y.z"]', 'properties.x["y.z"]']]);
  });
});

describe('tracking plan: schemas that would check nothing', () => {
  it('checks a schema marked `$async` as it checks any other, and refuses the marker', () => {
    // Ajv compiles a `$async` schema to a function that answers a Promise (Ajv docs, "Asynchronous
    // validation"): it is truthy, so every message passed, and a broken one rejected it unhandled.
    const plan = { events: { X: { properties: { $async: true, type: 'object', required: ['a'] } } } };
    expect(checkTrackingPlan(plan).map((x) => x.field)).toEqual(['events.X.properties.$async']);
    const r = compilePlan(plan).check(track('X', {}));
    expect(r.violations.map((v) => `${v.property}/${v.rule}`)).toEqual(['a/required']);
  });

  it('refuses a keyword JSON Schema does not have, naming where it is and what it is likely to be', () => {
    // With `strict: false` Ajv ignores an unknown keyword: `requird` checked nothing, and saved.
    const p = checkTrackingPlan({ events: { Signed: { properties: { type: 'object', requird: ['email'], properties: { requird: { type: 'string' }, age: { type: 'number', minimun: 18 } } } } } });
    expect(p.map((x) => x.field)).toEqual(['events.Signed.properties.requird', 'events.Signed.properties.properties.age.minimun']);
    expect(p[0].message).toMatch(/`requird` is not a JSON Schema keyword.*Did you mean `required`\?/);
    expect(p[1].message).toMatch(/Did you mean `minimum`\?/);
  });

  it('refuses a keyword Ajv would ignore where it stands, and takes annotations', () => {
    expect(checkTrackingPlan({ events: { X: { properties: { type: 'object', then: { required: ['a'] } } } } }).map((x) => [x.field, x.message])).toEqual([
      ['events.X.properties', expect.stringMatching(/"then" without "if" is ignored/)],
    ]);
    const annotated = { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', title: 't', description: 'd', $comment: 'c', examples: [{}], default: {}, 'x-owner': 'growth', properties: { a: { type: 'string', readOnly: true, deprecated: true } } };
    expect(checkTrackingPlan({ identify: { properties: annotated } })).toEqual([]);
  });
});

describe('tracking plan: violations', () => {
  const plan = compilePlan({ events: { Order: { properties: {
    type: 'object', additionalProperties: false,
    properties: { products: { type: 'array', items: { type: 'object', required: ['sku'], properties: { price: { type: 'number' } } } }, sizes: { type: 'object', additionalProperties: { type: 'number' } } },
  } } } });

  it('counts a property of every item of a list as one property, and names the item that broke it', () => {
    // Counted per index, `products.0.price`, `products.1.price` … were as many properties as the
    // longest list, and none of them said how many messages sent a bad price.
    const v = plan.check(track('Order', { products: [{ sku: 'a', price: 'x' }, { price: 'y' }, { sku: 'c', price: 'z' }], sizes: { 42: 'big' } })).violations;
    // `sizes` is a map (its keys are the client's): its key counts as `*`, as every other would.
    expect(v.map((x) => `${x.property}:${x.rule}`)).toEqual(['products[].price:type', 'products[].sku:required', 'sizes.*:type']);
    expect(v[0].detail).toMatch(/`products\[0\]\.price`/);
    expect(v[1].detail).toMatch(/`products\[1\]\.sku`/);
  });

  it('counts every key a client invents, where the plan names none, as one property `*`, and names the key in the detail', () => {
    // One row per invented key was a new permanent row for every key any client ever made up
    // (a session id as a key, a typo per release): the table grew without bound.
    const p = compilePlan({ events: { E: { properties: {
      type: 'object', additionalProperties: false,
      definitions: { price: { type: 'object', additionalProperties: false, properties: { amount: { type: 'number' } } } },
      properties: {
        items: { type: 'array', items: { type: 'object', additionalProperties: false, properties: { sku: {} } } },
        prices: { type: 'object', additionalProperties: { $ref: '#/definitions/price' } },
        codes: { type: 'object', properties: { 42: { type: 'number' } }, patternProperties: { '^x-': { type: 'number' } } },
        sizes: {},
      },
    } } } });
    const rows = (props: Record<string, unknown>) => p.check(track('E', props)).violations.map((x) => `${x.property}:${x.rule}`);
    expect(rows({ coupon: 1 })).toEqual(['*:additionalProperties']);
    expect(rows({ session_8f3a: 1 })).toEqual(['*:additionalProperties']);
    expect(rows({ items: [{ sku: 'a', colour: 'red' }] })).toEqual(['items[].*:additionalProperties']);
    expect(rows({ prices: { eur: { amount: 'x', note: 1 }, usd: { amount: 'y' } } })).toEqual(['prices.*.*:additionalProperties', 'prices.*.amount:type']);
    // A key the schema names stays a key, digits or not; one a pattern admits is the client's.
    expect(rows({ codes: { 42: 'a', 'x-a': 'b', 'x-b': 'c' } })).toEqual(['codes.42:type', 'codes.*:type']);
    const v = p.check(track('E', { items: [{ sku: 'a' }, { sku: 'b', colour: 'red' }] })).violations;
    expect(v[0].detail).toBe('`items[1].colour` is not a property the tracking plan allows here');
  });

  it('says where in the message each violation is, as sent, for the answer to a blocked message', () => {
    // A 400 names the field from the message's root, as every other problem does (`properties.items[0].note`
    // for a NUL): the counted row (`products[].price`, `*`, `(event)`) does not say where it is.
    const v = plan.check(track('Order', { products: [{ sku: 'a' }, { sku: 'b', price: 'x' }], coupon: 'X' })).violations;
    expect(v.map((x) => [x.property, x.field])).toEqual([['*', 'properties.coupon'], ['products[].price', 'properties.products[1].price']]);
    expect(plan.check(track('Order', { products: [{}] })).violations.map((x) => x.field)).toEqual(['properties.products[0].sku']);
    const r = compilePlan({ unplanned: 'block', events: { E: { properties: { type: 'object', minProperties: 1 } } }, identify: { properties: { type: 'object', required: ['email'] } } });
    expect(r.check(track('E', {})).violations.map((x) => x.field)).toEqual(['properties']);
    expect(r.check(track('Other', {})).violations.map((x) => x.field)).toEqual(['event']);
    const identify: Message = { messageId: 'i', type: 'identify', userId: 'u', context: {}, timestamp: 0, receivedAt: 0 };
    expect(r.check(identify).violations.map((x) => x.field)).toEqual(['traits.email']);
  });

  it('says what is wrong in a sentence that reads: missing, not allowed, unplanned', () => {
    const r = compilePlan({ unplanned: 'block', events: { Order: { properties: { type: 'object', required: ['order_id'], additionalProperties: false, properties: { order_id: {} } } } } });
    const v = r.check(track('Order', { coupon: 'X' })).violations;
    expect(v.map((x) => x.detail)).toEqual(['`order_id` is required and was not sent', '`coupon` is not a property the tracking plan allows here']);
    // The error catalogue ends the sentence: a detail ending in "." read "… the tracking plan..".
    expect(r.check(track('Other', {})).violations[0].detail).toBe('The event "Other" is not in the tracking plan');
  });
});
