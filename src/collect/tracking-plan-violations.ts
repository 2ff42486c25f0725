import type { ErrorObject } from 'ajv';
import type { FieldProblem } from '../errors/tact-error.js';
import type { Violation } from './collect-store.js';
import { keyPath, propertyAt } from './tracking-plan-paths.js';
import { TIMEZONE_RULE } from './tracking-plan-timezone.js';

/** A path and a key below it (keyPath); `*` below `base` for a key the schema does not name. */
const child = (base: string, key: string, any = false) => (any ? (base ? `${base}.*` : '*') : keyPath(base, key));
/** `root` (`properties`, `traits`) and a path below it: `properties.a.b`, `properties["a.b"]`. */
const under = (root: string, path: string) => (path.startsWith('[') ? `${root}${path}` : `${root}.${path}`);

/**
 * One violation per property and rule a message broke: Ajv reports a rule once for each branch of
 * an anyOf / oneOf that tried it, and once for each item of a list, and the message is counted
 * once. A key the schema does not name counts as `*` (tracking-plan-paths.ts): `additionalProperties:
 * false` makes one row for every key clients add, whatever they are. The detail is a sentence naming
 * the property as sent; it never quotes the value, which may be personal data and is shown to every
 * server key. `field` names it from the message's root (`root`: `properties`, or `traits` for
 * identify), as the answer to a blocked message does. A row counts once, yet may stand for several
 * fields as sent (`ref`, `coupon`, `utm` under `*`; `products[1].price`, `products[2].price`):
 * `fields` names each, once (the first MAX_BLOCKED_PROBLEMS; `unlisted` counts the rest), for the
 * answer to a blocked message (blockedProblems).
 *
 * @example
 * toViolations('Order', [{ instancePath: '/products/1', keyword: 'required', params: { missingProperty: 'sku' }, schemaPath: '', message: '' }], { products: [{}, {}] }, {});
 * // → [{ event: 'Order', property: 'products[].sku', rule: 'required', detail: '`products[1].sku` is required and was not sent', field: 'properties.products[1].sku',
 * //      fields: [{ field: 'properties.products[1].sku', message: '`products[1].sku` is required and was not sent' }] }]
 */
export function toViolations(event: string, errors: ErrorObject[], data: unknown, schema: unknown, root: 'properties' | 'traits' | 'traits.company' = 'properties'): Violation[] {
  const out = new Map<string, Violation & { fields: FieldProblem[] }>();
  const named = new Set<string>();
  for (const e of errors) {
    const at = propertyAt(e.instancePath, data, schema);
    // The key a `required` misses, or one `additionalProperties: false` refuses, below the object.
    const below = e.keyword === 'required' ? String((e.params as { missingProperty?: string }).missingProperty ?? '')
      : e.keyword === 'additionalProperties' ? String((e.params as { additionalProperty?: string }).additionalProperty ?? '') : undefined;
    const property = (below === undefined ? at.counted : child(at.counted, below, e.keyword === 'additionalProperties')) || '(properties)';
    const sent = below === undefined ? at.sent : keyPath(at.sent, below);
    const key = `${property}\u0000${e.keyword}`;
    const row = out.get(key);
    // Reported again (another branch of an anyOf, the same list item): that field is named already.
    if (row && named.has(`${key}\u0000${sent}`)) continue;
    named.add(`${key}\u0000${sent}`);
    const said = sent || '(properties)';
    const detail = e.keyword === 'required' ? `\`${said}\` is required and was not sent`
      : e.keyword === 'additionalProperties' ? `\`${said}\` is not a property the tracking plan allows here`
        : `\`${said}\` ${e.message ?? 'is not valid'}`;
    const field = sent ? under(root, sent) : root;
    if (row && row.fields.length >= MAX_BLOCKED_PROBLEMS) row.unlisted = (row.unlisted ?? 0) + 1;
    else if (row) row.fields.push({ field, message: detail });
    else out.set(key, { event, property, rule: e.keyword, detail, field, fields: [{ field, message: detail }] });
  }
  return [...out.values()];
}

/** How many wrong fields the answer to a blocked message names; it says how many more there were. */
export const MAX_BLOCKED_PROBLEMS = 20;

/**
 * The `problems` of the answer to a blocked message: every field as sent that broke the plan, in
 * the order of its rows (`say` words each for its context: a batch's `rejected` says which
 * message), at most MAX_BLOCKED_PROBLEMS, then one entry naming the message's root
 * (`properties`, `traits`) that says how many more. An unplanned event's row names `event`.
 *
 * @example
 * blockedProblems(check.violations); // → [{ field: 'properties.ref', message: '`ref` is not a property …' }, { field: 'properties.coupon', … }]
 */
export function blockedProblems(violations: readonly Violation[], say: (v: Violation, detail: string) => string = (_v, d) => d): FieldProblem[] {
  const out: FieldProblem[] = [];
  let more = 0;
  let root = '';
  const rootOf = (field: string) => /^[^.[]*/.exec(field)?.[0] || field;
  for (const v of violations) {
    // A zone the server does not know is counted, never a reason the message was blocked.
    if (v.rule === TIMEZONE_RULE) continue;
    const fields = v.fields ?? [{ field: v.field ?? v.property, message: v.detail }];
    for (const f of fields) {
      if (out.length < MAX_BLOCKED_PROBLEMS) out.push({ field: f.field, message: say(v, f.message) });
      else {
        more += 1;
        root ||= rootOf(f.field);
      }
    }
    if (v.unlisted) {
      more += v.unlisted;
      root ||= rootOf(fields[0].field);
    }
  }
  if (more > 0) out.push({ field: root, message: `and ${more} more field${more === 1 ? '' : 's'} that break${more === 1 ? 's' : ''} the tracking plan (only the first ${MAX_BLOCKED_PROBLEMS} are listed)` });
  return out;
}
