import type { Shape } from './rule-names.js';

/** What a value in a rule is, where the check can know it. */
export type Kind = 'number' | 'string' | 'bool' | 'timestamp' | 'duration' | 'list' | 'map' | 'bytes' | 'null';

/** Which of CEL's numbers: they do not mix in arithmetic (`1.0 + 1` has no overload). */
export type Num = 'int' | 'uint' | 'double';

/**
 * A part of a rule whose kind is known: its text, its kind (and which number), the words saying
 * what it holds, and whether the kind comes from what `scope` declares (`features.orders`,
 * `now - features.last_order`) — CEL's own check sees those as dynamic and cannot refuse them —
 * or from literals and conversions alone, which CEL's check types itself.
 */
export interface Typed {
  text: string;
  kind: Kind;
  num?: Num;
  what: string;
  declared: boolean;
}

/** A node of @marcbachmann/cel-js's parse tree. */
export interface AstNode {
  op: string;
  args: unknown;
  start?: number;
  end?: number;
}

export const isNode = (x: unknown): x is AstNode => !!x && typeof x === 'object' && typeof (x as AstNode).op === 'string';

export const WORDS: Record<Kind, string> = { number: 'a number', string: 'a string', bool: 'true or false', timestamp: 'a timestamp', duration: 'a duration', list: 'a list', map: 'a map', bytes: 'bytes', null: 'null' };

export const NUM_WORDS: Record<Num, string> = { int: 'an int', uint: 'an unsigned int', double: 'a double' };

/** What a conversion or a function called whole gives (`int(x)`, `size(x)`, `duration("1h")`). */
const CALL_GIVES: Record<string, [Kind, Num?]> = {
  duration: ['duration'], timestamp: ['timestamp'], string: ['string'], bool: ['bool'], bytes: ['bytes'],
  int: ['number', 'int'], uint: ['number', 'uint'], double: ['number', 'double'], size: ['number', 'int'],
};

/** The text of a node in the expression. */
export function textOf(node: AstNode, expression: string): string {
  return node.start !== undefined && node.end !== undefined ? expression.slice(node.start, node.end) : '…';
}

/**
 * What a part of a rule is, where the check can tell: a path `scope` declares (numbers there are
 * doubles: every number a rule reads from data or configuration is a JavaScript number), a
 * literal, a conversion, or arithmetic of those whose result CEL defines (`now - duration("1h")`,
 * `features.orders + 1.0`). Undefined when it is known only when the rule runs (a trait, a
 * `last_value` feature) or no result exists (`features.orders + "x"`: the operation's own check
 * says why). `bound`: names a comprehension binds here, which shadow the variables.
 *
 * @example
 * typeOf(ruleTree('features.orders'), 'features.orders', scope); // { kind: 'number', num: 'double', what: 'a number (a count feature)', declared: true, … }
 */
export function typeOf(node: unknown, expression: string, scope: Readonly<Record<string, Shape>>, bound: ReadonlySet<string> = new Set()): Typed | undefined {
  if (!isNode(node)) return undefined;
  const text = textOf(node, expression);
  const declared = declaredKind(node, scope, bound);
  if (declared) return { text, ...declared, ...(declared.kind === 'number' ? { num: 'double' as const } : {}), declared: true };
  const v = node.args;
  if (node.op === 'value') {
    const kind = literalKind(v);
    if (!kind) return undefined;
    const num: Num | undefined = typeof v === 'bigint' ? 'int' : typeof v === 'number' ? 'double' : kind === 'number' ? 'uint' : undefined;
    return { text, kind, ...(num ? { num } : {}), what: WORDS[kind], declared: false };
  }
  if (node.op === 'list' || node.op === 'map') return { text, kind: node.op, what: WORDS[node.op], declared: false };
  if (node.op === '-_') {
    const t = typeOf(v, expression, scope, bound);
    return t?.kind === 'number' ? { ...t, text, what: WORDS.number } : undefined;
  }
  if ((node.op === 'call' && Array.isArray(v) && Array.isArray(v[1]) && v[1].length === 1) || (node.op === 'rcall' && Array.isArray(v) && v[0] === 'size' && Array.isArray(v[2]) && v[2].length === 0)) {
    const gives = Object.hasOwn(CALL_GIVES, String(v[0])) ? CALL_GIVES[String(v[0])] : undefined;
    return gives && { text, kind: gives[0], ...(gives[1] ? { num: gives[1] } : {}), what: WORDS[gives[0]], declared: false };
  }
  if (ARITHMETIC.has(node.op) && Array.isArray(v) && v.length === 2) {
    const [a, b] = v.map((n) => typeOf(n, expression, scope, bound));
    const kind = a && b ? arithmetic(node.op, a, b) : undefined;
    if (!kind || (kind === 'number' && a!.num !== b!.num)) return undefined;
    return { text, kind, ...(kind === 'number' ? { num: a!.num } : {}), what: WORDS[kind], declared: a!.declared || b!.declared };
  }
  return undefined;
}

