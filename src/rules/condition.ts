import { TactError } from '../errors/tact-error.js';

/**
 * Every rule an operator writes in Tact is a condition — a `when`, an action's eligibility, a
 * feature's `where`, an audience, a recommendation rule — and only `true` admits. A rule whose
 * value is known, before it runs, not to be true or false (`features.orders`, `size(x)`, `"pro"`)
 * would be saved and then fail for every subject, event or item, seen only in error counters: it
 * is refused when written. What is known comes from two places: CEL's own type checking
 * (cel.ts: `features.orders + 1.0` is a double whatever the data), and what a rule's variables are
 * declared to hold (rule-names.ts: `features.orders` is a count feature's number). A value that
 * comes from data (`properties.a`, `item.on_sale`, `traits.vip`) may be true or false: taken.
 */

/**
 * What a value of a CEL type (as the type checker names it) is, in the refusal's words; undefined
 * for `bool`, and for `dyn` (known only when the rule runs).
 *
 * @example
 * celTypeGives('double'); // 'a number'
 * celTypeGives('dyn'); // undefined
 */
export function celTypeGives(type: string): string | undefined {
  if (type === 'bool' || type === 'dyn') return undefined;
  if (type === 'int' || type === 'uint' || type === 'double') return 'a number';
  if (type === 'string') return 'a string';
  if (type === 'null') return 'null';
  if (type === 'bytes') return 'bytes';
  if (type.startsWith('list')) return 'a list';
  if (type.startsWith('map')) return 'a map';
  if (type === 'google.protobuf.Timestamp') return 'a timestamp';
  if (type === 'google.protobuf.Duration') return 'a duration';
  if (type.startsWith('optional')) return 'an optional value';
  return `a value of type ${type}`;
}

/**
 * The 400 refusing the rule `expression` in `field`, which gives `gives` (a number; `features.orders`,
 * a number …), with the comparison or test that would make it a condition.
 *
 * @example
 * notACondition('audiences[0].when', 'features.orders', '`features.orders`, a number (a count feature)').message;
 * // 'The rule in `audiences[0].when` gives `features.orders`, a number (a count feature), not true or false: write a comparison such as `features.orders > 0`.'
 */
export function notACondition(field: string, expression: string, gives: string): TactError {
  return new TactError('not_a_condition', { field, gives, hint: hint(expression, gives) }, { at: field });
}

/** The longest expression the hint quotes whole; a longer one is shown as `…`. */
const QUOTED = 80;

/** A path (`events["Signup"].count`), a call of one (`size(features.x)`) or a literal: quoted bare. */
const ATOM = /^(?:[A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\["[^"\\]*"\]|\[\d+\])*|[\w.]+\([^()]*\)|"[^"\\]*"|\d[\d.]*u?)$/;

/** A comparison or test on `expression` that gives true or false, by what it gives. */
function hint(expression: string, gives: string): string {
  const whole = expression.trim();
  const trimmed = whole.includes('\n') ? whole : withoutComment(whole);
  const e = trimmed.length > QUOTED || trimmed.includes('\n') ? '…' : trimmed;
  // An operator in it may bind looser than the comparison added: parenthesised (`(a + "x") == …`).
  const x = ATOM.test(e) ? e : `(${e})`;
  const kind = gives.replace(/^`[^`]*`, /, '');
  if (/^a number/.test(kind)) return `write a comparison such as \`${x} > 0\``;
  if (/^a list/.test(kind)) return `write a test such as \`size(${e}) > 0\``;
  if (/^a map/.test(kind)) return `compare one of its fields instead (\`${x}.<field>\`)`;
  if (/^a timestamp/.test(kind)) return `write a comparison such as \`${x} > now - duration("720h")\``;
  if (/^a duration/.test(kind)) return `write a comparison such as \`${x} > duration("1h")\``;
  if (/\ba string\b/.test(kind)) return `write a comparison such as \`${x} == "…"\``;
  return 'write a comparison or a test that gives true or false';
}

/**
 * A one-line rule without its trailing `// comment` (CEL comments run to the end of the line): the
 * hint quotes it inside `( … ) > 0`, where the comment would swallow the closing parenthesis.
 */
function withoutComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '/' && line[i + 1] === '/') return line.slice(0, i).trimEnd();
  }
  return line;
}
