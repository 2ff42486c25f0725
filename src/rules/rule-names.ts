import { ruleTree } from './cel.js';
import { notACondition } from './condition.js';
import { editDistance } from '../errors/edit-distance.js';

/**
 * What a rule may read under a name, for the check that the names a rule reads exist. Variables
 * are dynamic to CEL here (cel.ts), so a misspelt feature compiles, and then never holds — or
 * holds for everyone, under a `!has(…)`. The shapes declare what a rule's variables hold:
 * - `open`: anything below is data (traits, a last_value feature): not checked;
 * - `names`: a declared set (the features defined, an estimate's fields), each with its shape;
 * - `keys`: any key (event names come from data), each with the shape `each`;
 * - `value`: a number, a timestamp, a list: it has no fields. `what` says what it holds, for the
 *   sentences naming it; 'true or false' for a boolean, the one value a rule may give whole
 *   (`consent.Email`), as a rule is a condition (condition.ts). `values`, when the configuration
 *   names every string it may hold (`lifecycle.stage`: the stages defined), for the check that a
 *   rule compares it only with one of them (rule-values.ts).
 *
 * @example
 * const features: Shape = { kind: 'names', noun: 'defined feature', plural: 'features', names: { orders: { kind: 'value', what: 'a number' } } };
 */
export type Shape =
  | { kind: 'open' }
  | { kind: 'names'; noun: string; plural: string; names: Readonly<Record<string, Shape>> }
  | { kind: 'keys'; each: Shape }
  | { kind: 'value'; what: string; values?: { noun: string; plural: string; names: readonly string[] } };

/** CEL's own identifiers (type names, the `cel` namespace, protobuf type names): never a variable of ours. */
const BUILTIN = new Set(['int', 'uint', 'double', 'bool', 'string', 'bytes', 'list', 'map', 'null_type', 'type', 'cel', 'google']);

/** Macros whose leading identifiers are variables bound inside them (`list.exists(p, p > 1)`, `m.all(k, v, …)`). */
const MACROS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);

/**
 * The sentence saying which name `expression` reads that `scope` (the variables the rule sees)
 * does not declare, with the closest declared name; or, when it reads only declared names, that
 * it gives whole a value `scope` declares is not true or false (`features.orders`: a count
 * feature's number — a rule is a condition, condition.ts). Undefined when neither (or when the
 * expression does not parse: the parser says why). Only names written as constants are checked:
 * `features[traits.k]` cannot be known before it runs.
 *
 * @example
 * nameProblem('features.purchses > 2.0', 'audiences[0].when', scope);
 * // 'The rule in `audiences[0].when` reads `features.purchses`, which is not a defined feature: did you mean `features.purchases`? The features are orders, purchases.'
 * nameProblem('features.orders', 'audiences[0].when', scope);
 * // 'The rule in `audiences[0].when` gives `features.orders`, a number (a count feature), not true or false: write a comparison such as `features.orders > 0`.'
 */
export function nameProblem(expression: string, field: string, scope: Readonly<Record<string, Shape>>): string | undefined {
  const ast = ruleTree(expression);
  if (ast === undefined) return undefined;
  const root: Shape = { kind: 'names', noun: 'variable this rule sees', plural: 'variables', names: scope };
  for (const path of readPaths(ast)) {
    if (BUILTIN.has(path[0]) && !(path[0] in scope)) continue;
    let shape: Shape = root;
    for (let i = 0; i < path.length; i++) {
      const name = path[i];
      if (shape.kind === 'open') break;
      if (shape.kind === 'keys') {
        shape = shape.each;
        continue;
      }
      if (shape.kind === 'value') return `The rule in \`${field}\` reads \`${shown(path.slice(0, i + 1))}\`, but \`${shown(path.slice(0, i))}\` is ${shape.what}, which has no fields.`;
      const next: Shape | undefined = Object.hasOwn(shape.names, name) ? shape.names[name] : undefined;
      if (!next) return `The rule in \`${field}\` reads \`${shown(path.slice(0, i + 1))}\`, which is not ${notDefined(name, shape, (n) => shown([...path.slice(0, i), n]))}`;
      shape = next;
    }
  }
  const gives = givesWhole(ast, root);
  return gives && notACondition(field, gives.path, `\`${gives.path}\`, ${gives.what}`).message;
}

