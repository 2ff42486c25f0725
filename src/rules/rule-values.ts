import { isNode } from './rule-kinds.js';
import { chainOf, notDefined, shown, type Shape } from './rule-names.js';
import { firstInRule } from './rule-walk.js';

type Values = NonNullable<Extract<Shape, { kind: 'value' }>['values']>;

/**
 * The sentence refusing a rule that compares a value whose strings the configuration names
 * (`lifecycle.stage`: the stages defined, rule-scope.ts) with a string literal it does not name —
 * by `==`, `!=` or `in [...]` — with the closest name: a misspelt stage holds for no subject
 * (`==`) or for all (`!=`), as a misspelt feature would. Undefined when none.
 *
 * @example
 * valueProblem('lifecycle.stage == "loyl"', 'audiences[0].when', segmentScope(features, configured, { stages: ['new', 'loyal'], valueTiers: [] }));
 * // 'The rule in `audiences[0].when` compares `lifecycle.stage` with `"loyl"`, which is not a lifecycle stage: did you mean `"loyal"`? The stages are new, loyal. As written, `==` would be false for every subject.'
 */
export function valueProblem(expression: string, field: string, scope: Readonly<Record<string, Shape>>, each = 'subject'): string | undefined {
  const m = valueMismatch(expression, scope, each);
  return m && `The rule in \`${field}\` ${m.compares}`;
}

/**
 * The first comparison of {@link valueProblem} in a rule, as the path compared and the sentence's
 * part from "compares" ({@link valueMismatches}' first).
 *
 * @example
 * valueMismatch('lifecycle.stage == "churning"', { lifecycle: lifecycleShape }); // { path: ['lifecycle', 'stage'], compares: 'compares `lifecycle.stage` with `"churning"`, which is not a lifecycle stage: … As written, `==` would be false for every subject.' }
 */
export function valueMismatch(expression: string, scope: Readonly<Record<string, Shape>>, each = 'subject'): { path: string[]; compares: string } | undefined {
  return valueMismatches(expression, scope, each, 1)[0];
}

/**
 * Every comparison of {@link valueProblem} in a rule (up to `max`), in the order written, one per
 * name it compares with that the configuration does not define: for a warning that names the rule
 * its own way (a lifecycle that no longer defines a stage a stored rule compares with,
 * src/profiles/lifecycle-uses.ts). Of a list (`in [...]`) holding defined names too, the sentence
 * says that entry never matches (until 2026-12-06 it said `in` would never find the value there).
 *
 * @example
 * valueMismatches('lifecycle.valueTier != "gold" && lifecycle.stage in ["prospect", "active"]', scope).length; // 2, with neither defined
 */
export function valueMismatches(expression: string, scope: Readonly<Record<string, Shape>>, each = 'subject', max = Infinity): { path: string[]; compares: string }[] {
  const found: { path: string[]; compares: string }[] = [];
  firstInRule(expression, (x, bound) => {
    if ((x.op === '==' || x.op === '!=' || x.op === 'in') && Array.isArray(x.args) && x.args.length === 2) {
      const [a, b] = x.args as unknown[];
      // `value in ["…"]`, and `"…" in list` of a list whose entries the configuration names (`"churn_risk" in segments`).
      const pairs: [unknown, unknown, boolean][] = x.op === 'in' ? [[a, b, false], [b, a, true]] : [[a, b, false], [b, a, false]];
      for (const [path, other, entry] of pairs) {
        const at = valuesAt(path, scope, bound);
        if (!at) continue;
        const listed = literals(other, x.op === 'in' && !entry);
        const unknown = listed.filter((s) => !at.values.names.includes(s));
        for (const name of unknown) {
          const outcome = entry
            ? `\`in\` would be false for every ${each}`
            : x.op !== 'in' ? `\`${x.op}\` would be ${x.op === '==' ? 'false' : 'true'} for every ${each}` : unknown.length === listed.length ? `\`in\` would never find \`${shown(at.path)}\` there` : `that entry of the list never matches`;
          found.push({ path: at.path, compares: `compares \`${shown(at.path)}\` with \`${JSON.stringify(name)}\`, which is not ${notDefined(name, { ...at.values, names: Object.fromEntries(at.values.names.map((n) => [n, true])) }, (n) => JSON.stringify(n))} As written, ${outcome}.` });
          if (found.length >= max) return 'enough';
        }
        if (unknown.length) break;
      }
    }
    return undefined;
  });
  return found;
}

/** The path at `node` and the strings `scope` says it may hold, when it declares them. */
function valuesAt(node: unknown, scope: Readonly<Record<string, Shape>>, bound: ReadonlySet<string>): { path: string[]; values: Values } | undefined {
  const path = isNode(node) ? chainOf(node) : undefined;
  if (!path || bound.has(path[0]) || !Object.hasOwn(scope, path[0])) return undefined;
  let shape: Shape = scope[path[0]];
  for (const name of path.slice(1)) {
    if (shape.kind === 'keys') shape = shape.each;
    else if (shape.kind === 'names' && Object.hasOwn(shape.names, name)) shape = shape.names[name];
    else return undefined;
  }
  return shape.kind === 'value' && shape.values ? { path, values: shape.values } : undefined;
}

/** The string literals `node` is (a string literal), or holds (a list literal, for `in`). */
function literals(node: unknown, list: boolean): string[] {
  if (!isNode(node)) return [];
  if (node.op === 'value') return typeof node.args === 'string' ? [node.args] : [];
  return list && node.op === 'list' && Array.isArray(node.args) ? node.args.flatMap((n) => literals(n, false)) : [];
}
