import { Environment } from '@marcbachmann/cel-js';
import { TactError } from '../errors/tact-error.js';
import { unsafeRegex } from './regex-safety.js';

/**
 * CEL (Common Expression Language) for every rule expression in Tact: eligibility, audiences,
 * lifecycle stages, value tiers, feature filters. Expressions are compiled once and cached.
 * Library choice and measurements: docs/adr/0002-cel-library.md.
 *
 * Numbers that come from data (event properties, features) are CEL doubles: compare them with
 * any number, but write arithmetic with a decimal point (`features.orders + 1.0`), as CEL does
 * not add an int to a double.
 */
export type CompiledRule = (vars: Record<string, unknown>) => unknown;

const env = new Environment({ unlistedVariablesAreDyn: true, homogeneousAggregateLiterals: false });
const cache = new Map<string, CompiledRule>();
const MAX_CACHE = 10_000;

/**
 * Compiles (or returns the cached compilation of) a CEL expression. Throws a 400 TactError naming
 * `field` when the expression does not parse.
 *
 * @example
 * const rule = compileRule('features.orders > 3', 'eligibility');
 * rule({ features: { orders: 5 } }); // true
 */
export function compileRule(expression: string, field = 'expression'): CompiledRule {
  const hit = cache.get(expression);
  if (hit) return hit;
  let parsed: ReturnType<typeof env.parse>;
  try {
    parsed = env.parse(expression);
  } catch (err) {
    throw new TactError('invalid_expression', { field, detail: firstLine(err) });
  }
  const unsafe = unsafePattern((parsed as unknown as { ast: unknown }).ast);
  if (unsafe) throw new TactError('invalid_expression', { field, detail: unsafe });
  const compiled: CompiledRule = (vars) => parsed(vars);
  if (cache.size >= MAX_CACHE) cache.delete(cache.keys().next().value as string);
  cache.set(expression, compiled);
  return compiled;
}

/** A node of @marcbachmann/cel-js's parse tree, as far as variablePaths reads it. */
interface AstNode {
  op: string;
  args: unknown;
}

const isNode = (x: unknown): x is AstNode => !!x && typeof x === 'object' && typeof (x as AstNode).op === 'string';

/**
 * Why a `matches` in the expression is refused, or undefined. The library runs `matches` with
 * JavaScript's backtracking RegExp (CEL specifies RE2, which runs in linear time), and rules run
 * on what customers send: a pattern with a repetition inside a repetition (`(a+)+$`) can take
 * exponential time on a crafted value and hold up every decision. So the pattern must be a
 * literal, and one of star height 1 (regex-safety.ts).
 */
function unsafePattern(ast: unknown): string | undefined {
  const visit = (node: unknown): string | undefined => {
    if (Array.isArray(node)) {
      for (const n of node) {
        const r = visit(n);
        if (r) return r;
      }
      return undefined;
    }
    if (!isNode(node)) return undefined;
    const args = node.args as unknown[];
    const pattern = node.op === 'rcall' && args[0] === 'matches' ? (args[2] as unknown[])?.[0] : node.op === 'call' && args[0] === 'matches' ? (args[1] as unknown[])?.[1] : undefined;
    if (pattern !== undefined) {
      if (!isNode(pattern) || pattern.op !== 'value' || typeof pattern.args !== 'string') return '`matches` takes a literal pattern in Tact rules (so that it can be checked before it runs on what customers send)';
      const why = unsafeRegex(pattern.args);
      if (why) return `in \`matches\`, ${why}`;
    }
    return Array.isArray(node.args) ? visit(node.args) : undefined;
  };
  return visit(ast);
}

/**
 * The parse tree of an expression ({op, args} nodes), or undefined when it does not parse.
 *
 * @example
 * ruleTree('has(traits.plan)'); // { op: 'call', args: ['has', [{ op: '.', … }]] }
 */
export function ruleTree(expression: string): unknown {
  try {
    return (env.parse(expression) as unknown as { ast: unknown }).ast;
  } catch {
    return undefined;
  }
}

/**
 * How an expression uses the variable `name`: the member paths it reads from it (`action.value`
 * → ['value'], `action.properties["sku"]` → ['properties', 'sku']), or undefined when it uses the
 * variable in any other way — whole (`f(action)`, `action == x`), by a computed key, through an
 * optional selection, or as a comprehension's variable. An empty list: the expression never
 * names it. An expression that reads only these paths gives the same result for two values of
 * the variable that agree on them (the decision pipeline shares a rule's result between
 * candidates that way).
 *
 * @example
 * variablePaths('action.value < 40.0 || features.revenue >= 100.0', 'action'); // [['value']]
 * variablePaths('f(action)', 'action'); // undefined
 */
