/**
 * The route schemas are JSON Schema as Fastify validates with (draft 7): `exclusiveMaximum: 0.5`
 * is a number there, and a body with no required property may say `required: []`. OpenAPI 3.0's
 * schema object is an older dialect: `exclusiveMaximum` is a boolean beside `maximum`, and
 * `required` names at least one property. This rewrites the served document into that dialect, so
 * that strict validators and code generators take it (until 2026-12-06 /openapi.json had 10
 * validation errors of these two kinds: QA). It works on a copy: the routes' schemas, which the
 * document may share objects with, keep validating as they did.
 *
 * @example
 * asOpenApi30({ type: 'number', exclusiveMaximum: 0.5 }); // { type: 'number', maximum: 0.5, exclusiveMaximum: true }
 */
export function asOpenApi30<T>(doc: T): T {
  const copy = structuredClone(doc);
  walk(copy, new Set());
  return copy;
}

function walk(node: unknown, seen: Set<object>): void {
  if (!node || typeof node !== 'object' || seen.has(node)) return;
  seen.add(node);
  if (Array.isArray(node)) {
    for (const x of node) walk(x, seen);
    return;
  }
  const o = node as Record<string, unknown>;
  bound(o, 'exclusiveMaximum', 'maximum', Math.min);
  bound(o, 'exclusiveMinimum', 'minimum', Math.max);
  if (Array.isArray(o.required) && o.required.length === 0 && isSchema(o)) delete o.required;
  for (const v of Object.values(o)) walk(v, seen);
}

/** `exclusive: n` (draft 7) as `inclusive: n, exclusive: true`, the tighter bound kept when both were given. */
function bound(o: Record<string, unknown>, exclusive: string, inclusive: string, tighter: (a: number, b: number) => number): void {
  const n = o[exclusive];
  if (typeof n !== 'number') return;
  const other = o[inclusive];
  if (typeof other === 'number' && tighter(other, n) === other && other !== n) {
    delete o[exclusive]; // the inclusive bound is the tighter one: the exclusive one says nothing more
    return;
  }
  o[inclusive] = n;
  o[exclusive] = true;
}

/** A schema object, not an operation's `requestBody` or a parameter, whose `required` is a boolean anyway. */
const isSchema = (o: Record<string, unknown>): boolean => 'type' in o || 'properties' in o;
