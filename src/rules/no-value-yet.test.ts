import { describe, expect, it } from 'vitest';
import { compileRule, testRule } from './cel.js';

const run = (rule: string, vars: Record<string, unknown>) => testRule(compileRule(rule), vars);

describe('a rule operating on a feature with no value yet', () => {
  const vars = { features: { avg_rev: null, last_view: null, orders: 0 }, traits: { score: null }, now: new Date() };

  it('says which feature has no value and how to guard it, on either side of the operator', () => {
    expect(run('features.avg_rev > 40.0', vars)).toEqual({ pass: false, error: '`features.avg_rev` has no value yet for this profile, as no event was counted, so `>` cannot take it; guard it with `features.avg_rev != null && …`' });
    expect(run('now - features.last_view < duration("24h")', vars).error).toBe('`features.last_view` has no value yet for this profile, as no event was counted, so `-` cannot take it; guard it with `features.last_view != null && …`');
    expect(run('40.0 <= features["avg_rev"]', vars).error).toMatch(/^`features\["avg_rev"\]` has no value yet/);
  });

  it('holds or not, with no error, once guarded as the sentence says', () => {
    expect(run('features.avg_rev != null && features.avg_rev > 40.0', vars)).toEqual({ pass: false });
    expect(run('features.last_view != null && now - features.last_view < duration("24h")', vars)).toEqual({ pass: false });
  });

  it('leaves other failures in CEL\'s words: a null trait, a type mismatch', () => {
    expect(run('traits.score > 1.0', vars).error).toBe('no such overload: dyn<null> > double');
    expect(run('features.orders > "x"', vars).error).toBe('no such overload: dyn<double> > string');
  });
});
