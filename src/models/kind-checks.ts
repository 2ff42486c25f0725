import type { FieldProblem } from '../errors/tact-error.js';
import { parseDuration } from '../profiles/features/definition.js';
import { compileRule } from '../rules/cel.js';

/**
 * Names of metrics, rates, segments: lower-case letters, digits and underscores, as features.
 *
 * @example
 * NAME.test('session_length'); // true
 */
export const NAME = /^[a-z][a-z0-9_]{0,63}$/;

/**
 * Small checks shared by the learn configuration kinds; each pushes a problem naming its field.
 *
 * @example
 * const p: FieldProblem[] = []; checkName(p, 'metrics[0].name', body.name);
 */
export function checkName(p: FieldProblem[], field: string, v: unknown): void {
  if (typeof v !== 'string' || !NAME.test(v)) p.push({ field, message: `The \`${field}\` must start with a lower-case letter and use only a–z, 0–9 and _ (at most 64 characters).` });
}

/**
 * A non-empty string (an event name, a property path).
 *
 * @example
 * checkText(p, 'rates[0].exposure', r.exposure, 'an event name');
 */
export function checkText(p: FieldProblem[], field: string, v: unknown, what: string): void {
  if (typeof v !== 'string' || !v.trim()) p.push({ field, message: `The \`${field}\` must be ${what}.` });
}

/**
 * A duration such as "3d", "12h".
 *
 * @example
 * checkDuration(p, 'rates[0].within', '3d'); // no problem
 */
export function checkDuration(p: FieldProblem[], field: string, v: unknown, optional = false): void {
  if (optional && v === undefined) return;
  if (parseDuration(v) === undefined) p.push({ field, message: `The \`${field}\` must be a duration such as "3d", "12h" or "30m".` });
}

/**
 * A number in [min, max] (integer when asked).
 *
 * @example
 * checkNumber(p, 'minEvents', 0, 1, 10_000, true); // pushes a problem on minEvents
 */
export function checkNumber(p: FieldProblem[], field: string, v: unknown, min: number, max: number, integer = false): void {
  if (v === undefined) return;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    p.push({ field, message: `The \`${field}\` must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}.` });
  }
}

/**
 * A CEL expression that compiles.
 *
 * @example
 * checkCel(p, 'audiences[0].when', 'features.orders >'); // pushes the parser's message
 */
export function checkCel(p: FieldProblem[], field: string, v: unknown, optional = false): void {
  if (optional && v === undefined) return;
  if (typeof v !== 'string' || !v.trim()) {
    p.push({ field, message: `The \`${field}\` must be a CEL expression.` });
    return;
  }
  try {
    compileRule(v, field, { authoring: true });
  } catch (e) {
    p.push({ field, message: (e as Error).message });
  }
}

/**
 * A list of non-empty strings.
 *
 * @example
 * checkStrings(p, 'outOfStock', ['sku-9']);
 */
export function checkStrings(p: FieldProblem[], field: string, v: unknown): void {
  if (v === undefined) return;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || !x)) p.push({ field, message: `The \`${field}\` must be a list of names.` });
}

/**
 * Duplicate names in a list.
 *
 * @example
 * checkUnique(p, body, 'metrics'); // 'metrics[1].name' when two share a name
 */
export function checkUnique(p: FieldProblem[], list: unknown[], at: string): void {
  const names = list.map((x) => (x as { name?: unknown })?.name);
  names.forEach((n, i) => {
    if (n !== undefined && names.indexOf(n) !== i) p.push({ field: `${at}[${i}].name`, message: `The name \`${String(n)}\` is used twice.` });
  });
}

/**
 * An object body (not a list).
 *
 * @example
 * isObject({}); // true — isObject([]) is false
 */
export const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
