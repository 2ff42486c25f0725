import { describe, expect, it } from 'vitest';
import { TactError } from '../errors/tact-error.js';
import { checkRule, compileRule, testRule } from './cel.js';

const refusal = (expression: string, field = 'segments[0].when'): TactError | undefined => {
  try {
    checkRule(expression, field);
  } catch (e) {
    return e as TactError;
  }
  return undefined;
};

/**
 * CEL's duration strings take h, m, s, ms, us and ns only (cel-spec, langdef.md "Timestamps and
 * durations"; google.protobuf.Duration's JSON form), and a timestamp string is RFC 3339 with a time
 * and an offset. A literal that is neither fails for every subject: refused when written, as
 * cel-go's ValidateDurationLiterals / ValidateTimestampLiterals do (cel/validator.go).
 */
describe('a duration or timestamp literal CEL cannot read', () => {
  it('is refused when written, naming the field, the literal, where it is and how to write it', () => {
    const e = refusal('traits.plan == "pro" &&\n  lastSeen > now - duration("30d")');
    expect(e).toBeInstanceOf(TactError);
    expect(e).toMatchObject({ code: 'invalid_expression', statusCode: 400 });
    expect(e?.message).toBe('The expression in `segments[0].when` is not valid CEL: `duration("30d")` at line 2, column 20 can never be read (Invalid duration string: 30d); a duration is written in h, m, s, ms, us or ns, e.g. `duration("720h")` for 30 days.');
    expect(refusal('firstSeen > timestamp("2026-01-01")', 'stages[0].when')?.message).toBe('The expression in `stages[0].when` is not valid CEL: `timestamp("2026-01-01")` at line 1, column 13 can never be read (timestamp() requires a string in ISO 8601 format); a timestamp is RFC 3339, e.g. `timestamp("2026-01-01T00:00:00Z")`.');
    // also when the expression was compiled (and cached) before, from a stored configuration
    compileRule('duration("1w") < duration("1h")');
    expect(refusal('duration("1w") < duration("1h")')?.message).toMatch(/`duration\("1w"\)` at line 1, column 1 can never be read/);
  });

  it('refuses a timestamp on a day no calendar has, which CEL would roll over to another day', () => {
    // 2026 is no leap year (Gregorian rule: divisible by 4, not by 100 unless by 400).
    expect(refusal('now > timestamp("2026-02-29T00:00:00Z")')?.message).toBe('The expression in `segments[0].when` is not valid CEL: `timestamp("2026-02-29T00:00:00Z")` at line 1, column 7 can never be read (2026-02-29 is a day no calendar has: it would be read as 2026-03-01); a timestamp is RFC 3339, e.g. `timestamp("2026-01-01T00:00:00Z")`.');
    expect(refusal('now > timestamp("2026-04-31T00:00:00Z")')?.message).toMatch(/2026-04-31 is a day no calendar has: it would be read as 2026-05-01/);
    expect(checkRule('now > timestamp("2028-02-29T00:00:00Z")', 'rule')).toBe('now > timestamp("2028-02-29T00:00:00Z")');
  });

  it('takes the literals CEL reads, and a duration or timestamp made from data', () => {
    for (const x of ['lastSeen > now - duration("720h")', 'now - firstSeen > duration("1h30m")', 'duration("1.5s") < duration("2000ms")', 'now > timestamp("2026-01-15T00:00:00Z")', 'now > timestamp("2026-01-15T01:00:00+01:00")', 'timestamp(traits.signup) < now', 'duration(traits.grace) > duration("0s")']) {
      expect(checkRule(x, 'rule'), x).toBe(x);
    }
  });

  it('still loads from a stored configuration: the rule excludes with its reason', () => {
    expect(testRule(compileRule('now - duration("30d") < now'), { now: new Date() })).toEqual({ pass: false, error: 'Invalid duration string: 30d' });
  });
});

describe('the comparison a refusal suggests for a timestamp', () => {
  it('is a rule that is taken and evaluates', () => {
    const message = refusal('timestamp("2026-11-20T00:00:00Z")', 'stages[0].when')?.message ?? '';
    const suggested = /write a comparison such as `([^`]+)`/.exec(message)?.[1];
    expect(suggested, message).toBeDefined();
    expect(checkRule(suggested!, 'stages[0].when')).toBe(suggested);
    expect(testRule(compileRule(suggested!), { now: new Date('2026-11-23T00:00:00Z') })).toEqual({ pass: true });
  });
});
