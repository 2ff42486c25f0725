import { type Typed, typeOf, WORDS } from './rule-kinds.js';
import { nameProblem, type Shape } from './rule-names.js';
import { operationProblem } from './rule-operations.js';
import { valueProblem } from './rule-values.js';
import { firstInRule } from './rule-walk.js';

const ORDER = new Set(['<', '<=', '>', '>=']);

/**
 * The sentence refusing a comparison in a rule between a value `scope` declares (rule-names.ts:
 * `features.orders` is a count feature's number, `microSegment` a number, `item.price` a number
 * when every item priced has a number) and one of another type: CEL cannot order the two
 * (`features.orders > "x"` fails for every subject) and values of two types are never equal
 * (`microSegment == "x"` is false for everyone, `!=` true); or an operation on such a value that
 * cannot run (rule-operations.ts: `features.orders + 1` mixes a double with an int,
 * `size(features.revenue)` takes no number), which fails for every subject.
 * Undefined when every comparison may hold and every operation may run: a value from data (`traits.x`, a last_value feature),
 * numbers of either kind, `== null` / `!= null`, or a kind the check cannot tell. Variables are
 * dynamic to CEL's own check (cel.ts), which cannot see this. `each` names what the rule is
 * evaluated for in the sentence ("for every subject"; a feature's `where`: "for every event").
 *
 * @example
 * comparisonProblem('features.orders > "x"', 'audiences[0].when', segmentScope(features));
 * // 'The rule in `audiences[0].when` compares `features.orders`, a number (a count feature), with `"x"`, a string: the two cannot be ordered, …'
 */
export function comparisonProblem(expression: string, field: string, scope: Readonly<Record<string, Shape>>, each = 'subject'): string | undefined {
  return firstInRule(expression, (x, bound) => {
    if ((ORDER.has(x.op) || x.op === '==' || x.op === '!=') && Array.isArray(x.args) && x.args.length === 2) {
      const [a, b] = x.args.map((n) => typeOf(n, expression, scope, bound));
      const problem = a && b && (a.declared || b.declared) ? mismatch(x.op, a, b, each) : undefined;
      if (problem) return `The rule in \`${field}\` compares \`${a!.text}\`, ${a!.what}, with \`${b!.text}\`, ${b!.what}: ${problem}. Compare it with ${WORDS[(a!.declared ? a! : b!).kind]}.`;
    }
    return operationProblem(x, expression, field, scope, bound, each);
  });
}

/**
 * The sentence refusing a rule written against a declared `scope` that cannot work as meant: it
 * reads a name `scope` does not declare, gives whole a value that is not true or false
 * (nameProblem), or compares values of two types or operates on a value of a kind the operation
 * does not take (comparisonProblem), or compares `lifecycle.stage` (a value whose strings the
 * configuration names) with a name it does not define (valueProblem). Undefined when none.
 * Every check of a rule against its variables when it is written (segments, policy, catalog,
 * lifecycle, batch audiences, recommendation rules, a feature's `where` — `each` 'event' there)
 * goes through this.
 *
 * @example
 * ruleProblem('features.orders >= "3"', 'levers[0].when', decisionScope(features));
 * // 'The rule in `levers[0].when` compares `features.orders`, a number (a count feature), with `"3"`, a string: …'
 */
export function ruleProblem(expression: string, field: string, scope: Readonly<Record<string, Shape>>, each = 'subject'): string | undefined {
  return nameProblem(expression, field, scope) ?? comparisonProblem(expression, field, scope, each) ?? valueProblem(expression, field, scope, each);
}

/** Why comparing `a` with `b` by `op` cannot hold, or undefined (`each`: what the rule is evaluated for, a subject or an event). */
function mismatch(op: string, a: Typed, b: Typed, each: string): string | undefined {
  if (ORDER.has(op)) {
    const orderable = a.kind === b.kind && a.kind !== 'null' && a.kind !== 'list' && a.kind !== 'map';
    return orderable ? undefined : `the two cannot be ordered, so the rule would fail for every ${each}`;
  }
  if (a.kind === b.kind || a.kind === 'null' || b.kind === 'null') return undefined;
  return `values of two types are never equal, so \`${op}\` would be ${op === '==' ? 'false' : 'true'} for every ${each}`;
}
