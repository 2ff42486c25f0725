import { describe, expect, it } from 'vitest';
import { TactError } from '../errors/tact-error.js';
import { checkRule, compileRule, testRule } from './cel.js';

const refusal = (expression: string, field = 'filters.rule'): TactError | undefined => {
  try {
    checkRule(expression, field);
  } catch (e) {
    return e as TactError;
  }
  return undefined;
};
const ints = (n: number) => `[${Array.from({ length: n }, (_, i) => i).join(', ')}]`;

/**
 * Each comprehension (`all`, `exists`, `exists_one`, `map`, `filter`) runs its body once per
 * element of its list, so nested ones multiply: three lists of 1,000 literals nested run the body
 * 10⁹ times, minutes of a blocked event loop for one subject or item. The evaluator has no budget
 * to stop it (cel-go's runtime cost limit; its ValidateComprehensionNestingLimit, cel/validator.go,
 * refuses deep nesting when the rule is written, as here).
 */
describe('a rule whose comprehensions nest so that one evaluation runs for minutes', () => {
  it('is refused when written, naming the field and where the too-deep comprehension is', () => {
    const deep = `${ints(1000)}.all(a, ${ints(1000)}.all(b,\n  ${ints(1000)}.exists(c, a + b + c < 0)))`;
    const e = refusal(deep);
    expect(e).toBeInstanceOf(TactError);
    expect(e).toMatchObject({ code: 'invalid_expression', statusCode: 400 });
    expect(e?.message).toMatch(/^The expression in `filters\.rule` is not valid CEL: its nested comprehensions run their innermost body 1000000 times/);
    expect(refusal('features.purchased.all(p, traits.tags.exists(t,\n  traits.xs.exists(x, x == p + t)))')?.message).toBe('The expression in `filters.rule` is not valid CEL: its comprehensions nest 3 deep (`traits.xs.exists(…)` at line 2, column 3); at most 2: each level runs once per element of its list, and the levels multiply.');
  });

  it('is refused when two nested lists of literals alone run the body more than 10,000 times', () => {
    expect(refusal(`${ints(1000)}.all(a, ${ints(1000)}.exists(b, a == b))`)?.message).toMatch(/its nested comprehensions run their innermost body 1000000 times \(1000 × 1000 literals, `….exists\(…\)` at line 1, column 4899\); at most 10000: test membership with `in` instead\.$/);
    expect(refusal(`{"a": 1, "b": 2}.all(k, ${ints(100)}.exists(b, b == 1))`)).toBeUndefined();
  });

  it('takes a comprehension inside one, a comprehension over another\'s result, and one over a list from data', () => {
    for (const x of ['features.purchased.exists(p, action.properties.skus.exists(s, s == p))', 'features.purchased.map(p, p + "x").filter(q, q != "a").exists(r, r == "bx")', `${ints(1000)}.exists(a, features.purchased.exists(p, p == string(a)))`, 'cel.bind(xs, features.purchased, xs.exists(p, xs.exists(q, p == q)))']) {
      expect(checkRule(x, 'rule'), x).toBe(x);
    }
  });

  it('still loads from a stored configuration (a rule stored before this check)', () => {
    const stored = '[1, 2].all(a, [1, 2].all(b, [1, 2].all(c, a + b + c > 0)))';
    expect(testRule(compileRule(stored), {})).toEqual({ pass: true });
  });
});