export const ARITHMETIC = new Set(['+', '-', '*', '/', '%']);

/**
 * What `a op b` gives by kind, or undefined when CEL has no such operation (`timestamp + timestamp`,
 * `number + string`). Which numbers is the caller's to compare: `%` takes only int and uint.
 */
export function arithmetic(op: string, a: Typed, b: Typed): Kind | undefined {
  const [x, y] = [a.kind, b.kind];
  if (x === 'number' && y === 'number') return op !== '%' || a.num !== 'double' ? 'number' : undefined;
  if (op === '+') {
    if (x === y && (x === 'string' || x === 'bytes' || x === 'list' || x === 'duration')) return x;
    if ((x === 'timestamp' && y === 'duration') || (x === 'duration' && y === 'timestamp')) return 'timestamp';
  }
  if (op === '-') {
    if (x === 'duration' && y === 'duration') return 'duration';
    if (x === 'timestamp' && y === 'duration') return 'timestamp';
    if (x === 'timestamp' && y === 'timestamp') return 'duration';
  }
  return undefined;
}

/** The kind of a literal's value. */
function literalKind(v: unknown): Kind | undefined {
  if (v === null) return 'null';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number' || typeof v === 'bigint' || (v as { constructor?: { name?: string } } | undefined)?.constructor?.name === 'UnsignedInt') return 'number';
  return v instanceof Uint8Array ? 'bytes' : undefined;
}

/** The kind a path of constant names holds by `scope`, or undefined (from data, not a path, or a name `bound` shadows). */
function declaredKind(node: AstNode, scope: Readonly<Record<string, Shape>>, bound: ReadonlySet<string>): { kind: Kind; what: string } | undefined {
  const path: string[] = [];
  let n: unknown = node;
  for (;;) {
    if (!isNode(n) || !Array.isArray(n.args) && n.op !== 'id') return undefined;
    if (n.op === 'id') break;
    const [obj, key] = n.args as [unknown, unknown];
    if (n.op === '.' && typeof key === 'string') path.unshift(key);
    else if (n.op === '[]' && isNode(key) && key.op === 'value' && typeof key.args === 'string') path.unshift(key.args);
    else return undefined;
    n = obj;
  }
  if (typeof n.args !== 'string' || bound.has(n.args) || !Object.hasOwn(scope, n.args)) return undefined;
  let shape: Shape = scope[n.args];
  for (const name of path) {
    if (shape.kind === 'keys') shape = shape.each;
    else if (shape.kind === 'names' && Object.hasOwn(shape.names, name)) shape = shape.names[name];
    else return undefined;
  }
  if (shape.kind === 'names' || shape.kind === 'keys') return { kind: 'map', what: 'a map' };
  if (shape.kind !== 'value') return undefined;
  const kind = shape.what === 'true or false' ? 'bool' : (Object.keys(WORDS) as Kind[]).find((k) => k !== 'bool' && shape.what.startsWith(WORDS[k]));
  return kind && { kind, what: shape.what };
}
