import { describe, expect, it } from 'vitest';
import { TactError } from '../errors/tact-error.js';
import { checkRule } from './cel.js';

/** The comparison a `not_a_condition` refusal suggests ("write a comparison such as `…`"). */
function suggestion(expression: string): string | undefined {
  try {
    checkRule(expression, 'rule');
  } catch (e) {
    expect(e).toBeInstanceOf(TactError);
    return /write a (?:comparison|test) such as `([^`]+)`/.exec((e as TactError).message)?.[1];
  }
  return undefined;
}

describe('the comparison a rule that is not a condition is told to write', () => {
  it('is itself a rule that is taken, for every kind of value, a comment at the end included', () => {
    // A rule in a YAML file may end with a CEL comment (`// …`, cel-spec langdef.md, "Syntax"):
    // quoted inside `( … ) > 0`, the comment would swallow the closing parenthesis.
    for (const x of ['features.orders + 1.0', 'size(features.purchased)', 'traits.plan + "-x"', 'features.purchased.filter(p, p != "a")', 'timestamp("2026-01-01T00:00:00Z")', 'duration("1h")', 'features.orders + 1.0 // orders, plus one', 'traits.plan + "x" // the plan', 'size(features.purchased) // how many', 'traits.site + "https://x.example/" // a URL holds // too']) {
      const s = suggestion(x);
      expect(s, x).toBeDefined();
      expect(checkRule(s!, 'rule'), `${x} → ${s}`).toBe(s);
    }
  });
});
