import { lineColumn } from './literals.js';

/** Words other languages use as operators, and what CEL writes for each (case aside). */
const WORDS: Readonly<Record<string, string>> = { and: '&&', or: '||', not: '!' };

/**
 * What CEL writes instead of the first operator of another language in an expression that did not
 * parse (`and`, `or`, `not`, `=`, `===`, `!==`, `<>`), with where it is; undefined when there is
 * none outside strings, comments and field names (`traits.and` is a field).
 *
 * @example
 * foreignOperator('traits.a and traits.b'); // 'CEL writes `&&`, not `and` (line 1, column 10)'
 * foreignOperator('traits.plan = "pro"'); // 'CEL compares with `==`, not `=` (line 1, column 13)'
 */
export function foreignOperator(expression: string): string | undefined {
  const at = (i: number) => `(${lineColumn(expression, i)})`;
  let last: Token | undefined;
  for (const t of tokens(expression)) {
    // After a dot a word is a field (`traits.and`), not an operator.
    const word = t.kind === 'word' && !isDot(last) ? t.text.toLowerCase() : undefined;
    if (word !== undefined && Object.hasOwn(WORDS, word)) return `CEL writes \`${WORDS[word]}\`, not \`${t.text}\` ${at(t.at)}`;
    const op = t.kind === 'op' ? t.text : undefined;
    if (op === '=' || op === '===') return `CEL compares with \`==\`, not \`${t.text}\` ${at(t.at)}`;
    if (op === '!==' || op === '<>') return `CEL writes \`!=\`, not \`${t.text}\` ${at(t.at)}`;
    last = t;
  }
  return undefined;
}

/**
 * A hint for a feature's `where` that chooses the message type with `type` (`type == "page"`):
 * the filter sees one event's {event, name, category, properties, traits, context}, and `type`
 * there is CEL's type function, so the rule fails to type-check ("no such overload: type ==
 * string"), which does not say that the definition's own `type` and `event` fields choose the
 * calls. Undefined when `type` is only called (`type(x) == int`), a field (`properties.type`), or
 * inside a string or comment.
 *
 * @example
 * messageTypeHint('type == "page"'); // '`type` in a `where` is CEL's type function, … (write `type: page` beside the `where`) (line 1, column 1)'
 */
export function messageTypeHint(expression: string): string | undefined {
  const ts = [...tokens(expression)];
  const i = ts.findIndex((t, k) => t.kind === 'word' && t.text === 'type' && !isDot(ts[k - 1]) && !(ts[k + 1]?.kind === 'char' && ts[k + 1].text === '('));
  if (i < 0) return undefined;
  // `type == "page"` or `"page" == type`: the definition's `type` to write instead.
  const literal = ts[i + 1]?.kind === 'op' && ts[i + 1].text === '==' && ts[i + 2]?.kind === 'string' ? ts[i + 2] : ts[i - 1]?.kind === 'op' && ts[i - 1].text === '==' && ts[i - 2]?.kind === 'string' ? ts[i - 2] : undefined;
  const write = literal ? ` (write \`type: ${literal.text}\` beside the \`where\`)` : '';
  return `\`type\` in a \`where\` is CEL's type function, not the call's type: the calls a feature counts are chosen by the definition's \`type\` and \`event\` fields, not in \`where\`${write} (${lineColumn(expression, ts[i].at)})`;
}

/** A significant piece of an expression: a word, a comparison operator, a string literal (its text unquoted) or another character. */
interface Token {
  kind: 'word' | 'op' | 'string' | 'char';
  text: string;
  /** Index in the expression. */
  at: number;
}

const isDot = (t: Token | undefined): boolean => t?.kind === 'char' && t.text === '.';

/** The expression's tokens, outside comments and whitespace; linear (sticky expressions read at `i` without copying the rest). */
function* tokens(expression: string): Generator<Token> {
  const wordAt = /[A-Za-z_]\w*/y;
  const opAt = /===|!==|<>|==|!=|<=|>=|=/y;
  for (let i = 0; i < expression.length; i++) {
    const ch = expression[i];
    if (ch === '"' || ch === "'") {
      let j = i + 1;
      for (; j < expression.length && expression[j] !== ch; j++) if (expression[j] === '\\') j++;
      yield { kind: 'string', text: expression.slice(i + 1, j), at: i };
      i = j;
      continue;
    }
    if (ch === '/' && expression[i + 1] === '/') {
      const end = expression.indexOf('\n', i);
      if (end < 0) return;
      i = end;
      continue;
    }
    if (/\s/.test(ch)) continue;
    wordAt.lastIndex = i;
    opAt.lastIndex = i;
    const word = wordAt.exec(expression)?.[0];
    const op = word ? undefined : opAt.exec(expression)?.[0];
    const t: Token = word ? { kind: 'word', text: word, at: i } : op ? { kind: 'op', text: op, at: i } : { kind: 'char', text: ch, at: i };
    yield t;
    i += t.text.length - 1;
  }
}
