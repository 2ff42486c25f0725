import { describe, expect, it } from 'vitest';
import { TactError } from '../errors/tact-error.js';
import { checkRule, compileRule, conditionOf, evaluateRule, ruleError, testRule, variablePaths } from './cel.js';

describe('CEL rules', () => {
  const vars = { features: { orders: 3, spend: 120.5, purchased: ['a', 'b'] }, traits: { plan: 'pro' }, events: { 'Order Completed': { count: 3 } }, now: new Date('2026-11-23T00:00:00Z') };

  it('evaluates the expressions operators write', () => {
    expect(testRule(compileRule('features.orders >= 3 && traits.plan == "pro"'), vars).pass).toBe(true);
    expect(testRule(compileRule('"a" in features.purchased'), vars).pass).toBe(true);
    expect(testRule(compileRule('events["Order Completed"].count > 2'), vars).pass).toBe(true);
    expect(testRule(compileRule('now > timestamp("2026-01-15T00:00:00Z")'), vars).pass).toBe(true);
    expect(evaluateRule(compileRule('features.spend * 2.0'), vars)).toEqual({ ok: true, value: 241 });
  });

  it('compiles each expression once', () => {
    expect(compileRule('1 + 1 == 2')).toBe(compileRule('1 + 1 == 2'));
  });

  it('turns a missing field into a reason, not a crash', () => {
    const r = testRule(compileRule('traits.tier == "gold"'), vars);
    expect(r.pass).toBe(false);
    expect(r.error).toContain('tier');
  });

  it('explains an error already caught, and a value already computed, as testRule does', () => {
    const missing = compileRule('traits.tier == "gold"');
    let caught: unknown;
    try {
      missing(vars);
    } catch (e) {
      caught = e;
    }
    expect({ pass: false, error: ruleError(caught) }).toEqual(testRule(missing, vars));
    expect(conditionOf(compileRule('features.orders')(vars))).toEqual(testRule(compileRule('features.orders'), vars));
    expect(conditionOf(true)).toEqual({ pass: true });
  });

  it('refuses a non-boolean where a condition is needed', () => {
    expect(testRule(compileRule('features.orders'), vars)).toEqual({ pass: false, error: 'the expression gave number, not a boolean' });
  });

  it('runs a matches() pattern that is a literal of star height 1, and refuses the rest before they run on customer data', () => {
    expect(evaluateRule(compileRule('traits.plan.matches("^p[a-z]+$")'), vars)).toEqual({ ok: true, value: true });
    expect(evaluateRule(compileRule('traits.plan.matches("^(pro|team)$")'), vars)).toEqual({ ok: true, value: true });
    // (a+)+$ on "aaaa…a!" backtracks exponentially in JavaScript's RegExp (CEL specifies RE2, which
    // would not): a customer's trait could hold up every decision. Refused with the field named.
    expect(() => checkRule('traits.email.matches("(a+)+$")', 'segments[0].when')).toThrow(/`segments\[0\]\.when`.*repeats a group that itself repeats/);
    expect(() => checkRule('matches(traits.email, "(x*)*y")', 'rules[1].when')).toThrow(/repeats a group/);
    expect(() => checkRule('traits.email.matches(traits.pattern)', 'rules[2].when')).toThrow(/`matches` takes a literal pattern/);
    // Nested inside other calls and comprehensions too.
    expect(() => checkRule('features.purchased.exists(p, p.matches("(b|bb)+(c+)+"))', 'rules[3].when')).toThrow(/repeats a group/);
    // Under a unary operator too, whose operand the parse tree holds alone rather than in a list.
    expect(() => checkRule('!traits.email.matches("(a+)+$")', 'rules[6].when')).toThrow(/`rules\[6\]\.when`.*repeats a group/);
    expect(() => checkRule('!(traits.plan == "x" || !matches(traits.email, "(x*)*y"))', 'rules[7].when')).toThrow(/repeats a group/);
    // A pattern JavaScript cannot run (an RE2 inline flag, an unclosed class) says so, at authoring time.
    expect(() => checkRule('traits.plan.matches("(?i)^pro$")', 'rules[4].when')).toThrow(/`rules\[4\]\.when`.*"\(\?i\)\^pro\$" is not a regular expression this engine runs/);
    expect(() => checkRule('matches(traits.plan, "[a-z")', 'rules[5].when')).toThrow(/is not a regular expression this engine runs/);
  });

  it('reports a syntax error as a 400 naming the field', () => {
    try {
      checkRule('features.orders >', 'actions[0].eligibility');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TactError);
      expect((e as TactError).statusCode).toBe(400);
      expect((e as TactError).message).toContain('actions[0].eligibility');
    }
  });

  it('says where in the expression a syntax error is, line and column', () => {
    expect(() => checkRule('features.orders > > 1', 'actions[0].eligibility')).toThrow(/`actions\[0\]\.eligibility`.*Unexpected token: GT at line 1, column 19/);
    expect(() => checkRule('traits.plan == "pro" &&\n  features.orders >', 'segments[2].when')).toThrow(/Unexpected token: EOF at line 2, column 20/);
  });

  it('names what a non-boolean condition gave, in CEL terms', () => {
    expect(conditionOf(null).error).toBe('the expression gave null, not a boolean');
    expect(testRule(compileRule('features.purchased'), vars).error).toBe('the expression gave list, not a boolean');
    expect(testRule(compileRule('traits'), vars).error).toBe('the expression gave map, not a boolean');
    expect(testRule(compileRule('now'), vars).error).toBe('the expression gave timestamp, not a boolean');
    expect(testRule(compileRule('duration("1h")'), vars).error).toBe('the expression gave duration, not a boolean');
  });

  it('compares data numbers with int or double literals, and explains int arithmetic on them', () => {
    expect(testRule(compileRule('features.orders >= 1 && features.orders == 3 && features.spend > 100'), vars)).toEqual({ pass: true });
    expect(testRule(compileRule('features.orders + 1.0 == 4.0'), vars)).toEqual({ pass: true });
    expect(testRule(compileRule('features.orders + 1 > 2.0'), vars).error).toMatch(/no such overload: dyn<double> \+ int.*write `1\.0`, not `1`/);
  });

  it('refuses at authoring an expression that could hold for no subject: a type error, an unknown function', () => {
    expect(() => checkRule('features.spend + 0.0 == 120', 'actions[1].eligibility')).toThrow(/`actions\[1\]\.eligibility`.*no such overload: double == int at line 1, column 1 \(numbers from data are doubles: write `1\.0`, not `1`\)/);
    expect(() => checkRule('traits.plan == "pro" &&\n "a" + 1 == "b"', 'segments[0].when')).toThrow(/no such overload: string \+ int at line 2, column 2/);
    expect(() => checkRule('nope(traits)', 'audience')).toThrow(/`audience`.*no matching overload for 'nope\(dyn\)'/);
  });

  it('refuses at authoring a rule whose result CEL knows is not true or false, naming the field and what it gives', () => {
    const refusal = (expression: string, field = 'segments.audiences[0].when') => {
      try {
        checkRule(expression, field);
      } catch (e) {
        return e as TactError;
      }
      return undefined;
    };
    const e = refusal('features.orders + 1.0');
    expect(e).toBeInstanceOf(TactError);
    expect(e).toMatchObject({ code: 'not_a_condition', statusCode: 400 });
    expect(e?.message).toBe('The rule in `segments.audiences[0].when` gives a number, not true or false: write a comparison such as `(features.orders + 1.0) > 0`.');
    expect(refusal('size(features.purchased)', 'rule')?.message).toBe('The rule in `rule` gives a number, not true or false: write a comparison such as `size(features.purchased) > 0`.');
    expect(refusal('traits.plan + "-x"')?.message).toMatch(/gives a string, not true or false: write a comparison such as `\(traits\.plan \+ "-x"\) == "/);
    expect(refusal('features.purchased.filter(p, p != "a")')?.message).toMatch(/gives a list, not true or false: write a test such as `size\(features\.purchased\.filter\(p, p != "a"\)\) > 0`/);
    expect(refusal('timestamp("2026-01-01T00:00:00Z")')?.message).toMatch(/gives a timestamp, not true or false/);
    for (const [x, gives] of [['1', 'a number'], ['2.5', 'a number'], ['1u', 'a number'], ['"pro"', 'a string'], ['[true]', 'a list'], ['{"a": true}', 'a map'], ['null', 'null'], ['duration("1h")', 'a duration'], ['b"x"', 'bytes'], ['traits.vip ? 1 : 0', 'a number']]) {
      expect(refusal(x)?.message, x).toMatch(new RegExp(`^The rule in \`segments\\.audiences\\[0\\]\\.when\` gives ${gives}, not true or false: `));
    }
    // A long rule is not quoted back whole in the hint.
    const long = Array(20).fill('features.orders').join(' + ') + ' + 1.0';
    expect(refusal(long)?.message).toBe('The rule in `segments.audiences[0].when` gives a number, not true or false: write a comparison such as `(…) > 0`.');
    // Cached or not, the same answer.
    compileRule('features.orders * 2.0');
    expect(refusal('features.orders * 2.0')?.code).toBe('not_a_condition');
  });

  it('takes at authoring a rule whose result depends on the data: it may be true or false when it runs', () => {
    for (const x of ['properties.a', 'item.price', 'traits.vip', 'features.x[0]', 'traits.a ? true : traits.b', 'cel.bind(p, traits, p.vip)', '[traits.a][0]', '{"a": true}["a"]', 'has(traits.plan)', '!features.orders', 'features.purchased.exists(p, p == "a")']) {
      expect(checkRule(x, 'rule'), x).toBe(x);
    }
  });

  it('still loads a stored rule that is not a condition: it excludes with its reason', () => {
    expect(testRule(compileRule('features.orders + 1.0', 'rules[0].when'), vars)).toEqual({ pass: false, error: 'the expression gave number, not a boolean' });
  });

  it('contains what fails for one subject: division by zero, a type mismatch, a bad timestamp', () => {
    for (const e of ['1 / 0 == 1', 'traits.plan > 1', 'timestamp(traits.plan) < now', 'traits.plan.nope == 1']) {
      const r = testRule(compileRule(e), vars);
      expect(r.pass, e).toBe(false);
      expect(r.error, e).toMatch(/\S/);
    }
  });
});

