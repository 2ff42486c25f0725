import { Environment } from '@marcbachmann/cel-js';

/** A node of @marcbachmann/cel-js's parse tree, with where it starts in the expression. */
interface AstNode {
  op: string;
  args: unknown;
  pos?: number;
}

const isNode = (x: unknown): x is AstNode => !!x && typeof x === 'object' && typeof (x as AstNode).op === 'string';

const env = new Environment({ unlistedVariablesAreDyn: true });
/** Each conversion, compiled once, run on the literal as a variable (no quoting to get wrong). */
const CONVERSIONS = {
  duration: { read: env.parse('duration(s)'), how: 'a duration is written in h, m, s, ms, us or ns, e.g. `duration("720h")` for 30 days' },
  timestamp: { read: env.parse('timestamp(s)'), how: 'a timestamp is RFC 3339, e.g. `timestamp("2026-01-01T00:00:00Z")`' },
} as const;

/**
 * Why a `duration("…")` or `timestamp("…")` of a literal string in the tree can never be read, or
 * undefined. Such a rule fails for every subject ("Invalid duration string: 30d": CEL's durations
 * have no days), so it is refused when written, as cel-go's ValidateDurationLiterals and
 * ValidateTimestampLiterals do. A conversion of a value from data is checked when it runs.
 * Walks the tree without recursion.
 *
 * @example
 * literalProblem(ruleTree('now - duration("30d") < lastSeen'), 'now - duration("30d") < lastSeen');
 * // '`duration("30d")` at line 1, column 7 can never be read (Invalid duration string: 30d); a duration is written in …'
 */
export function literalProblem(ast: unknown, expression: string): string | undefined {
  const stack: unknown[] = [ast];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      stack.push(...node);
      continue;
    }
    if (!isNode(node) || node.op === 'value') continue;
    const [fn, list] = Array.isArray(node.args) ? (node.args as unknown[]) : [];
    const arg = node.op === 'call' && Array.isArray(list) && list.length === 1 ? list[0] : undefined;
    if ((fn === 'duration' || fn === 'timestamp') && isNode(arg) && arg.op === 'value' && typeof arg.args === 'string') {
      const why = unreadable(CONVERSIONS[fn].read, arg.args) ?? (fn === 'timestamp' ? noSuchDay(arg.args) : undefined);
      if (why) return `\`${fn}(${JSON.stringify(arg.args)})\` at ${lineColumn(expression, node.pos ?? 0)} can never be read (${why}); ${CONVERSIONS[fn].how}`;
    }
    if (Array.isArray(node.args) || isNode(node.args)) stack.push(node.args);
  }
  return undefined;
}

function unreadable(read: (vars: Record<string, unknown>) => unknown, s: string): string | undefined {
  try {
    read({ s });
    return undefined;
  } catch (err) {
    return (err instanceof Error ? err.message : String(err)).split('\n')[0].trim();
  }
}

/**
 * Why a timestamp CEL reads names a day no calendar has (30 February: the library rolls it over to
 * a later day, as Date.UTC does), or undefined.
 */
function noSuchDay(s: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const read = new Date(Date.UTC(y, mo - 1, d));
  if (read.getUTCMonth() === mo - 1 && read.getUTCDate() === d) return undefined;
  return `${m[0]} is a day no calendar has: it would be read as ${read.toISOString().slice(0, 10)}`;
}

/** "line L, column C" of a character offset (both from 1). */
export function lineColumn(expression: string, offset: number): string {
  const before = expression.slice(0, offset).split('\n');
  return `line ${before.length}, column ${before[before.length - 1].length + 1}`;
}
