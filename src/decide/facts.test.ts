import { describe, expect, it } from 'vitest';
import { testRule } from '../rules/cel.js';
import { actionClass, factPaths, makeCheck } from './facts.js';

describe('the facts a rule reads', () => {
  it('finds events named with a dot, by membership, and variables read whole', () => {
    expect(factPaths('events.Signup.count >= 1.0')).toEqual(['events.Signup']);
    expect(factPaths('"Ticket Opened" in events && !("plan" in traits)')).toEqual(['events.Ticket Opened', 'traits.plan']);
    expect(factPaths('size(traits) > 2 || events.exists(e, e.startsWith("Order"))')).toEqual(['traits', 'events']);
    expect(factPaths('traits[context.key] == "x"')).toEqual(['traits', 'context.key']);
    expect(factPaths('has(traits.address.city) && timezone == "UTC"')).toEqual(['traits.address', 'timezone']);
  });

  it('does not take an action\'s fields or a string for facts of the subject', () => {
    expect(factPaths('action.properties.traits == "features.orders"')).toEqual([]);
  });
});

describe('the classes of actions that share a rule\'s result', () => {
  // Two actions share a class only when the rule gives both the same result: checked against the
  // rule evaluated for each action on its own.
  const sharedRightly = (expression: string, actions: object[]) => {
    const check = makeCheck('r', expression);
    // classified once up front, as the rulebook does, then asked as a decision asks
    for (const a of actions) actionClass(check, a);
    const classes = actions.map((a) => actionClass(check, a));
    for (let i = 0; i < actions.length; i++) {
      for (let j = i + 1; j < actions.length; j++) {
        if (classes[i] === undefined || classes[i] !== classes[j]) continue;
        const [a, b] = [testRule(check.run, { action: actions[i] }), testRule(check.run, { action: actions[j] })];
        expect(b, `${JSON.stringify(actions[i])} and ${JSON.stringify(actions[j])} share a class`).toEqual(a);
      }
    }
    return classes;
  };

  it('tells a missing key from a missing parent: `has()` holds of one and errors on the other', () => {
    const actions = [{ properties: { spec: {} } }, { properties: {} }, { properties: { spec: {} } }, { properties: {} }];
    expect(testRule(makeCheck('r', '!has(action.properties.spec.size)').run, { action: actions[0] })).toEqual({ pass: true });
    expect(testRule(makeCheck('r', '!has(action.properties.spec.size)').run, { action: actions[1] })).toEqual({ pass: false, error: 'No such key: spec' });
    const classes = sharedRightly('!has(action.properties.spec.size)', actions);
    expect(classes[0]).toBe(classes[2]);
    expect(classes[1]).toBe(classes[3]);
    expect(classes[0]).not.toBe(classes[1]);
  });

  it('tells apart parents that are not maps, and a string that looks like the absent marker', () => {
    const actions = [{ properties: { spec: 5 } }, { properties: { spec: null } }, { properties: { spec: {} } }, { properties: {} }, { properties: { spec: { size: '\u0000absent' } } }, { properties: { spec: { size: '\u0000absent' } } }];
    sharedRightly('action.properties.spec.size == "\u0000absent"', [...actions, ...actions]);
    sharedRightly('!has(action.properties.spec.size)', [...actions, ...actions]);
  });
});
