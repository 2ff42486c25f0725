import type { Shape } from './rule-names.js';
import { ARITHMETIC, arithmetic, isNode, NUM_WORDS, textOf, type AstNode, type Kind, type Typed, typeOf, WORDS } from './rule-kinds.js';

/**
 * The kinds a function takes as its receiver (`x.size()`) or sole argument (`size(x)`), as
 * @marcbachmann/cel-js runs them: another fails with "found no matching overload" for every
 * subject (src/rules/rule-operations.test.ts runs each refusal to see it fail).
 */
const TAKES: Record<string, readonly Kind[]> = {
  size: ['string', 'bytes', 'list', 'map'],
  int: ['number', 'string'], uint: ['number', 'string'], double: ['number', 'string'],
  string: ['number', 'string', 'bool', 'bytes'], bool: ['string', 'bool'], bytes: ['string', 'bytes'],
  duration: ['string'], timestamp: ['string'],
};

/** Methods and the kinds of receiver they take. */
const RECEIVER: Record<string, readonly Kind[]> = {
  size: TAKES.size,
  ...Object.fromEntries(['contains', 'startsWith', 'endsWith', 'matches', 'lowerAscii', 'upperAscii', 'trim', 'indexOf', 'lastIndexOf', 'split', 'substring'].map((f) => [f, ['string'] as const])),
  ...Object.fromEntries(['getFullYear', 'getMonth', 'getDate', 'getDayOfMonth', 'getDayOfWeek', 'getDayOfYear'].map((f) => [f, ['timestamp'] as const])),
  ...Object.fromEntries(['getHours', 'getMinutes', 'getSeconds', 'getMilliseconds'].map((f) => [f, ['timestamp', 'duration'] as const])),
  ...Object.fromEntries(['all', 'exists', 'exists_one', 'map', 'filter'].map((f) => [f, ['list', 'map'] as const])),
  join: ['list'],
};

/** Methods whose arguments are strings (a pattern, a time zone, a separator). */
const STRING_ARGS = new Set(['contains', 'startsWith', 'endsWith', 'matches', 'indexOf', 'lastIndexOf', 'split', 'join', 'getFullYear', 'getMonth', 'getDate', 'getDayOfMonth', 'getDayOfWeek', 'getDayOfYear', 'getHours', 'getMinutes', 'getSeconds', 'getMilliseconds']);

/** "a string, bytes, a list or a map". */
const listed = (kinds: readonly Kind[]) => kinds.map((k) => WORDS[k]).join(', ').replace(/, ([^,]*)$/, ' or $1');

/**
 * The sentence refusing one operation of a rule that cannot run on what `scope` declares one of its
 * operands holds: arithmetic mixing a double (every number a rule reads from data or
 * configuration) with an int (`features.orders + 1`), `%` on a double, arithmetic on kinds CEL
 * does not combine (`features.last_order + 1.0`), `-` or `!` on a value of another kind, `in` a
 * value that is not a list or a map, a function on a receiver or argument it does not take
 * (`size(features.revenue)`, `features.orders.contains("a")`, `duration(features.orders)`).
 * CEL's own check passes these, as it sees the variables as dynamic (cel.ts). Undefined when the
 * operation may run: its operands' kinds are not declared (traits, `last_value` features), or fit.
 * `bound`: names a comprehension binds at `node`. `each`: what the rule is evaluated for.
 *
 * @example
 * operationProblem(ruleTree('features.orders + 1'), 'features.orders + 1', 'audiences[0].when', scope);
 * // 'The rule in `audiences[0].when` adds `features.orders`, a number (a count feature), and `1`, an int: …'
 */
