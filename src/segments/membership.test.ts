import { describe, expect, it } from 'vitest';
import { compileRule } from '../rules/cel.js';
import { admits, estimateVars, membershipChanges, ruleReads } from './membership.js';

const ctx = { at: 5, seq: 9, version: 2, reason: 'event' };

describe('segment membership changes', () => {
  it('enters what the rules now admit and leaves the rest, naming a removed segment as such', () => {
    const out = membershipChanges('p1', ['vip', 'new'], ['new', 'lapsed', 'old'], new Set(['vip', 'new', 'lapsed']), ctx);
    expect(out.map((t) => `${t.kind}:${t.segment}:${t.reason}`)).toEqual(['entry:vip:event', 'exit:lapsed:event', 'exit:old:removed']);
    expect(out[0]).toMatchObject({ profileId: 'p1', at: 5, seq: 9, version: 2 });
  });

  it('changes nothing when membership already matches', () => {
    expect(membershipChanges('p1', ['a'], ['a'], new Set(['a']), ctx)).toEqual([]);
  });

  it('gives rules the estimates by model, unbounded ends as null', () => {
    const e = { value: 0.3, low: -Infinity, high: 0.5, level: 0.9, evidence: 4, source: 'personal' as const, status: 'learning' as const, modelVersion: 'x', updatedAt: 'y' };
    const vars = estimateVars([{ model: 'rate', key: 'email_open', estimate: e }, { model: 'send-time', key: '', estimate: e, detail: { slot: 34 } }, { model: 'baseline', key: 'spend', estimate: { ...e, value: NaN } }]);
    expect(vars).toEqual({
      rates: { email_open: { value: 0.3, low: null, high: 0.5, level: 0.9, evidence: 4, source: 'personal', status: 'learning' } },
      sendTime: { value: 0.3, low: null, high: 0.5, level: 0.9, evidence: 4, source: 'personal', status: 'learning', slot: 34 },
      baselines: { spend: { value: null, low: null, high: 0.5, level: 0.9, evidence: 4, source: 'personal', status: 'learning' } },
    });
  });

  it('tells a rule that reads estimates or the micro-segment by its names, not by its text', () => {
    expect(ruleReads('estimates.rates.email_open.value > 0.3', 'estimates')).toBe(true);
    expect(ruleReads('has(estimates.sendTime) && features.orders > 1.0', 'estimates')).toBe(true);
    expect(ruleReads('microSegment == 2', 'microSegment')).toBe(true);
    // A feature, a trait or a string that contains the word is not the variable.
    expect(ruleReads('features.estimates_requested >= 1.0', 'estimates')).toBe(false);
    expect(ruleReads('traits.plan == "estimates"', 'estimates')).toBe(false);
    expect(ruleReads('traits.microSegment_name == "a"', 'microSegment')).toBe(false);
  });

  it('leaves the micro-segment unknown while none applies: a rule holds only where it holds whatever it is, and that is no failure', () => {
    const test = (when: string, vars: Record<string, unknown>) => admits(compileRule(when), when, vars);
    const none = { features: { orders: 3 } };
    expect(test('microSegment != 0', none)).toEqual({ pass: false });
    expect(test('!(microSegment == 0)', none)).toEqual({ pass: false });
    expect(test('microSegment != 0 || features.orders > 2.0', none)).toEqual({ pass: true });
    expect(test('microSegment != 0 && features.orders > 2.0', none)).toEqual({ pass: false });
    // A failure the micro-segment does not cause is kept (it fails with a null micro-segment as well).
    expect(test('microSegment == 1 || features.orders > "x"', none)).toEqual({ pass: false, error: expect.stringMatching(/no such overload|Unknown variable/) });
    // Once one applies, the rule reads it.
    expect(test('microSegment != 0', { ...none, microSegment: 2 })).toEqual({ pass: true });
    expect(test('microSegment != 0', { ...none, microSegment: 0 })).toEqual({ pass: false });
    // A rule that does not read it is evaluated as it is.
    expect(test('features.orders > "x"', none)).toEqual({ pass: false, error: 'no such overload: dyn<double> > string' });
  });
});
