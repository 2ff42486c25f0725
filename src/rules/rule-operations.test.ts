import { afterEach, describe, expect, it } from 'vitest';
import { get, harness, type Harness } from '../../test/harness.js';
import { putConfig } from '../store/conformance/learn-helpers.js';
import { compileRule, testRule } from './cel.js';
import type { Shape } from './rule-names.js';
import { ruleProblem } from './rule-types.js';

const value = (what: string): Shape => ({ kind: 'value', what });
const scope: Record<string, Shape> = {
  traits: { kind: 'open' },
  features: {
    kind: 'names', noun: 'defined feature', plural: 'features',
    names: { orders: value('a number (a count feature)'), revenue: value('a number (a sum feature)'), last_order: value('a timestamp (a last_seen feature)'), bought: value('a list (a unique feature)'), plan: { kind: 'open' } },
  },
  events: { kind: 'keys', each: { kind: 'names', noun: 'field of an event', plural: 'fields of an event', names: { count: value('a number'), first: value('a timestamp'), last: value('a timestamp') } } },
  now: value('a timestamp'),
  timezone: value('a string'),
  microSegment: value('a number (the index of the micro-segment)'),
};
const check = (expression: string) => ruleProblem(expression, 'audiences[2].when', scope);

/** What the declared variables hold when a rule runs: every number a JavaScript number (a CEL double). */
const vars = {
  traits: { x: 1 },
  features: { orders: 3, revenue: 120.5, last_order: new Date('2026-01-02T03:04:05Z'), bought: ['a', 'b'], plan: 'pro' },
  events: { Signup: { count: 2, first: new Date('2026-01-01T00:00:00Z'), last: new Date('2026-01-02T00:00:00Z') } },
  now: new Date('2026-02-01T00:00:00Z'),
  timezone: 'Europe/Lisbon',
  microSegment: 2,
};

/** Rules whose operation cannot run on what the variables are declared to hold. */
const REFUSED = [
  'features.orders + 1 > 2',
  'features.orders * 2 > 2.0',
  'features.orders - 1 >= 0.0',
  'features.revenue / 2 > 10.0',
  'events.Signup.count + 1 > 2.0',
  'features.orders + size(features.bought) > 0',
  'features.orders % 2 == 0',
  'microSegment % 2 == 1',
  'features.last_order + 1.0 > now',
  'now + now > now',
  'features.bought + features.orders != []',
  '-features.last_order < now',
  '!features.orders',
  'features.orders ? true : false',
  '"a" in features.orders',
  'size(features.revenue) > 0',
  'features.revenue.size() > 0',
  'size(features.last_order) > 0',
  'features.orders.contains("a")',
  'timezone.contains(features.orders)',
  'features.orders.startsWith("1")',
  'features.orders.matches("^1$")',
  'features.orders.getHours() > 3',
  'features.last_order.getDayOfWeek(features.orders) == 1',
  'features.orders.exists(x, x > 1.0)',
  'duration(features.orders) > duration("1h")',
  'timestamp(features.orders) > now',
  'int(features.last_order) > 0',
  'double(features.last_order) > 0.0',
  'string(features.last_order) == "x"',
  'features.orders + 1.0 > 2.0 && size(features.revenue) > 0',
];

/** Rules whose operations run: numbers of one kind, conversions, time arithmetic, values from data. */
const TAKEN = [
  'features.orders + 1.0 > 2',
  'features.orders * 2.0 > features.revenue / 3.0',
  '-features.orders < -1.0',
  'int(features.orders) % 2 == 0',
  'int(features.orders) + 1 > 2',
  'double(features.orders) + 1.0 > 2.0',
  'string(features.orders) == "3"',
  'size(features.bought) > 0 && features.bought.size() > 1 && "a" in features.bought',
  'features.bought + ["c"] != []',
  'features.bought.exists(p, p == "a")',
  'now - features.last_order > duration("24h") && features.last_order + duration("1h") < now',
  'features.last_order.getHours() >= 0 && features.last_order.getDayOfWeek(timezone) >= 0',
  'timezone.startsWith("Europe/") && timezone.contains("Lis") && timezone.matches("^Europe/")',
  'size(timezone) > 0',
  'traits.x + 1.0 > 0.0 && features.plan + "x" != ""',
  '[{"orders": 1}].exists(features, features.orders + 1 > 1)',
  'cel.bind(microSegment, 1, microSegment % 2 == 1)',
];

