import { Environment } from '@marcbachmann/cel-js';
import { TactError } from '../errors/tact-error.js';
import { runReadable } from './cel-readable.js';
import { celTypeGives, notACondition } from './condition.js';
import { costProblem } from './cost.js';
import { lineColumn, literalProblem } from './literals.js';
import { unsafeRegex } from './regex-safety.js';
import { foreignOperator } from './syntax-hints.js';

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

/**
 * The cache holds at most MAX_CACHE expressions and MAX_CACHE_CHARS characters of them (a parsed
 * expression takes some 50 bytes a character at worst: about 50 MB), the least recently used
 * going first. Expressions sent with a request (an audience, a segment preview) pass through
 * without piling up, and a rule in use stays compiled.
 */
const cache = new Map<string, CompiledRule>();
const MAX_CACHE = 10_000;
const MAX_CACHE_CHARS = 1_000_000;
let cachedChars = 0;

/**
 * How deep an expression's tree may go. The parser limits nesting by parentheses, not a long
 * chain of binary operators (`a || b || …`), which evaluates by recursion too: past some
 * thousands of levels it would overflow the stack for every subject.
 */
const MAX_TREE_DEPTH = 1000;

/**
 * Compiles (or returns the cached compilation of) a CEL expression. Throws a 400 TactError naming
 * `field` when the expression does not parse (saying at which line and column), is nested too
 * deeply, or has a `matches` pattern that may not run; and, when an operator writes it
 * (`authoring`), when it has a type error or gives a type that is not bool (`not_a_condition`:
 * every rule written is a condition).
 *
 * @example
 * const rule = compileRule('features.orders > 3', 'eligibility');
 * rule({ features: { orders: 5 } }); // true
 */
export function compileRule(expression: string, field = 'expression', o: { authoring?: boolean } = {}): CompiledRule {
  const hit = cache.get(expression);
  if (hit) {
    cache.delete(expression);
    cache.set(expression, hit);
    if (o.authoring) typeCheck(expression, field);
    return hit;
  }
  let parsed: ReturnType<typeof env.parse>;
  try {
    parsed = env.parse(expression);
  } catch (err) {
    const instead = err instanceof RangeError ? undefined : foreignOperator(expression);
    throw new TactError('invalid_expression', { field, detail: `${parseProblem(err, expression)}${instead ? `; ${instead}` : ''}` }, { at: field });
  }
  const unsafe = treeProblem((parsed as unknown as { ast: unknown }).ast);
  if (unsafe) throw new TactError('invalid_expression', { field, detail: unsafe }, { at: field });
  if (o.authoring) typeCheck(expression, field);
  const compiled: CompiledRule = (vars) => parsed(vars);
  if (expression.length <= MAX_CACHE_CHARS) {
    cachedChars += expression.length;
    while (cache.size >= MAX_CACHE || cachedChars > MAX_CACHE_CHARS) {
      const oldest = cache.keys().next().value as string;
      cache.delete(oldest);
      cachedChars -= oldest.length;
    }
    cache.set(expression, compiled);
  }
  return compiled;
}

/**
 * A type error the variables cannot change (`1 == 1.0`, an unknown function) or a literal
 * duration or timestamp CEL cannot read (`duration("30d")`: literals.ts) would fail for every
 * subject — and comprehensions nested so that one evaluation runs for minutes (cost.ts) would stall
 * every decision — and so would a rule whose type is known not to be bool (`features.orders + 1.0`, a
 * double; `size(x)`): every rule written is a condition (condition.ts). Refused when a rule is
 * written (`authoring`), not when a stored one loads — a server whose stored configuration holds
 * one still starts, and the rule excludes with its reason. A `dyn` result (a value from data) may
 * be bool when it runs: taken. Checked on a fresh parse, so evaluation types its own tree.
 */
function typeCheck(expression: string, field: string): void {
  const typed = env.check(expression);
  if (!typed.valid) throw new TactError('invalid_expression', { field, detail: parseProblem(typed.error, expression) }, { at: field });
  const ast = ruleTree(expression);
  const problem = literalProblem(ast, expression) ?? costProblem(ast, expression);
  if (problem) throw new TactError('invalid_expression', { field, detail: problem }, { at: field });
  const gives = typed.type === undefined ? undefined : celTypeGives(typed.type);
  if (gives) throw notACondition(field, expression, gives);
}

/** Why an expression did not parse, with the line and column where it went wrong. */
function parseProblem(err: unknown, expression: string): string {
  if (err instanceof RangeError) return nestedTooDeeply;
  const e = err as { summary?: unknown; code?: unknown; range?: { start?: unknown } };
  if (typeof e.summary !== 'string') return firstLine(err);
  const start = e.range?.start;
  let what = e.summary.replace(/\.$/, '');
  if (typeof start === 'number') what += ` at ${lineColumn(expression, start)}`;
  return e.code === 'limit_exceeded' ? `it is too long or nested too deeply (${what})` : numberHint(what);
}

const nestedTooDeeply = `it is nested too deeply (more than ${MAX_TREE_DEPTH} levels): split it, or use \`in [...]\` for a long list of alternatives`;

/** A node of @marcbachmann/cel-js's parse tree, as far as variablePaths reads it. */
interface AstNode {
  op: string;
  args: unknown;
}

const isNode = (x: unknown): x is AstNode => !!x && typeof x === 'object' && typeof (x as AstNode).op === 'string';

