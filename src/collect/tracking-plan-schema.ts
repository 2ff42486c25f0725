import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { closestWord } from '../errors/edit-distance.js';
import { unsafeSchemaPatterns } from '../rules/regex-safety.js';
import type { FieldProblem } from '../errors/tact-error.js';

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * A validator for one plan's schemas. Each plan gets its own, and each schema is compiled on its
 * own (the registry is emptied after it): an operator's `$id` then never collides with the same
 * `$id` in another event or in the plan loaded before. `warn` hears what Ajv would ignore — a
 * keyword it does not know, one out of place — when `strict` asks it to say so.
 *
 * A top-level `$async` is left out: Ajv would compile the schema to a function answering a Promise,
 * which the write path (synchronous, per message) would read as "valid" — and a Promise rejected
 * for a broken message would go unhandled. A plan stored before the check refused it still checks.
 */
export function planValidator(warn: (message: string) => void = () => {}, strict = false): (schema: unknown) => ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strict: false, strictSchema: strict ? 'log' : false, logger: { log: () => {}, warn: (...m: unknown[]) => warn(m.join(' ')), error: () => {} } });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  return (schema) => {
    let s = schema;
    if (isRecord(schema) && '$async' in schema) {
      const { $async: _, ...rest } = schema;
      s = rest;
    }
    try {
      return ajv.compile(s as Record<string, unknown>);
    } finally {
      ajv.removeSchema();
    }
  };
}

// Draft-07 keywords and annotations (json-schema.org, "Validation" and "Core"), for "did you mean".
const KEYWORDS = [
  'type', 'properties', 'required', 'additionalProperties', 'patternProperties', 'propertyNames', 'minProperties', 'maxProperties',
  'dependencies', 'items', 'additionalItems', 'minItems', 'maxItems', 'uniqueItems', 'contains', 'minimum', 'maximum',
  'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'minLength', 'maxLength', 'pattern', 'format', 'enum', 'const',
  'allOf', 'anyOf', 'oneOf', 'not', 'if', 'then', 'else', 'definitions', '$ref', '$id', '$schema', '$comment', 'title',
  'description', 'default', 'examples', 'readOnly', 'writeOnly', 'deprecated', 'contentMediaType', 'contentEncoding',
];
// Where a schema holds schemas: by name (a map), one, or a list. Anything else (enum, const,
// default, examples, required …) holds data, whose keys are not keywords.
const SCHEMA_MAPS = ['properties', 'patternProperties', 'definitions', '$defs', 'dependencies'];
const SCHEMA_ONE = ['additionalProperties', 'items', 'additionalItems', 'contains', 'propertyNames', 'not', 'if', 'then', 'else'];
const SCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf', 'items'];

/** The dotted paths, inside `schema`, of every schema object that holds the key `keyword`. */
function keywordPaths(schema: unknown, keyword: string, path = ''): string[] {
  if (!isRecord(schema)) return [];
  const at = (k: string) => (path ? `${path}.${k}` : k);
  const out = keyword in schema ? [at(keyword)] : [];
  for (const [k, v] of Object.entries(schema)) {
    if (SCHEMA_MAPS.includes(k) && isRecord(v)) for (const [name, sub] of Object.entries(v)) out.push(...keywordPaths(sub, keyword, `${at(k)}.${name}`));
    if (SCHEMA_ONE.includes(k)) out.push(...keywordPaths(v, keyword, at(k)));
    if (SCHEMA_LISTS.includes(k) && Array.isArray(v)) v.forEach((sub, i) => out.push(...keywordPaths(sub, keyword, `${at(k)}.${i}`)));
  }
  return out;
}


/**
 * What is wrong with one event's JSON Schema, each problem naming where it is (`at` is the event's
 * place in the plan, e.g. "events.Order Completed"): a schema that does not compile, and every way
 * it would check less than it says — a `format` no validator knows, a keyword JSON Schema does not
 * have (`requird`), one Ajv ignores where it stands (`then` without `if`), `$async` — and a pattern
 * that can take exponential time on what customers send. Keys beginning `x-` are annotations.
 *
 * @example
 * schemaProblems({ type: 'object', requird: ['email'] }, 'Signed Up', 'events.Signed Up');
 * // → [{ field: 'events.Signed Up.properties.requird', message: '… Did you mean `required`? …' }]
 */
export function schemaProblems(schema: unknown, name: string, at: string): FieldProblem[] {
  const p: FieldProblem[] = [];
  const field = `${at}.properties`;
  if (isRecord(schema) && '$async' in schema) {
    p.push({ field: `${field}.$async`, message: `The JSON Schema for \`${name}\` is marked \`$async\`; Tact checks each message as it arrives, so remove \`$async\`.` });
  }
  const warnings: string[] = [];
  try {
    planValidator((m) => warnings.push(m), true)(schema);
  } catch (e) {
    // Ajv refuses a format it does not know in strict mode: the property would be checked for nothing.
    const unknownFormat = /unknown format "(.*)" ignored in schema at path "(.*)"/.exec((e as Error).message);
    if (unknownFormat) {
      p.push({ field, message: `The JSON Schema for \`${name}\` uses format "${unknownFormat[1]}" (at ${unknownFormat[2]}), which no validator knows, so it would check nothing; known formats include date-time, date, email, uri, uuid.` });
    } else p.push({ field, message: `The JSON Schema for \`${name}\` does not compile: ${(e as Error).message}.` });
  }
  for (const w of new Set(warnings)) {
    const unknown = /^strict mode: unknown keyword: "(.*)"$/.exec(w);
    if (unknown && unknown[1].startsWith('x-')) continue;
    if (unknown) {
      const near = closestWord(unknown[1], KEYWORDS);
      const paths = keywordPaths(schema, unknown[1]);
      for (const path of paths.length ? paths : ['']) {
        p.push({ field: path ? `${field}.${path}` : field, message: `In the JSON Schema for \`${name}\`, \`${unknown[1]}\` is not a JSON Schema keyword, so it would check nothing.${near ? ` Did you mean \`${near}\`?` : ''} Write notes as \`description\` or \`$comment\`.` });
      }
    } else p.push({ field, message: `In the JSON Schema for \`${name}\`, ${w.replace(/^strict mode: /, '')}, so it would check nothing.` });
  }
  for (const [path, why] of unsafeSchemaPatterns(schema)) p.push({ field: `${field}.${path}`, message: `In the JSON Schema for \`${name}\`, ${why}.` });
  return p;
}
