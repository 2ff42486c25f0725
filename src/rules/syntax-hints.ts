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
  // Sticky expressions read at `i` without copying the rest: the scan stays linear on a long rule.
  const wordAt = /[A-Za-z_]\w*/y;
  const opAt = /===|!==|<>|==|!=|<=|>=|=/y;
  let quote: string | undefined;
  let lastSignificant = '';
  for (let i = 0; i < expression.length; i++) {
    const ch = expression[i];
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      lastSignificant = ch;
      continue;
    }
    if (ch === '/' && expression[i + 1] === '/') {
      const end = expression.indexOf('\n', i);
      if (end < 0) return undefined;
      i = end;
      continue;
    }
    if (/\s/.test(ch)) continue;
    wordAt.lastIndex = i;
    const word = wordAt.exec(expression)?.[0];
    if (word) {
      // After a dot it is a field (`traits.and`), not an operator.
      if (lastSignificant !== '.' && Object.hasOwn(WORDS, word.toLowerCase())) return `CEL writes \`${WORDS[word.toLowerCase()]}\`, not \`${word}\` ${at(i)}`;
      i += word.length - 1;
      lastSignificant = 'w';
      continue;
    }
    opAt.lastIndex = i;
    const op = opAt.exec(expression)?.[0];
    if (op === '=' || op === '===') return `CEL compares with \`==\`, not \`${op}\` ${at(i)}`;
    if (op === '!==' || op === '<>') return `CEL writes \`!=\`, not \`${op}\` ${at(i)}`;
    if (op) i += op.length - 1;
    lastSignificant = op ? '=' : ch;
  }
  return undefined;
}
