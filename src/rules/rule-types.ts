import { ruleTree } from './cel.js';
import { nameProblem, type Shape } from './rule-names.js';

/** What a value in a rule is, where the check can know it. */
type Kind = 'number' | 'string' | 'bool' | 'timestamp' | 'duration' | 'list' | 'map' | 'bytes' | 'null';

/** A side of a comparison: its text, its kind, and the words saying what it holds. */
interface Side {
  text: string;
  kind: Kind;
  what: string;
  declared: boolean;
}

interface AstNode {
  op: string;
  args: unknown;
  start?: number;
  end?: number;
}

const isNode = (x: unknown): x is AstNode => !!x && typeof x === 'object' && typeof (x as AstNode).op === 'string';
const ORDER = new Set(['<', '<=', '>', '>=']);
const WORDS: Record<Kind, string> = { number: 'a number', string: 'a string', bool: 'true or false', timestamp: 'a timestamp', duration: 'a duration', list: 'a list', map: 'a map', bytes: 'bytes', null: 'null' };

/**
 * The sentence refusing a comparison in a rule between a value `scope` declares (rule-names.ts:
 * `features.orders` is a count feature's number, `microSegment` a number, `item.price` a number
 * when every item priced has a number) and one of another type: CEL cannot order the two
 * (`features.orders > "x"` fails for every subject) and values of two types are never equal
 * (`microSegment == "x"` is false for everyone, `!=` true).
 * Undefined when every comparison may hold: a value from data (`traits.x`, a last_value feature),
 * numbers of either kind, `== null` / `!= null`, or a kind the check cannot tell. Variables are
 * dynamic to CEL's own check (cel.ts), which cannot see this. `each` names what the rule is
 * evaluated for in the sentence ("for every subject"; a feature's `where`: "for every event").
 *
 * @example
 * comparisonProblem('features.orders > "x"', 'audiences[0].when', segmentScope(features));
 * // 'The rule in `audiences[0].when` compares `features.orders`, a number (a count feature), with `"x"`, a string: the two cannot be ordered, …'
 */
export function comparisonProblem(expression: string, field: string, scope: Readonly<Record<string, Shape>>, each = 'subject'): string | undefined {
  const stack: unknown[] = [ruleTree(expression)];
  while (stack.length) {
    const x = stack.pop();
    if (Array.isArray(x)) {
      stack.push(...[...x].reverse()); // the first comparison written is the one named
      continue;
    }
    if (!isNode(x) || x.op === 'value') continue;
    if ((ORDER.has(x.op) || x.op === '==' || x.op === '!=') && Array.isArray(x.args) && x.args.length === 2) {
      const [a, b] = x.args.map((n) => sideOf(n, expression, scope));
      const problem = a && b && (a.declared || b.declared) ? mismatch(x.op, a, b, each) : undefined;
      if (problem) return `The rule in \`${field}\` compares \`${a!.text}\`, ${a!.what}, with \`${b!.text}\`, ${b!.what}: ${problem}. Compare it with ${WORDS[(a!.declared ? a! : b!).kind]}.`;
    }
    if (Array.isArray(x.args) || isNode(x.args)) stack.push(x.args);
  }
  return undefined;
}

/**
 * The sentence refusing a rule written against a declared `scope` that cannot work as meant: it
 * reads a name `scope` does not declare, gives whole a value that is not true or false
 * (nameProblem), or compares values of two types (comparisonProblem). Undefined when neither.
 * Every check of a rule against its variables when it is written (segments, policy, catalog,
 * lifecycle, batch audiences, recommendation rules, a feature's `where` — `each` 'event' there)
 * goes through this.
 *
 * @example
 * ruleProblem('features.orders >= "3"', 'levers[0].when', decisionScope(features));
 * // 'The rule in `levers[0].when` compares `features.orders`, a number (a count feature), with `"3"`, a string: …'
 */
export function ruleProblem(expression: string, field: string, scope: Readonly<Record<string, Shape>>, each = 'subject'): string | undefined {
  return nameProblem(expression, field, scope) ?? comparisonProblem(expression, field, scope, each);
}

/** Why comparing `a` with `b` by `op` cannot hold, or undefined (`each`: what the rule is evaluated for, a subject or an event). */
function mismatch(op: string, a: Side, b: Side, each: string): string | undefined {
  if (ORDER.has(op)) {
    const orderable = a.kind === b.kind && a.kind !== 'null' && a.kind !== 'list' && a.kind !== 'map';
    return orderable ? undefined : `the two cannot be ordered, so the rule would fail for every ${each}`;
  }
  if (a.kind === b.kind || a.kind === 'null' || b.kind === 'null') return undefined;
  return `values of two types are never equal, so \`${op}\` would be ${op === '==' ? 'false' : 'true'} for every ${each}`;
}

/** What a side of a comparison is: a path `scope` declares, a literal, or a call or sum of them. */
function sideOf(node: unknown, expression: string, scope: Readonly<Record<string, Shape>>): Side | undefined {
  if (!isNode(node)) return undefined;
  const text = node.start !== undefined && node.end !== undefined ? expression.slice(node.start, node.end) : '…';
  const declared = declaredKind(node, scope);
  if (declared) return { text, ...declared, declared: true };
  const kind = literalKind(node, expression, scope);
  return kind && { text, kind, what: WORDS[kind], declared: false };
}

/** The kind of a literal, a conversion (`duration("1h")`) or time arithmetic (`now - duration("1h")`). */
function literalKind(node: AstNode, expression: string, scope: Readonly<Record<string, Shape>>): Kind | undefined {
  const v = node.args;
  if (node.op === 'value') {
    if (v === null) return 'null';
    if (typeof v === 'string') return 'string';
    if (typeof v === 'boolean') return 'bool';
    if (typeof v === 'number' || typeof v === 'bigint' || v?.constructor?.name === 'UnsignedInt') return 'number';
    return v instanceof Uint8Array ? 'bytes' : undefined;
  }
  if (node.op === 'list' || node.op === 'map') return node.op;
  if (node.op === '-_') return isNode(v) && literalKind(v, expression, scope) === 'number' ? 'number' : undefined;
  if (node.op === 'call' && Array.isArray(v)) return ({ duration: 'duration', timestamp: 'timestamp', string: 'string', int: 'number', uint: 'number', double: 'number', size: 'number' } as Record<string, Kind>)[String(v[0])];
  if ((node.op === '+' || node.op === '-') && Array.isArray(v)) {
    const [a, b] = v.map((n) => sideOf(n, expression, scope)?.kind);
    if (a === 'timestamp' && b === 'duration') return 'timestamp';
    if (a === 'duration' && b === 'timestamp' && node.op === '+') return 'timestamp';
    if (a === 'timestamp' && b === 'timestamp' && node.op === '-') return 'duration';
    if (a === b && (a === 'number' || a === 'duration' || (a === 'string' && node.op === '+'))) return a;
  }
  return undefined;
}

/** The kind a path of constant names holds by `scope`, or undefined (from data, or not a path). */
function declaredKind(node: AstNode, scope: Readonly<Record<string, Shape>>): { kind: Kind; what: string } | undefined {
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
  if (typeof n.args !== 'string' || !Object.hasOwn(scope, n.args)) return undefined;
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