export function operationProblem(node: AstNode, expression: string, field: string, scope: Readonly<Record<string, Shape>>, bound: ReadonlySet<string>, each = 'subject'): string | undefined {
  const type = (n: unknown) => typeOf(n, expression, scope, bound);
  const text = textOf(node, expression);
  const fails = `so \`${text}\` would fail for every ${each}`;
  const rule = `The rule in \`${field}\``;
  const args = node.args;
  if (ARITHMETIC.has(node.op) && Array.isArray(args) && args.length === 2) {
    const [a, b] = args.map(type);
    if (!a || !b || !(a.declared || b.declared)) return undefined;
    const both = `computes \`${text}\` from \`${a.text}\`, ${a.what}, and \`${b.text}\`, ${b.what}`;
    const itFails = `so it would fail for every ${each}`;
    if (a.kind === 'number' && b.kind === 'number') {
      const double = [a, b].find((x) => x.num === 'double');
      if (node.op === '%' && double) return `${rule} ${both}: \`${double.text}\` is a double${double.declared ? ' (numbers from data are doubles)' : ''}, and CEL has no \`%\` for doubles, ${itFails}. Write \`int(${a.text}) % ${b.num === 'double' ? `int(${b.text})` : b.text}\`.`;
      if (a.num !== b.num) return `${rule} ${mixed(text, a, b)}: CEL does not mix ${NUM_WORDS[a.num!]} and ${NUM_WORDS[b.num!]} in arithmetic, ${itFails}${double?.declared ? ' (numbers from data are doubles: write `1.0`, not `1`)' : ''}.`;
      return undefined;
    }
    return arithmetic(node.op, a, b) ? undefined : `${rule} ${both}: CEL has no \`${node.op}\` for ${WORDS[a.kind]} and ${WORDS[b.kind]}, ${itFails}.`;
  }
  if ((node.op === '-_' || node.op === '!_') && isNode(args)) {
    const a = type(args);
    const takes: Kind = node.op === '-_' ? 'number' : 'bool';
    if (a?.declared && a.kind !== takes) return `${rule} negates \`${a.text}\`, ${a.what}, with \`${node.op[0]}\`: it takes ${WORDS[takes]}, ${fails}.`;
    return undefined;
  }
  if (node.op === '?:' && Array.isArray(args)) {
    const c = type(args[0]);
    if (c?.declared && c.kind !== 'bool') return `${rule} chooses by \`${c.text}\`, ${c.what}: a choice \`c ? a : b\` takes true or false, ${fails}.`;
    return undefined;
  }
  if (node.op === 'in' && Array.isArray(args) && args.length === 2) {
    const within = type(args[1]);
    if (within?.declared && within.kind !== 'list' && within.kind !== 'map') return `${rule} looks \`in\` \`${within.text}\`, ${within.what}: \`in\` takes a list or a map, ${fails}.`;
    return undefined;
  }
  if (node.op === 'call' && Array.isArray(args) && Array.isArray(args[1]) && args[1].length === 1) {
    const fn = String(args[0]);
    const a = Object.hasOwn(TAKES, fn) ? type(args[1][0]) : undefined;
    if (a?.declared && !TAKES[fn].includes(a.kind)) return `${rule} calls \`${fn}\` on \`${a.text}\`, ${a.what}: \`${fn}\` takes ${listed(TAKES[fn])}, ${fails}.`;
    return undefined;
  }
  if (node.op === 'rcall' && Array.isArray(args) && typeof args[0] === 'string' && Object.hasOwn(RECEIVER, args[0])) {
    const [fn, target, list] = args as [string, unknown, unknown];
    const on = type(target);
    if (on?.declared && !RECEIVER[fn].includes(on.kind)) return `${rule} calls \`${fn}\` on \`${on.text}\`, ${on.what}: \`${fn}\` takes ${listed(RECEIVER[fn])}, ${fails}.`;
    if (STRING_ARGS.has(fn) && Array.isArray(list)) {
      for (const x of list) {
        const a = type(x);
        if (a?.declared && a.kind !== 'string') return `${rule} passes \`${a.text}\`, ${a.what}, to \`${fn}\`: it takes a string, ${fails}.`;
      }
    }
  }
  return undefined;
}

/** "computes `features.orders + 1` from `features.orders`, a number (a count feature), a double, and `1`, an int": each number named with its kind. */
function mixed(text: string, a: Typed, b: Typed): string {
  const say = (x: Typed) => `\`${x.text}\`, ${x.declared ? `${x.what}, ${NUM_WORDS[x.num!]}` : NUM_WORDS[x.num!]}`;
  return `computes \`${text}\` from ${say(a)}, and ${say(b)}`;
}
