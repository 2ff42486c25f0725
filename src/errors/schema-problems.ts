import type { FieldProblem } from './tact-error.js';

/** One error of the schema validator (Ajv's ErrorObject, as Fastify hands it over). */
export interface SchemaError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

/** JSON Schema's type names as a sentence says them. */
const TYPE_WORDS: Record<string, string> = { number: 'a number', integer: 'an integer', string: 'a string', boolean: 'true or false', object: 'an object', array: 'an array', null: 'null' };

/**
 * A problem found by a route's schema, with the field named as the request holds it (`n`,
 * `querystring.limit`, `params.id`) and a sentence: a missing or unknown property, a wrong type
 * with the value that was sent, or the validator's own words. `part` is the part of the request
 * (`body`, `querystring`, `params`, `headers`) and `data` what it held.
 *
 * @example
 * schemaProblem({ keyword: 'type', instancePath: '/value', params: { type: 'number' } }, 'body', { value: true });
 * // { field: 'value', message: 'The `value` property must be a number; it was true (a boolean).' }
 */
export function schemaProblem(e: SchemaError, part: string | undefined, data: unknown): FieldProblem {
  const path = e.instancePath.replace(/^\//, '').split('/').filter(Boolean).map(unescapePointer);
  const missing = typeof e.params.missingProperty === 'string' ? e.params.missingProperty : '';
  const extra = typeof e.params.additionalProperty === 'string' ? e.params.additionalProperty : '';
  const field = fieldName(part, path, data, missing || extra);
  if (missing) return { field, message: `The \`${field}\` property is required. It was not present on the data you sent.` };
  if (extra) return { field, message: `The \`${field}\` property is not one this endpoint takes.` };
  if (e.keyword === 'type') {
    const wanted = [e.params.type].flat().join(',').split(',').map((t) => TYPE_WORDS[t] ?? t);
    const sent = valueAt(data, path);
    // The validator takes a number for one only when finite: 1e400 (read as Infinity) is not one it takes.
    if (typeof sent === 'number' && !Number.isFinite(sent)) {
      return { field, message: `The \`${field}\` property must be a finite number; it was ${String(sent)} (1e400 and other numbers beyond ±1.8e308 are read as that).` };
    }
    return { field, message: `The \`${field}\` property must be ${wanted.join(' or ')}; it was ${describeValue(valueAt(data, path))}.` };
  }
  if (e.keyword === 'enum' && Array.isArray(e.params.allowedValues)) {
    const allowed = e.params.allowedValues.map((v) => JSON.stringify(v)).join(', ');
    return { field, message: `The \`${field}\` property must be one of ${allowed}; it was ${describeValue(valueAt(data, path))}.` };
  }
  return { field, message: `The \`${field}\` property ${e.message ?? 'is not valid'}.` };
}

/**
 * The field as every 400 of the API names it: members joined by dots, a list's element by its
 * index in brackets (`items[1].relevance`, as the collection's and the configuration's problems
 * and the input guard name them; until 2026-12-05 the schema's problems said `items.1.relevance`).
 */
function fieldName(part: string | undefined, path: string[], data: unknown, last: string): string {
  let out = part === 'body' || part === undefined ? '' : part;
  let v = data;
  for (const k of path) {
    out = Array.isArray(v) && /^\d+$/.test(k) ? `${out}[${k}]` : out ? `${out}.${k}` : k;
    v = v !== null && typeof v === 'object' && Object.prototype.hasOwnProperty.call(v, k) ? (v as Record<string, unknown>)[k] : undefined;
  }
  if (last) out = out ? `${out}.${last}` : last;
  return out || (part ?? 'body');
}

/** A JSON pointer's segment as written (`~1` is `/`, `~0` is `~`; RFC 6901 §4). */
const unescapePointer = (s: string) => s.replace(/~1/g, '/').replace(/~0/g, '~');

/** The value at `path` in `data`, or undefined. */
function valueAt(data: unknown, path: string[]): unknown {
  let v = data;
  for (const k of path) {
    if (v === null || typeof v !== 'object' || !Object.prototype.hasOwnProperty.call(v, k)) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

/**
 * A value as a sentence quotes it: a short scalar as JSON with its type, a long string cut, a
 * list or an object by its kind.
 *
 * @example
 * describeValue('12'); // '"12" (a string)'
 * describeValue(true); // 'true (a boolean)'
 */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)} (a string)`;
  if (typeof v === 'number' || typeof v === 'boolean') return `${String(v)} (a ${typeof v})`;
  return 'nothing';
}
