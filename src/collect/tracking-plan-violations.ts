import type { ErrorObject } from 'ajv';
import type { Violation } from './collect-store.js';
import { propertyAt } from './tracking-plan-paths.js';

const join = (base: string, key: string) => [base, key].filter(Boolean).join('.');

/**
 * One violation per property and rule a message broke: Ajv reports a rule once for each branch of
 * an anyOf / oneOf that tried it, and once for each item of a list, and the message is counted
 * once. A key the schema does not name counts as `*` (tracking-plan-paths.ts): `additionalProperties:
 * false` makes one row for every key clients add, whatever they are. The detail is a sentence naming
 * the property as sent; it never quotes the value, which may be personal data and is shown to every
 * server key. `field` names it from the message's root (`root`: `properties`, or `traits` for
 * identify), as the answer to a blocked message does.
 *
 * @example
 * toViolations('Order', [{ instancePath: '/products/1', keyword: 'required', params: { missingProperty: 'sku' }, schemaPath: '', message: '' }], { products: [{}, {}] }, {});
 * // → [{ event: 'Order', property: 'products[].sku', rule: 'required', detail: '`products[1].sku` is required and was not sent', field: 'properties.products[1].sku' }]
 */
export function toViolations(event: string, errors: ErrorObject[], data: unknown, schema: unknown, root: 'properties' | 'traits' = 'properties'): Violation[] {
  const out = new Map<string, Violation>();
  for (const e of errors) {
    const at = propertyAt(e.instancePath, data, schema);
    const missing = e.keyword === 'required' ? String((e.params as { missingProperty?: string }).missingProperty ?? '') : '';
    const extra = e.keyword === 'additionalProperties' ? String((e.params as { additionalProperty?: string }).additionalProperty ?? '') : '';
    const property = join(at.counted, missing || (extra && '*')) || '(properties)';
    const sent = join(at.sent, missing || extra);
    const named = sent || '(properties)';
    const key = `${property}\u0000${e.keyword}`;
    if (out.has(key)) continue;
    const detail = missing ? `\`${named}\` is required and was not sent`
      : extra ? `\`${named}\` is not a property the tracking plan allows here`
        : `\`${named}\` ${e.message ?? 'is not valid'}`;
    out.set(key, { event, property, rule: e.keyword, detail, field: sent ? `${root}.${sent}` : root });
  }
  return [...out.values()];
}
