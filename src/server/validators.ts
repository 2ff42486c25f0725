import { Ajv, type Options, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { isApiTime } from './api-time.js';
import { decimalOnly } from './decimal-text.js';

/** What every part of a request is validated with: every problem reported, nothing removed, defaults filled in. */
const COMMON: Options = { allErrors: true, removeAdditional: false, useDefaults: true, addUsedSchema: false };

/**
 * How each part of a request is checked against its route's schema. A query string, path and
 * headers are text: `?limit=5` is the number 5, `?all=true` the boolean, `?id=a` a list of one
 * (Ajv's `coerceTypes: 'array'`) — a number only from decimal text (decimal-text.ts: Ajv's
 * `Number()` reads `0x10` as 16). A JSON body carries its own types, and a wrong one is refused,
 * naming the field: `"value": true` or `"value": "12"` where a number is asked for, `"force": 1`
 * where a boolean is, `[3]` for 3 or 3 for `[3]`.
 */
export const PART_OPTIONS = {
  body: { ...COMMON, coerceTypes: false },
  text: { ...COMMON, coerceTypes: 'array' },
} as const satisfies Record<string, Options>;

/** A route's schema for one part of the request, as Fastify hands it to the validator compiler. */
interface RouteSchema {
  schema: unknown;
  httpPart?: string;
}

/**
 * The app's validator compiler (Fastify's `setValidatorCompiler`, which hands it each route's
 * schema with the part of the request it is for): the body is compiled by an Ajv that coerces
 * nothing, the query string, path parameters and headers by one that coerces text to the types
 * declared ({@link PART_OPTIONS}), numbers from decimal text only ({@link decimalOnly}). Both know the formats of ajv-formats, with `date-time` the
 * API's own ({@link isApiTime}). Shared
 * schemas (`app.addSchema`, none so far) would have to be added to both.
 *
 * @example
 * app.setValidatorCompiler(partValidators());
 */
export function partValidators(): (route: RouteSchema) => ValidateFunction {
  const { body, text, compiled, byText } = (shared ??= compilers());
  return ({ schema, httpPart }) => {
    const part = httpPart === 'body' ? 'body' : 'text';
    // Every app built in this process (one server, or a test's many) validates with the function
    // compiled the first time a schema was seen, found by the schema object or, for the 25 routes
    // that build theirs when registered, by its JSON (each app compiled those again: 20 ms of the
    // 110 an app and its store took to open, 2026-12-04).
    const key = schema as object;
    let byPart = compiled.get(key);
    if (!byPart) {
      const text = JSON.stringify(schema);
      byPart = byText.get(text);
      if (!byPart) byText.set(text, (byPart = {}));
      compiled.set(key, byPart);
    }
    const known = byPart[part];
    if (known) return known;
    const ajv = part === 'body' ? body : text;
    // Ajv compiles a schema with a given $id once; the same schema on another route is that one.
    const id = (schema as { $id?: unknown }).$id;
    const validate = (typeof id === 'string' && ajv.getSchema(id)) || ajv.compile(key);
    return (byPart[part] = part === 'text' ? decimalOnly(validate, schema) : validate);
  };
}

/** The two Ajv instances and the functions compiled, per schema object and part, shared by every app of the process. */
let shared: ReturnType<typeof compilers> | undefined;

function compilers() {
  const make = (options: Options) => {
    const ajv = new Ajv(options);
    (addFormats as unknown as (a: Ajv) => void)(ajv);
    // A date-time is what the routes can read (api-time.ts), not ajv-formats' wider pattern.
    ajv.addFormat('date-time', { type: 'string', validate: isApiTime });
    return ajv;
  };
  type ByPart = Partial<Record<'body' | 'text', ValidateFunction>>;
  return { body: make(PART_OPTIONS.body), text: make(PART_OPTIONS.text), compiled: new WeakMap<object, ByPart>(), byText: new Map<string, ByPart>() };
}