describe('an operation on a value of a declared type that cannot run', () => {
  it('fails for every subject when it runs (why it is refused), and CEL\'s own check passes it', () => {
    for (const e of REFUSED) {
      expect(testRule(compileRule(e), vars).error, e).toMatch(/no such overload|no matching overload|cannot be range|must be bool/);
      expect(() => compileRule(e, 'audiences[2].when', { authoring: true }), e).not.toThrow();
    }
  });

  it('is refused, naming the rule, the value and what it holds, with the hint for numbers', () => {
    expect(check('features.orders + 1 > 2')).toBe('The rule in `audiences[2].when` computes `features.orders + 1` from `features.orders`, a number (a count feature), a double, and `1`, an int: CEL does not mix a double and an int in arithmetic, so it would fail for every subject (numbers from data are doubles: write `1.0`, not `1`).');
    expect(check('features.orders * 2 > 2.0')).toMatch(/^The rule in `audiences\[2\]\.when` computes `features\.orders \* 2` from .*\(numbers from data are doubles: write `1\.0`, not `1`\)\.$/);
    expect(check('size(features.revenue) > 0')).toBe('The rule in `audiences[2].when` calls `size` on `features.revenue`, a number (a sum feature): `size` takes a string, bytes, a list or a map, so `size(features.revenue)` would fail for every subject.');
    expect(check('features.orders % 2 == 0')).toMatch(/CEL has no `%` for doubles, so it would fail for every subject\. Write `int\(features\.orders\) % 2`\.$/);
    expect(check('features.last_order + 1.0 > now')).toMatch(/from `features\.last_order`, a timestamp \(a last_seen feature\), and `1\.0`, a number: CEL has no `\+` for a timestamp and a number/);
    expect(check('"a".contains(features.orders)')).toMatch(/passes `features\.orders`, a number \(a count feature\), to `contains`: it takes a string/);
    for (const e of REFUSED) expect(check(e), e).toMatch(/^The rule in `audiences\[2\]\.when` /);
  });

  it('takes an operation that runs, and one on values from data', () => {
    for (const e of TAKEN) {
      expect(check(e), e).toBeUndefined();
      expect(testRule(compileRule(e), vars), e).toEqual({ pass: expect.any(Boolean) });
    }
  });

  it('says "for every event" in a feature\'s `where`', () => {
    expect(ruleProblem('size(event) > 0 && event + 1 == "x"', 'features[0].where', { event: value('a string (the track event name)') }, 'event')).toMatch(/CEL has no `\+` for a string and a number, so it would fail for every event\.$/);
  });
});

describe('a segment rule with arithmetic that cannot run, written through the API', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('is a 400 naming each rule, and nothing is stored', async () => {
    h = await harness('sqlite', { config: { features: [{ name: 'orders', kind: 'count', event: 'Order Completed' }, { name: 'revenue', kind: 'sum', event: 'Order Completed', property: 'revenue' }] } });
    const r = await putConfig(h, 'segments', {
      audiences: [
        { name: 'int_add', when: 'features.orders + 1 > 2' },
        { name: 'int_mul', when: 'features.orders * 2 > 2.0' },
        { name: 'size_num', when: 'size(features.revenue) > 0' },
        { name: 'fine', when: 'features.orders + 1.0 > 2.0 && int(features.orders) % 2 == 0' },
      ],
    });
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().problems).toEqual([
      { field: 'audiences[0].when', message: expect.stringMatching(/^The rule in `audiences\[0\]\.when` computes `features\.orders \+ 1`.*write `1\.0`, not `1`\)\.$/) },
      { field: 'audiences[1].when', message: expect.stringMatching(/^The rule in `audiences\[1\]\.when` computes `features\.orders \* 2`/) },
      { field: 'audiences[2].when', message: expect.stringMatching(/^The rule in `audiences\[2\]\.when` calls `size` on `features\.revenue`/) },
    ]);
    expect((await get(h.app, '/v1/segments')).json().segments).toEqual([]);
  });
});
