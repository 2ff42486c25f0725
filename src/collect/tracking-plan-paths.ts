const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** RFC 6901 §3: "~1" is "/", "~0" is "~". */
const unescape = (seg: string) => seg.replace(/~1/g, '/').replace(/~0/g, '~');

/** The schema a local `$ref` ("#", "#/definitions/price") points to in `root`, or undefined. */
function resolve(root: unknown, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  let cur = root;
  for (const raw of ref.slice(1).split('/').slice(1)) {
    let seg: string;
    try {
      seg = unescape(decodeURIComponent(raw));
    } catch {
      return undefined;
    }
    cur = isRecord(cur) ? cur[seg] : Array.isArray(cur) ? cur[Number(seg)] : undefined;
  }
  return cur;
}

/**
 * Every schema that applies where `schemas` apply: through allOf / anyOf / oneOf, then / else,
 * schema dependencies and local `$ref`s. The branches Ajv reports no errors from (`not`, `if`,
 * `contains`) are left out.
 */
function expand(root: unknown, schemas: unknown[]): Record<string, unknown>[] {
  const out = new Set<Record<string, unknown>>();
  const visit = (s: unknown) => {
    if (!isRecord(s) || out.has(s)) return;
    out.add(s);
    for (const k of ['allOf', 'anyOf', 'oneOf']) if (Array.isArray(s[k])) (s[k] as unknown[]).forEach(visit);
    visit(s.then);
    visit(s.else);
    if (isRecord(s.dependencies)) Object.values(s.dependencies).forEach(visit);
    if (typeof s.$ref === 'string') visit(resolve(root, s.$ref));
  };
  schemas.forEach(visit);
  return [...out];
}

/**
 * A key as a path writes it after `path`: `.key` (or `key` first), or `["key"]` — JSON-quoted in
 * brackets — when the key holds what a path uses (`.`, `[`, `]`, `"`) or is `*` or empty. So a key
 * sent as `"a.b"` is `["a.b"]`, never the nested `a.b`, and a key named `*` is not the `*` that
 * stands for keys the schema does not name.
 *
 * @example
 * keyPath('utm', 'a.b'); // 'utm["a.b"]'
 */
export function keyPath(path: string, key: string): string {
  if (key === '' || key === '*' || /[.[\]"]/.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path ? `${path}.${key}` : key;
}

function matches(pattern: string, key: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(key);
  } catch {
    return false;
  }
}

/**
 * The property an error's JSON Pointer names, read against the data it points into and the schema
 * that checked it: as counted and as sent (`products[1].price`, for the sentence). Every item of a
 * list is one property (`products[].price`, as in a feature's path); a digit is an index only where
 * the data holds a list there (`sizes.42` stays a key). A key the schema does not name — one its
 * `additionalProperties` or `patternProperties` admit, which the client chose — counts as `*`, so
 * the keys clients invent make one row, not one each. Where the walk loses the schema (a `$ref`
 * it cannot resolve), keys are counted as sent. A key holding a dot is quoted (keyPath):
 * `["a.b"]` for the key `a.b`, `a.b` for `b` inside `a`.
 *
 * @example
 * propertyAt('/sizes/42', { sizes: { 42: 'big' } }, { properties: { sizes: { additionalProperties: { type: 'number' } } } });
 * // → { counted: 'sizes.*', sent: 'sizes.42' }
 */
export function propertyAt(pointer: string, data: unknown, schema: unknown): { counted: string; sent: string } {
  let counted = '';
  let sent = '';
  let cur = data;
  let schemas: unknown[] | undefined = [schema];
  for (const raw of pointer.split('/').slice(1)) {
    const seg = unescape(raw);
    const here = schemas ? expand(schema, schemas) : [];
    const next: unknown[] = [];
    if (Array.isArray(cur)) {
      counted += '[]';
      sent += `[${seg}]`;
      const i = Number(seg);
      for (const s of here) {
        if (Array.isArray(s.items)) next.push(i < s.items.length ? s.items[i] : s.additionalItems);
        else next.push(s.items);
      }
      cur = cur[i];
    } else {
      let named = false;
      for (const s of here) {
        const own = isRecord(s.properties) && Object.hasOwn(s.properties, seg);
        if (own) next.push((s.properties as Record<string, unknown>)[seg]);
        named ||= own;
        const patterns = isRecord(s.patternProperties) ? Object.entries(s.patternProperties).filter(([p]) => matches(p, seg)) : [];
        for (const [, sub] of patterns) next.push(sub);
        if (!own && !patterns.length) next.push(s.additionalProperties);
      }
      // Not named, yet checked by a schema: one that `additionalProperties` or a pattern gave.
      // (A key the schema names is written as keyPath writes it: `["a.b"]` is not `a.b`.)
      counted = !named && next.some(isRecord) ? (counted ? `${counted}.*` : '*') : keyPath(counted, seg);
      sent = keyPath(sent, seg);
      cur = isRecord(cur) ? cur[seg] : undefined;
    }
    // No schema reached here, yet Ajv checked something below: count the keys as sent from here on.
    schemas = schemas && next.some(isRecord) ? next : undefined;
  }
  return { counted, sent };
}