export function variablePaths(expression: string, name: string): string[][] | undefined {
  let ast: unknown;
  try {
    ast = (env.parse(expression) as unknown as { ast: unknown }).ast;
  } catch {
    return undefined;
  }
  const paths = new Map<string, string[]>();
  // The chain of constant member names from `name` down to `node`, or undefined.
  const chain = (node: AstNode): string[] | undefined => {
    if (node.op === 'id') return node.args === name ? [] : undefined;
    if ((node.op !== '.' && node.op !== '[]') || !Array.isArray(node.args)) return undefined;
    const [obj, key] = node.args as [unknown, unknown];
    if (!isNode(obj)) return undefined;
    if (node.op === '.' && typeof key === 'string') return chain(obj)?.concat(key);
    if (node.op === '[]' && isNode(key) && key.op === 'value' && typeof key.args === 'string') return chain(obj)?.concat(key.args);
    return undefined;
  };
  let other = false;
  const visit = (x: unknown): void => {
    if (other) return;
    if (Array.isArray(x)) return x.forEach(visit);
    if (!isNode(x)) return;
    if (x.op === '.' || x.op === '[]') {
      const path = chain(x);
      if (path) {
        paths.set(JSON.stringify(path), path);
        return;
      }
    }
    if (x.op === 'id') {
      if (x.args === name) other = true;
      return;
    }
    if (x.op === 'value') return;
    visit(x.args);
  };
  try {
    visit(ast);
  } catch {
    return undefined; // a tree this reading does not know: evaluate per candidate
  }
  return other ? undefined : [...paths.values()];
}

/** The outcome of evaluating a rule: its value, or the sentence saying why it could not be evaluated. */
export type RuleResult = { ok: true; value: unknown } | { ok: false; error: string };

/**
 * Evaluates a compiled rule without throwing: a missing field or a type mismatch becomes an error
 * result that the caller turns into a verdict ("the rule could not be evaluated: No such key: plan").
 *
 * @example
 * evaluateRule(compileRule('traits.plan == "pro"'), { traits: {} }); // { ok: false, error: 'No such key: plan' }
 */
export function evaluateRule(rule: CompiledRule, vars: Record<string, unknown>): RuleResult {
  try {
    return { ok: true, value: normalise(rule(vars)) };
  } catch (err) {
    return { ok: false, error: firstLine(err) };
  }
}

/**
 * Evaluates a rule that must yield a boolean: true admits, anything else (false, an error, a
 * non-boolean) does not, and the reason says which.
 *
 * @example
 * testRule(compileRule('1 > 0'), {}); // { pass: true }
 */
export function testRule(rule: CompiledRule, vars: Record<string, unknown>): { pass: boolean; error?: string } {
  const r = evaluateRule(rule, vars);
  return r.ok ? conditionOf(r.value) : { pass: false, error: r.error };
}

/**
 * The verdict of a condition's value: true admits; false does not; a non-boolean does not, and
 * says so.
 *
 * @example
 * conditionOf(3); // { pass: false, error: 'the expression gave number, not a boolean' }
 */
export function conditionOf(value: unknown): { pass: boolean; error?: string } {
  const v = normalise(value);
  if (typeof v !== 'boolean') return { pass: false, error: `the expression gave ${typeof v}, not a boolean` };
  return { pass: v };
}

/**
 * Why a rule's evaluation threw, in the words testRule gives (to explain an error already caught
 * without evaluating the rule again).
 *
 * @example
 * try { rule(vars); } catch (e) { ruleError(e); } // 'No such key: plan'
 */
export function ruleError(err: unknown): string {
  return firstLine(err);
}

/** Validates an expression at authoring time (throws a 400 naming the field). */
export function checkRule(expression: unknown, field: string): string {
  if (typeof expression !== 'string' || expression.trim() === '') {
    throw new TactError('invalid_expression', { field, detail: 'it must be a non-empty string' });
  }
  compileRule(expression, field);
  return expression;
}

function normalise(v: unknown): unknown {
  return typeof v === 'bigint' ? Number(v) : v;
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0].trim();
}
