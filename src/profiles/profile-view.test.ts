import { describe, expect, it } from 'vitest';
import type { Message } from '../collect/message.js';
import { compileRule } from '../rules/cel.js';
import { compileFeature, type FeatureDefinition } from './features/definition.js';
import { applyMessage, newProfileState, type ProfileState } from './profile-state.js';
import { featureViews, ruleVars } from './profile-view.js';

/** `constructor` as a key of a record (`r.constructor` is typed as Object's). */
const CTOR: string = 'constructor';

const msg = (t: number, m: Partial<Message>): Message => ({ messageId: `m${t}`, type: 'track', event: 'Order Completed', properties: {}, context: {}, timestamp: t, receivedAt: t, ...m });
const fold = (ms: Message[], defs: FeatureDefinition[] = []): ProfileState => {
  const s = newProfileState('p', 0);
  for (const m of ms) applyMessage(s, m, defs.map((d) => compileFeature(d)));
  return s;
};

describe('rule variables of a profile with a trait, event or purpose named `constructor`', () => {
  const profile = () => fold([
    msg(1, { type: 'identify', event: undefined, traits: { constructor: 'Ferrari', prototype: 'SF-26', plan: 'pro' }, context: { consent: { categoryPreferences: { constructor: true, Advertising: true } } } }),
    msg(2, { event: 'constructor' }),
    msg(3, { event: 'Signed Up' }),
  ]);

  it('still let rules read the rest (the evaluator fails on any object with its own `constructor` key)', () => {
    for (const s of [profile(), JSON.parse(JSON.stringify(profile())) as ProfileState]) {
      const vars = ruleVars(s, [], 10);
      for (const rule of ['traits.plan == "pro"', 'traits.prototype == "SF-26"', 'consent.Advertising', 'events["Signed Up"].count == 1', '!has(traits.constructor)']) {
        expect(compileRule(rule, 'when')(vars), rule).toBe(true);
      }
    }
  });

  it('are kept on the profile', () => {
    const s = profile();
    expect([s.traits[CTOR], s.events[CTOR]?.n, s.consent[CTOR]?.granted]).toEqual(['Ferrari', 1, true]);
  });
});

describe('a feature as the profile shows it', () => {
  const ids: FeatureDefinition = { name: 'ids', kind: 'unique', event: 'Order Completed', property: 'products[].id' };
  const spend: FeatureDefinition = { name: 'spend', kind: 'mean', event: 'Order Completed', property: 'products[].price' };
  const revenue: FeatureDefinition = { name: 'revenue', kind: 'sum', event: 'Order Completed', property: 'revenue' };
  const orders = [
    msg(1000, { properties: { revenue: 5, products: [{ id: 'a', price: 10 }, { id: 'b', price: 20 }] } }),
    msg(2000, { properties: { revenue: 7, products: [{ id: 'c', price: 30 }] } }),
  ];

  it('counts events, and shows the values of a numeric feature when an event gave several', () => {
    const defs = [ids, spend, revenue];
    const views = featureViews(fold(orders, defs), defs.map((d) => compileFeature(d)), 2000);
    expect(views.ids).toMatchObject({ value: ['a', 'b', 'c'], events: 2 });
    expect(views.ids.values).toBeUndefined();
    expect(views.spend).toMatchObject({ value: 20, events: 2, values: 3 });
    expect(views.revenue).toMatchObject({ value: 12, events: 2 });
    expect(views.revenue.values).toBeUndefined();
  });

  it('shows a state stored before events were counted apart from values with its values as events, as before', () => {
    const f = compileFeature(spend);
    const s = fold([]);
    s.features.spend = { h: f.hash, n: 3, s: 60, lo: 10, hi: 30, t0: 1000, t1: 2000 };
    expect(featureViews(JSON.parse(JSON.stringify(s)) as ProfileState, [f], 2000).spend).toEqual({ value: 20, kind: 'mean', events: 3, firstAt: new Date(1000).toISOString(), lastAt: new Date(2000).toISOString() });
  });
});