/**
 * The path a rule gives whole, and what `root` declares it holds, when that is not true or false:
 * the rule is the path (`features.orders`), or a choice between two such (`c ? a : b`). Undefined
 * when the value may be true or false: declared so, from data (`traits.vip`), or not a path.
 */
function givesWhole(node: unknown, root: Shape): { path: string; what: string } | undefined {
  if (!isNode(node)) return undefined;
  if (node.op === '?:' && Array.isArray(node.args)) {
    const [, a, b] = node.args as unknown[];
    const x = givesWhole(a, root);
    return x && givesWhole(b, root) && x;
  }
  const path = chainOf(node);
  if (!path) return undefined;
  let shape = root;
  for (const name of path) {
    if (shape.kind === 'keys') shape = shape.each;
    else if (shape.kind === 'names' && Object.hasOwn(shape.names, name)) shape = shape.names[name];
    else return undefined;
  }
  if (shape.kind === 'open' || (shape.kind === 'value' && shape.what === 'true or false')) return undefined;
  const what = shape.kind === 'value' ? shape.what : shape.kind === 'names' ? `a map of the ${shape.plural}` : 'a map';
  return { path: shown(path), what };
}

/**
 * The rest of the sentence for a name a declared set does not hold: "a defined feature: did you
 * mean `orders`? The features are orders, revenue." (`show` writes a name as the rule would).
 *
 * @example
 * `The \`microSegments.features[0]\` names \`ordrs\`, which is not ${notDefined('ordrs', featuresShape)}`;
 */
