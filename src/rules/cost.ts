import { lineColumn } from './literals.js';

/** A node of @marcbachmann/cel-js's parse tree, with where it starts in the expression. */
interface AstNode {
  op: string;
  args: unknown;
  pos?: number;
  end?: number;
}

const isNode = (x: unknown): x is AstNode => !!x && typeof x === 'object' && typeof (x as AstNode).op === 'string';

/** The macros that run their body once per element of their list (or key of their map). */
const COMPREHENSIONS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);
/** How deep comprehensions may nest: one inside another (a list against a list), no deeper. */
export const MAX_NESTING = 2;
/** How often nested comprehensions over lists of literals alone may run their innermost body. */
export const MAX_LITERAL_ITERATIONS = 10_000;

/**
 * Why the tree's comprehensions may run too long for one evaluation, or undefined. Nested
 * comprehensions multiply (three lists of 1,000 nested: 10⁹ runs of the body, minutes of a
 * blocked event loop), and the evaluator has no budget to stop one. Refused: nesting deeper than
 * MAX_NESTING, and nested lists of literals whose lengths multiply past MAX_LITERAL_ITERATIONS.
 * A comprehension over another's result (`xs.map(…).exists(…)`) runs one after the other: not
 * nested. Walks the tree without recursion.
 *
 * @example
 * costProblem(ruleTree('xs.all(a, ys.all(b, zs.exists(c, a == b)))'), '…'); // 'its comprehensions nest 3 deep …'
 */
export function costProblem(ast: unknown, expression: string): string | undefined {
  // Each node with the lengths of the lists of the comprehensions around it (undefined: from data).
  const stack: [unknown, (number | undefined)[]][] = [[ast, []]];
  while (stack.length > 0) {
    const [node, outer] = stack.pop()!;
    if (Array.isArray(node)) {
      for (const n of node) stack.push([n, outer]);
      continue;
    }
    if (!isNode(node) || node.op === 'value') continue;
    const [fn, target, list] = Array.isArray(node.args) ? (node.args as unknown[]) : [];
    if (node.op === 'rcall' && typeof fn === 'string' && COMPREHENSIONS.has(fn) && Array.isArray(list) && list.length >= 2 && isNode(list[0]) && list[0].op === 'id') {
      const levels = [...outer, literalSize(target)];
      const at = `\`${called(expression, node, target, fn)}\` at ${lineColumn(expression, node.pos ?? 0)}`;
      if (levels.length > MAX_NESTING) return `its comprehensions nest ${levels.length} deep (${at}); at most ${MAX_NESTING}: each level runs once per element of its list, and the levels multiply`;
      const runs = levels.reduce<number>((product, size) => product * (size ?? 0), 1);
      if (levels.length > 1 && runs > MAX_LITERAL_ITERATIONS) return `its nested comprehensions run their innermost body ${runs} times (${levels.join(' × ')} literals, ${at}); at most ${MAX_LITERAL_ITERATIONS}: test membership with \`in\` instead`;
      // The list is evaluated once, outside; the body once per element, inside.
      stack.push([target, outer], [list.slice(1), levels]);
      continue;
    }
    if (Array.isArray(node.args) || isNode(node.args)) stack.push([node.args, outer]);
  }
  return undefined;
}

/** The call as written (`traits.xs.exists(…)`), its list shown as `…` when long. */
function called(expression: string, node: AstNode, target: unknown, fn: string): string {
  const list = isNode(target) && target.end !== undefined ? expression.slice(node.pos ?? 0, target.end) : '…';
  return `${list.length > 40 || list.includes('\n') ? '…' : list}.${fn}(…)`;
}

/** The length of a list or map literal; undefined for anything else (its length comes from data). */
function literalSize(node: unknown): number | undefined {
  return isNode(node) && (node.op === 'list' || node.op === 'map') && Array.isArray(node.args) ? node.args.length : undefined;
}