describe('variablePaths', () => {
  it('lists the member paths an expression reads from a variable', () => {
    expect(variablePaths('action.value < 40.0 || features.revenue >= 100.0', 'action')).toEqual([['value']]);
    expect(variablePaths('!(action.properties.product_id in features.purchased) && action.value > 1.0 && action.value < 9.0', 'action')).toEqual([['properties', 'product_id'], ['value']]);
    expect(variablePaths('has(action.properties.x)', 'action')).toEqual([['properties', 'x']]);
    expect(variablePaths('action["value"] > 1.0', 'action')).toEqual([['value']]);
    expect(variablePaths('action.topics.exists(t, t == "a")', 'action')).toEqual([['topics']]);
  });

  it('is empty when the variable is not named, and a string is not a name', () => {
    expect(variablePaths('features.orders > 1.0', 'action')).toEqual([]);
    expect(variablePaths('(1).x == 2 || [1, 2][0] == 1', 'action')).toEqual([]);
    expect(variablePaths('"action" == context.page', 'action')).toEqual([]);
  });

  it('gives up on any other use: whole, by a computed key, as a comprehension variable', () => {
    for (const e of ['f(action)', 'action', 'action == context.x', 'action[context.k] == 1', '[1, 2].exists(action, action > 1)', 'size(action) > 0', '{"a": action}.a.value > 1.0']) {
      expect(variablePaths(e, 'action'), e).toBeUndefined();
    }
  });
});


describe('data holding a key named `constructor`', () => {
  it('is read by every rule, that key too: cel-js typed such an object by it and refused it ("Unsupported type: object")', () => {
    // A caller's context on an F1 site: every rule reading `context` failed, whichever key it read.
    const vars = { context: { team: { constructor: 'Ferrari', driver: 'Leclerc' }, page: 'home' } };
    expect(testRule(compileRule('context.page == "home"'), vars)).toEqual({ pass: true });
    expect(testRule(compileRule('context.team.driver == "Leclerc"'), vars)).toEqual({ pass: true });
    expect(testRule(compileRule('context.team["constructor"] == "Ferrari"'), vars)).toEqual({ pass: true });
    expect(testRule(compileRule('context.team.missing == "x"'), vars).error).toMatch(/No such key: missing/);
  });
});