/**
 * Why the expression's tree is refused, or undefined: deeper than MAX_TREE_DEPTH, or a `matches`
 * that may not run. The library runs `matches` with JavaScript's backtracking RegExp (CEL
 * specifies RE2, which runs in linear time), and rules run on what customers send: a pattern with
 * a repetition inside a repetition (`(a+)+$`) can take exponential time on a crafted value and
 * hold up every decision. So the pattern must be a literal, and one of star height 1
 * (regex-safety.ts). Walks the tree without recursion, so that a deep one cannot overflow here.
 */
function treeProblem(ast: unknown): string | undefined {
  const stack: [unknown, number][] = [[ast, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (Array.isArray(node)) {
      for (const n of node) stack.push([n, depth]);
      continue;
    }
    if (!isNode(node)) continue;
    if (depth >= MAX_TREE_DEPTH) return nestedTooDeeply;
    const args = node.args as unknown[];
    const pattern = node.op === 'rcall' && args[0] === 'matches' ? (args[2] as unknown[])?.[0] : node.op === 'call' && args[0] === 'matches' ? (args[1] as unknown[])?.[1] : undefined;
    if (pattern !== undefined) {
      if (!isNode(pattern) || pattern.op !== 'value' || typeof pattern.args !== 'string') return '`matches` takes a literal pattern in Tact rules (so that it can be checked before it runs on what customers send)';
      const why = unsafeRegex(pattern.args);
      if (why) return `in \`matches\`, ${why}`;
    }
    // A unary operator (`!`, `-`) holds its operand itself, not in a list: a `matches` under it is checked too.
    if (Array.isArray(node.args) || isNode(node.args)) stack.push([node.args, depth + 1]);
  }
  return undefined;
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
    // Data holding an object with a `constructor` key (a caller's context `{"constructor": "Ferrari"}`)
    // is read again with such objects as Maps (cel-readable.ts).
    return { ok: true, value: normalise(runReadable(rule, vars)) };
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
  if (typeof v !== 'boolean') return { pass: false, error: `the expression gave ${kindOf(v)}, not a boolean` };
  return { pass: v };
}

/** The kind of a rule's value as an operator reads it: number, string, null, list, map, timestamp, … */
function kindOf(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v !== 'object') return typeof v;
  if (Array.isArray(v)) return 'list';
  if (v instanceof Date) return 'timestamp';
  if (v instanceof Uint8Array) return 'bytes';
  const name = (v as object).constructor?.name;
  return !name || name === 'Object' || name === 'Map' ? 'map' : name.toLowerCase();
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

/**
 * Validates a condition at authoring time (throws a 400 naming the field): it compiles, and its
 * type is bool or known only when it runs.
 *
 * @example
 * checkRule('features.orders > 0', 'audiences[0].when'); // 'features.orders > 0'
 * checkRule('size(features.purchased)', 'audiences[0].when'); // throws not_a_condition
 */
export function checkRule(expression: unknown, field: string): string {
  if (typeof expression !== 'string' || expression.trim() === '') {
    throw new TactError('invalid_expression', { field, detail: 'it must be a non-empty string' }, { at: field });
  }
  compileRule(expression, field, { authoring: true });
  return expression;
}

function normalise(v: unknown): unknown {
  return typeof v === 'bigint' ? Number(v) : v;
}

function firstLine(err: unknown): string {
  const line = (err instanceof Error ? err.message : String(err)).split('\n')[0].trim();
  return noValueYet(err, line) ?? numberHint(line);
}

/**
 * An operation that failed on a feature with no value for the subject (a mean, min, max,
 * first_seen, last_seen or last_value of no event counted is null): CEL says only "no such
 * overload: dyn<null> > double". Said in the product's words, with the guard that makes the rule
 * hold or not instead — the operand is told from the node the library names and from which side of
 * the operator its message puts the null. Undefined for any other failure.
 *
 * @example
 * noValueYet(err, 'no such overload: dyn<null> > double');
 * // '`features.avg_rev` has no value yet for this profile, as no event was counted, so `>` cannot take it; guard it with `features.avg_rev != null && …`'
 */
function noValueYet(err: unknown, line: string): string | undefined {
  const node = (err as { node?: unknown } | null)?.node;
  if (!line.startsWith('no such overload: ') || !isNode(node) || !Array.isArray(node.args) || node.args.length !== 2) return undefined;
  const types = line.slice('no such overload: '.length);
  const op = node.op;
  const left = types.startsWith(`dyn<null> ${op} `) || types.startsWith(`null ${op} `);
  const right = types.endsWith(` ${op} dyn<null>`) || types.endsWith(` ${op} null`);
  const path = featurePath(left ? node.args[0] : right ? node.args[1] : undefined);
  return path && `\`${path}\` has no value yet for this profile, as no event was counted, so \`${op}\` cannot take it; guard it with \`${path} != null && …\``;
}

/** `features.<name>` (or `features["<name>"]`) as written, when `node` reads a feature; else undefined. */
function featurePath(node: unknown): string | undefined {
  if (!isNode(node) || (node.op !== '.' && node.op !== '[]') || !Array.isArray(node.args)) return undefined;
  const [obj, key] = node.args as [unknown, unknown];
  if (!isNode(obj) || obj.op !== 'id' || obj.args !== 'features') return undefined;
  if (node.op === '.' && typeof key === 'string') return `features.${key}`;
  return isNode(key) && key.op === 'value' && typeof key.args === 'string' ? `features[${JSON.stringify(key.args)}]` : undefined;
}

/** Data numbers are doubles, and this CEL does not mix int and double in arithmetic or `==`: says so. */
function numberHint(msg: string): string {
  return /^no such overload: /.test(msg) && /\bint\b/.test(msg) && /\bdouble\b/.test(msg) ? `${msg} (numbers from data are doubles: write \`1.0\`, not \`1\`)` : msg;
}
