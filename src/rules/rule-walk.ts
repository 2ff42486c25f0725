import { ruleTree } from './cel.js';
import { type AstNode, isNode } from './rule-kinds.js';
import { scopedChildren } from './rule-names.js';

/**
 * The first sentence `visit` gives for an operation of the rule, in the order the rule is written
 * (each operation before the ones inside it), or undefined: the walk every write-time check of a
 * rule's values shares (rule-types.ts, rule-values.ts). `bound` holds the names a comprehension
 * (`exists`, `all`, `map`…) binds where the operation is, which are not the scope's variables.
 *
 * @example
 * firstInRule('a == 1 && b == 2', (x) => (x.op === '==' ? 'found' : undefined)); // 'found'
 */
export function firstInRule(expression: string, visit: (x: AstNode, bound: ReadonlySet<string>) => string | undefined): string | undefined {
  const stack: [unknown, ReadonlySet<string>][] = [[ruleTree(expression), new Set()]];
  while (stack.length) {
    const [x, bound] = stack.pop()!;
    if (Array.isArray(x)) {
      for (let i = x.length - 1; i >= 0; i--) stack.push([x[i], bound]); // the first written is the one named
      continue;
    }
    if (!isNode(x) || x.op === 'value') continue;
    const found = visit(x, bound);
    if (found !== undefined) return found;
    stack.push(...scopedChildren(x, bound));
  }
  return undefined;
}
