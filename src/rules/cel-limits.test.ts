import { describe, expect, it } from 'vitest';
import { TactError } from '../errors/tact-error.js';
import { checkRule, compileRule, testRule } from './cel.js';

// An expression of about 100 KB (a body can hold a megabyte): a new one per request must not pile up.
const big = (tag: string) => `traits.code == "${tag}${'x'.repeat(100_000)}"`;

describe('the compile cache', () => {
  it('holds the same compilation for the exact same text only', () => {
    expect(compileRule('traits.plan == "pro"')).toBe(compileRule('traits.plan == "pro"'));
    expect(compileRule('traits.plan == "pro"')).not.toBe(compileRule('traits.plan  == "pro"'));
  });

  it('is bounded by the size of the expressions it holds, not only their number', () => {
    const first = compileRule(big('first'));
    for (let i = 0; i < 30; i++) compileRule(big(`flood-${i}`));
    expect(compileRule(big('first'))).not.toBe(first);
  });

  it('keeps an expression in use while a flood of new ones passes through', () => {
    const hot = compileRule(big('hot'));
    for (let i = 0; i < 30; i++) {
      compileRule(big(`other-${i}`));
      expect(compileRule(big('hot'))).toBe(hot);
    }
  });
});

describe('very long or deeply nested expressions', () => {
  const refused = (expression: string) => {
    try {
      checkRule(expression, 'audience');
    } catch (e) {
      return e;
    }
    return undefined;
  };

  it('are refused with a 400 naming the field, never a crash', () => {
    for (const e of [Array(5000).fill('features.orders').join(' + ') + ' > 0.0', Array(20000).fill('true').join(' && '), '!'.repeat(100_000) + 'true', '('.repeat(5000) + '1' + ')'.repeat(5000)]) {
      const err = refused(e);
      expect(err, e.slice(0, 40)).toBeInstanceOf(TactError);
      expect((err as TactError).statusCode).toBe(400);
      expect((err as TactError).message).toMatch(/`audience`.*nested too deeply/);
    }
  });

  it('a long chain within the limit still evaluates', () => {
    const chain = Array(500).fill(0).map((_, i) => `traits.country == "C${i}"`).join(' || ');
    expect(testRule(compileRule(chain), { traits: { country: 'C499' } })).toEqual({ pass: true });
  });
});

describe('a stored rule that can hold for no subject', () => {
  it('still loads (the rule excludes with its reason), while writing it is refused', () => {
    const expression = 'features.spend + 0.0 == 121';
    expect(() => checkRule(expression, 'actions[0].eligibility')).toThrow(/no such overload/);
    const r = testRule(compileRule(expression, 'actions[0].eligibility'), { features: { spend: 121 } });
    expect(r.pass).toBe(false);
    expect(r.error).toMatch(/no such overload/);
  });
});
