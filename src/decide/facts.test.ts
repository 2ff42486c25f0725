import { describe, expect, it } from 'vitest';
import { factPaths } from './facts.js';

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
