import type { ErrorObject, ValidateFunction } from 'ajv';

/**
 * The text an integer parameter takes: decimal digits, with a minus before them for a negative
 * (`5`, `-3`, `007`). Ajv's coercion reads text with `Number()`, which also takes `0x10`, `0b11`,
 * `0o2`, `1e1`, `" 5"`, `"+2"`, `"2.0"` and `""` (0): until 2026-12-05 `?limit=0x2` answered 2 decisions.
 */
export const INTEGER_TEXT = /^-?[0-9]+$/;

/**
 * The text a number parameter takes: decimal digits with an optional minus, fraction and exponent,
 * as JSON writes a number (`0.05`, `-1.5`, `1e-7`, `2E3`), leading zeros allowed as for integers —
 * not `.5`, `5.`, `+1`, `0x10`, `Infinity` or white space.
 */
export const NUMBER_TEXT = /^-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

/** A property of a text part's schema read as a number: its name, the text it takes, and whether it is a list of them. */
interface NumericField {
  name: string;
  type: 'integer' | 'number';
  list: boolean;
}

type Schema = { type?: unknown; properties?: Record<string, Schema>; items?: unknown };

const numericType = (s: Schema | undefined): 'integer' | 'number' | undefined => {
  const types = [s?.type].flat();
  return types.includes('integer') ? 'integer' : types.includes('number') ? 'number' : undefined;
};

/** The properties of a query, path or header schema that are read as numbers, or as lists of numbers. */
function numericFields(schema: unknown): NumericField[] {
  const props = (schema as Schema | undefined)?.properties ?? {};
  const out: NumericField[] = [];
  for (const [name, s] of Object.entries(props)) {
    const own = numericType(s);
    if (own) out.push({ name, type: own, list: false });
    const item = s && typeof s.items === 'object' && !Array.isArray(s.items) ? numericType(s.items as Schema) : undefined;
    if (item) out.push({ name, type: item, list: true });
  }
  return out;
}

/**
 * `validate` (Ajv's, coercing text to the types declared) refusing, as a `type` error at the
 * parameter, text for a number that is not decimal ({@link INTEGER_TEXT}, {@link NUMBER_TEXT});
 * the text refused is left as it was sent, so the problem quotes it. `validate` itself when the
 * schema declares no number.
 *
 * @example
 * const check = decimalOnly(ajv.compile(schema), schema);
 * check({ limit: '0x2' }); // false; check.errors[0]: { keyword: 'type', instancePath: '/limit', params: { type: 'integer' } }
 */
export function decimalOnly(validate: ValidateFunction, schema: unknown): ValidateFunction {
  const fields = numericFields(schema);
  if (fields.length === 0) return validate;
  const check = ((data: unknown, ctx?: unknown) => {
    const bad: { field: NumericField; path: string; sent: unknown }[] = [];
    if (data !== null && typeof data === 'object') {
      const obj = data as Record<string, unknown>;
      for (const field of fields) {
        if (!Object.prototype.hasOwnProperty.call(obj, field.name)) continue;
        const sent = obj[field.name];
        const texts = Array.isArray(sent) ? sent : [sent];
        const pattern = field.type === 'integer' ? INTEGER_TEXT : NUMBER_TEXT;
        // A list's element is named by its index; a single value sent twice (`?limit=1&limit=2`) is Ajv's to refuse.
        const wrong = texts.findIndex((t) => typeof t === 'string' && !pattern.test(t));
        if (wrong === -1) continue;
        const path = `/${escapePointer(field.name)}${field.list && Array.isArray(sent) ? `/${wrong}` : ''}`;
        bad.push({ field, path, sent });
      }
    }
    const ok = (validate as (d: unknown, c?: unknown) => boolean)(data, ctx);
    if (bad.length === 0) {
      check.errors = validate.errors;
      return ok;
    }
    // The coerced values of the fields refused go back to the text sent; the validator's other words on them are dropped.
    const obj = data as Record<string, unknown>;
    for (const b of bad) obj[b.field.name] = b.sent;
    const own: ErrorObject[] = bad.map((b) => ({ keyword: 'type', instancePath: b.path, schemaPath: `#/properties/${b.field.name}${b.field.list ? '/items' : ''}/type`, params: { type: b.field.type }, message: `must be ${b.field.type}` }));
    const others = (ok ? [] : (validate.errors ?? [])).filter((e) => !bad.some((b) => e.instancePath === `/${escapePointer(b.field.name)}` || e.instancePath.startsWith(`/${escapePointer(b.field.name)}/`) || e.params.missingProperty === b.field.name));
    check.errors = [...own, ...others];
    return false;
  }) as ValidateFunction;
  // Fastify passes the request as the parent (so Ajv may replace the whole part) when the function has a schemaEnv.
  Object.assign(check, { schema: validate.schema, schemaEnv: validate.schemaEnv, errors: null });
  return check;
}

/** A property name as a JSON pointer's segment (RFC 6901 §3). */
const escapePointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');
