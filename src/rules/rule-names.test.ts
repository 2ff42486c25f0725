import { describe, expect, it } from 'vitest';
import { nameProblem, namesRead, type Shape } from './rule-names.js';

const number = (what: string): Shape => ({ kind: 'value', what });
const scope: Record<string, Shape> = {
  traits: { kind: 'open' },
  features: { kind: 'names', noun: 'defined feature', plural: 'features', names: { orders: number('a number (a count feature)'), purchases: number('a list (a unique feature)'), last_category: { kind: 'open' } } },
  events: { kind: 'keys', each: { kind: 'names', noun: 'field of an event', plural: 'fields of an event', names: { count: number('a number'), first: number('a timestamp'), last: number('a timestamp') } } },
  now: number('a timestamp'),
  consent: { kind: 'keys', each: number('true or false') },
};
const check = (expression: string) => nameProblem(expression, 'audiences[0].when', scope);

describe('names a rule reads under declared variables', () => {
  it('refuses a feature that is not defined, naming the field and the closest defined name', () => {
    expect(check('features.purchses.count > 2')).toBe('The rule in `audiences[0].when` reads `features.purchses`, which is not a defined feature: did you mean `features.purchases`? The features are orders, purchases, last_category.');
    // The forms that would hold for everyone (`!has`) or never, and a quoted key, alike.
    expect(check('!has(features.ordrs)')).toMatch(/reads `features\.ordrs`.*did you mean `features\.orders`\?/);
    expect(check('features["ordes"] == 0.0')).toMatch(/reads `features\.ordes`/);
    // Nothing close: no suggestion, the list only.
    expect(check('features.zzz > 1.0')).toBe('The rule in `audiences[0].when` reads `features.zzz`, which is not a defined feature. The features are orders, purchases, last_category.');
  });

  it('refuses an unknown field of an event, and any field of a value that has none', () => {
    expect(check('events["Order Completed"].cout > 2.0')).toBe('The rule in `audiences[0].when` reads `events["Order Completed"].cout`, which is not a field of an event: did you mean `events["Order Completed"].count`? The fields of an event are count, first, last.');
    expect(check('features.orders.cout > 2.0')).toBe('The rule in `audiences[0].when` reads `features.orders.cout`, but `features.orders` is a number (a count feature), which has no fields.');
    expect(check('now.day == 1')).toMatch(/`now` is a timestamp, which has no fields/);
  });

  it('refuses a variable the rule does not see, suggesting the closest', () => {
    expect(check('feature.orders > 1.0')).toBe('The rule in `audiences[0].when` reads `feature`, which is not a variable this rule sees: did you mean `features`? The variables are traits, features, events, now, consent.');
  });

  it('takes what is defined, free-form traits, computed keys, methods, comprehension variables and CEL type names', () => {
    for (const e of [
      'features.orders >= 2.0 && traits.anything.at.all == "x"',
      'events["Signup"].count > 1.0 && now > events.Signup.last',
      'features.last_category.name == "shoes"',
      'features[traits.key] == 1.0 || "orders" in features',
      'features.purchases.exists(p, p == "a") && features.purchases[0] == "a" && size(features.purchases) > 0',
      '[1, 2].exists(features, features.whatever > 1)',
      'cel.bind(x, features.orders, x.y > 1.0)',
      'type(traits.plan) == string && features.orders.size() > 0',
      '{"a": 1}.a == 1 && features.purchases.all(k, v, v.w)',
    ]) expect(check(e), e).toBeUndefined();
  });

  it('refuses a rule that gives, whole, a value its scope declares is not true or false', () => {
    expect(check('features.orders')).toBe('The rule in `audiences[0].when` gives `features.orders`, a number (a count feature), not true or false: write a comparison such as `features.orders > 0`.');
    expect(check('features["purchases"]')).toBe('The rule in `audiences[0].when` gives `features.purchases`, a list (a unique feature), not true or false: write a test such as `size(features.purchases) > 0`.');
    expect(check('events.Signup.last')).toMatch(/gives `events\.Signup\.last`, a timestamp, not true or false: write a comparison such as `events\.Signup\.last > now - duration\("720h"\)`\.$/);
    expect(check('events["Order Completed"]')).toMatch(/^The rule in `audiences\[0\]\.when` gives `events\["Order Completed"\]`, a map of the fields of an event, not true or false: /);
    expect(check('features')).toMatch(/gives `features`, a map of the features, not true or false/);
    // Both branches of a choice known not to be true or false.
    expect(check('traits.vip ? features.orders : events.Signup.count')).toMatch(/gives `features\.orders`, a number \(a count feature\), not true or false/);
  });

  it('takes a rule whose value may be true or false: declared so, or data', () => {
    for (const e of ['consent.Email', 'traits.vip', 'features.last_category', 'features.last_category.on_sale', 'traits.vip ? features.orders : traits.fallback', 'features[traits.k]']) expect(check(e), e).toBeUndefined();
  });

  it('leaves an expression that does not parse to the parser', () => {
    expect(check('features.nope >')).toBeUndefined();
  });

  it('lists the names read under a variable (what removing a feature would break)', () => {
    expect(namesRead('features.orders > 1.0 && has(features["revenue"]) && features.orders < 9.0 && features[traits.k] == 1', 'features')).toEqual(['orders', 'revenue']);
    expect(namesRead('[1].exists(features, features.x > 0)', 'features')).toEqual([]);
    expect(namesRead('features.orders >', 'features')).toEqual([]);
  });
});