export function notDefined(name: string, set: { noun: string; plural: string; names: Readonly<Record<string, unknown>> }, show: (name: string) => string = (n) => n): string {
  const known = Object.keys(set.names);
  const near = closest(name, known);
  const list = known.length === 0 ? `No ${set.plural} are defined.` : `The ${set.plural} are ${known.length > 30 ? `${known.slice(0, 30).join(', ')} and ${known.length - 30} more` : known.join(', ')}.`;
  return `${/^[aeiou]/i.test(set.noun) ? 'an' : 'a'} ${set.noun}${near ? `: did you mean \`${show(near)}\`?` : '.'} ${list}`;
}

/**
 * The names `expression` reads under the variable `name` (`features.orders`, `features["x"]` →
 * orders, x), in order of first use; none when it does not parse.
 *
 * @example
 * namesRead('features.orders > 1.0 && has(features.revenue)', 'features'); // ['orders', 'revenue']
 */
export function namesRead(expression: string, name: string): string[] {
  const ast = ruleTree(expression);
  if (ast === undefined) return [];
  const out = new Set<string>();
  for (const p of readPaths(ast)) if (p[0] === name && p.length > 1) out.add(p[1]);
  return [...out];
}

/** A node of @marcbachmann/cel-js's parse tree. */
interface AstNode {
  op: string;
  args: unknown;
}

const isNode = (x: unknown): x is AstNode => !!x && typeof x === 'object' && typeof (x as AstNode).op === 'string';

/**
 * Every path of constant names the tree reads from a free variable: `features.orders` →
 * ['features', 'orders'], `events["Order Completed"].count` → ['events', 'Order Completed',
 * 'count']; a path stops at a computed key or an index. A comprehension's variables
 * (`exists(p, …)`, `cel.bind(x, …)`) are not free inside it. Walks without recursion.
 */
function readPaths(ast: unknown): string[][] {
  const out: string[][] = [];
  const stack: [unknown, ReadonlySet<string>][] = [[ast, new Set()]];
  while (stack.length > 0) {
    const [x, bound] = stack.pop()!;
    if (Array.isArray(x)) {
      for (let i = x.length - 1; i >= 0; i--) stack.push([x[i], bound]);
      continue;
    }
    if (!isNode(x) || x.op === 'value') continue;
    const path = chainOf(x);
    if (path) {
      if (!bound.has(path[0])) out.push(path);
      continue;
    }
    stack.push(...scopedChildren(x, bound));
  }
  return out;
}

/**
 * The children of a node to walk, each with the names bound inside it, in the order to push them
 * on a walk's stack (the last is walked first): a comprehension's variables (`exists(p, …)`,
 * `cel.bind(x, …)`) are bound in its body, not in the list or value it reads.
 *
 * @example
 * scopedChildren(ruleTree('xs.exists(p, p > 1)'), new Set()); // [[[p > 1], {p}], [xs, {}]]
 */
export function scopedChildren(x: AstNode, bound: ReadonlySet<string>): [unknown, ReadonlySet<string>][] {
  const args = x.args as unknown[];
  if (x.op === 'rcall' && Array.isArray(args[2])) {
    const [fn, target, list] = args as [unknown, unknown, unknown[]];
    const vars: string[] = [];
    while (vars.length < list.length - 1 && isNode(list[vars.length]) && (list[vars.length] as AstNode).op === 'id') vars.push((list[vars.length] as AstNode).args as string);
    const isCel = isNode(target) && target.op === 'id' && target.args === 'cel' && !bound.has('cel');
    // cel.bind(x, value, body): the value is read outside, the body with x bound.
    if (fn === 'bind' && isCel && vars.length > 0 && list.length === 3) return [[list[2], new Set([...bound, vars[0]])], [list[1], bound]];
    if (typeof fn === 'string' && MACROS.has(fn) && vars.length > 0) return [[list.slice(vars.length), new Set([...bound, ...vars])], [target, bound]];
  }
  // A unary operator (`!`, `-`) holds its operand itself, not in a list.
  return Array.isArray(x.args) || isNode(x.args) ? [[x.args, bound]] : [];
}

/**
 * The names from a variable down to `node` when each step is a constant name, else undefined.
 *
 * @example
 * chainOf(ruleTree('events["Signup"].count')); // ['events', 'Signup', 'count']
 */
export function chainOf(node: AstNode): string[] | undefined {
  const keys: string[] = [];
  let n: unknown = node;
  for (;;) {
    if (!isNode(n)) return undefined;
    if (n.op === 'id') return typeof n.args === 'string' ? [n.args, ...keys.reverse()] : undefined;
    if ((n.op !== '.' && n.op !== '[]') || !Array.isArray(n.args)) return undefined;
    const [obj, key] = n.args as [unknown, unknown];
    if (n.op === '.' && typeof key === 'string') keys.push(key);
    else if (n.op === '[]' && isNode(key) && key.op === 'value' && typeof key.args === 'string') keys.push(key.args);
    else return undefined;
    n = obj;
  }
}

/**
 * A path as a rule writes it: `features.orders`, `events["Order Completed"].count`.
 *
 * @example
 * shown(['events', 'Order Completed', 'count']); // 'events["Order Completed"].count'
 */
export function shown(path: readonly string[]): string {
  return path.map((k, i) => (i === 0 ? k : /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`)).join('');
}

/**
 * The known name closest to `name` by edit distance (case aside), when it is close enough to be
 * a slip: within 2 edits, or a third of the name's length for a long one.
 */
function closest(name: string, known: readonly string[]): string | undefined {
  const limit = Math.max(2, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = k.toLowerCase() === name.toLowerCase() ? 0 : editDistance(k.toLowerCase(), name.toLowerCase());
    if (d <= limit && d < bestD) {
      best = k;
      bestD = d;
    }
  }
  return best;
}

