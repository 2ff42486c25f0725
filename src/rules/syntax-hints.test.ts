import { describe, expect, it } from 'vitest';
import { checkRule } from './cel.js';
import { messageTypeHint } from './syntax-hints.js';

const refused = (expression: string): string => {
  try {
    checkRule(expression, 'segments[0].when');
  } catch (e) {
    return (e as Error).message;
  }
  return 'taken';
};

/**
 * Rules written the way SQL, Python or a segment builder writes them (`and`, `or`, `not`, `=`,
 * `<>`, `===`) do not parse, and the parser names a character inside the word, sometimes at
 * another column ("Unexpected character: 's' at line 1, column 5" for `not traits.vip`). The
 * refusal says what CEL writes instead, where the word is (cel-spec langdef.md, "Syntax": `&&`,
 * `||`, `!`, `==`, `!=`).
 */
describe('a rule written with another language\'s operators', () => {
  it('is refused with what CEL writes instead and where', () => {
    expect(refused('traits.a and traits.b')).toBe('The expression in `segments[0].when` is not valid CEL: Unexpected character: \'d\' at line 1, column 10; CEL writes `&&`, not `and` (line 1, column 10).');
    expect(refused('traits.vip OR\n  features.orders > 2')).toMatch(/; CEL writes `\|\|`, not `OR` \(line 1, column 12\)\.$/);
    expect(refused('not traits.vip')).toMatch(/; CEL writes `!`, not `not` \(line 1, column 1\)\.$/);
    expect(refused('traits.plan = "pro"')).toMatch(/; CEL compares with `==`, not `=` \(line 1, column 13\)\.$/);
    expect(refused('traits.plan === "pro"')).toMatch(/; CEL compares with `==`, not `===` \(line 1, column 13\)\.$/);
    expect(refused('traits.plan <> "pro"')).toMatch(/; CEL writes `!=`, not `<>` \(line 1, column 13\)\.$/);
  });

  it('names none of these inside a string, a comment or a field name, nor when the rule parses', () => {
    expect(refused('traits.note == "this and that" && traits.a.and == "=" ||')).toBe('The expression in `segments[0].when` is not valid CEL: Unexpected token: EOF at line 1, column 57.');
    expect(refused('traits.a == 1.0 // a or b\n &&')).not.toMatch(/CEL writes/);
    expect(refused('traits.note == "a and b" && traits.x.or == "c"')).toBe('taken');
  });
});

/**
 * A feature's `where` sees one event's {event, name, category, properties, traits, context}; `type`
 * there is CEL's type function, so `type == "page"` fails to type-check ("no such overload: type ==
 * string"), a message that does not say the definition's own `type`/`event` choose the calls.
 */
describe('a filter that chooses the message type with `type`', () => {
  it('gets a hint naming the definition\'s `type` and `event` fields, with where `type` is', () => {
    expect(messageTypeHint('type == "page"')).toBe('`type` in a `where` is CEL\'s type function, not the call\'s type: the calls a feature counts are chosen by the definition\'s `type` and `event` fields, not in `where` (write `type: page` beside the `where`) (line 1, column 1)');
    expect(messageTypeHint('event == "E" &&\n  "screen" == type')).toMatch(/write `type: screen`.*\(line 2, column 15\)$/);
    expect(messageTypeHint('type in ["page", "screen"]')).toMatch(/chosen by the definition's `type` and `event` fields, not in `where` \(line 1, column 1\)$/);
  });

  it('names none for CEL\'s type function called, a field named type, or the word in a string or comment', () => {
    for (const e of ['type(properties.n) == int', 'properties.type == "page"', 'context["type"] == "x"', 'name == "type"', 'name == "a" // type == "page"']) expect(messageTypeHint(e), e).toBeUndefined();
  });
});
