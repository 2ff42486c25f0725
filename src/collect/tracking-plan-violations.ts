import type { ErrorObject } from 'ajv';
import type { Violation } from './collect-store.js';

/**
 * The property an error's JSON Pointer names, read against the data it points into: as counted
 * (`products[].price`: every item of a list is one property, as in a feature's path) and as sent
 * (`products[1].price`, for the sentence). A digit is an index only where the data holds a list
 * there; `sizes.42` stays a key. Segments are unescaped (RFC 6901 §3: "~1" is "/", "~0" is "~").
 */
function propertyAt(pointer: string, data: unknown): { counted: string; sent: string } {
  let counted = '';
  let sent = '';
  let cur = data;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) {
      counted += '[]';
      sent += `[${seg}]`;
      cur = cur[Number(seg)];
    } else {
      counted += counted ? `.${seg}` : seg;
      sent += sent ? `.${seg}` : seg;
      cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
    }
  }
  return { counted, sent };
}

const join = (base: string, key: string) => [base, key].filter(Boolean).join('.');

/**
 * One violation per property and rule a message broke: Ajv reports a rule once for each branch of
 * an anyOf / oneOf that tried it, and once for each item of a list, and the message is counted
 * once. The detail is a sentence naming the property as sent; it never quotes the value, which
 * may be personal data and is shown to every server key.
 *
 * @example
 * toViolations('Order', [{ instancePath: '/products/1', keyword: 'required', params: { missingProperty: 'sku' }, schemaPath: '', message: '' }], { products: [{}, {}] });
 * // → [{ event: 'Order', property: 'products[].sku', rule: 'required', detail: '`products[1].sku` is required and was not sent' }]
 */
export function toViolations(event: string, errors: ErrorObject[], data: unknown): Violation[] {
  const out = new Map<string, Violation>();
  for (const e of errors) {
    const at = propertyAt(e.instancePath, data);
    const missing = e.keyword === 'required' ? String((e.params as { missingProperty?: string }).missingProperty ?? '') : '';
    const extra = e.keyword === 'additionalProperties' ? String((e.params as { additionalProperty?: string }).additionalProperty ?? '') : '';
    const property = join(at.counted, missing || extra) || '(properties)';
    const named = join(at.sent, missing || extra) || '(properties)';
    const key = `${property}\u0000${e.keyword}`;
    if (out.has(key)) continue;
    const detail = missing ? `\`${named}\` is required and was not sent`
      : extra ? `\`${named}\` is not a property the tracking plan allows here`
        : `\`${named}\` ${e.message ?? 'is not valid'}`;
    out.set(key, { event, property, rule: e.keyword, detail });
  }
  return [...out.values()];
}
