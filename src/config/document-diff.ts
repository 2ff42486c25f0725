/** One difference between two versions of a configuration document. */
export interface Difference {
  /** Where, in the document: `stages[buyer].when`, `[orders]` (a list's item by its name or id), `webhook.secret`. */
  path: string;
  change: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
}

/**
 * What changes from `before` to `after`, path by path (key order aside). A list whose items are all
 * objects with a distinct `name` (else `id`) is compared item by item under that key — a feature
 * added before the others is one item added, not every item after it changed; another list by
 * position.
 *
 * @example
 * documentDiff([{ name: 'orders', kind: 'count' }], [{ name: 'orders', kind: 'sum' }, { name: 'spend', kind: 'sum' }]);
 * // [{ path: '[orders].kind', change: 'changed', before: 'count', after: 'sum' }, { path: '[spend]', change: 'added', after: { name: 'spend', kind: 'sum' } }]
 */
export function documentDiff(before: unknown, after: unknown, path = ''): Difference[] {
  if (same(before, after)) return [];
  if (isRecord(before) && isRecord(after)) {
    const out: Difference[] = [];
    const keys = [...Object.keys(after), ...Object.keys(before).filter((k) => !Object.hasOwn(after, k))];
    for (const k of keys) {
      const at = path ? `${path}.${k}` : k;
      if (!Object.hasOwn(before, k)) out.push({ path: at, change: 'added', after: after[k] });
      else if (!Object.hasOwn(after, k)) out.push({ path: at, change: 'removed', before: before[k] });
      else out.push(...documentDiff(before[k], after[k], at));
    }
    return out;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const key = itemKey(before, after);
    if (!key) {
      const out: Difference[] = [];
      for (let i = 0; i < Math.max(before.length, after.length); i++) {
        const at = `${path}[${i}]`;
        if (i >= before.length) out.push({ path: at, change: 'added', after: after[i] });
        else if (i >= after.length) out.push({ path: at, change: 'removed', before: before[i] });
        else out.push(...documentDiff(before[i], after[i], at));
      }
      return out;
    }
    const was = new Map(before.map((x) => [(x as Record<string, string>)[key], x]));
    const now = new Map(after.map((x) => [(x as Record<string, string>)[key], x]));
    const out: Difference[] = [];
    for (const [id, x] of now) {
      const at = `${path}[${id}]`;
      if (!was.has(id)) out.push({ path: at, change: 'added', after: x });
      else out.push(...documentDiff(was.get(id), x, at));
    }
    for (const [id, x] of was) if (!now.has(id)) out.push({ path: `${path}[${id}]`, change: 'removed', before: x });
    return out;
  }
  return [{ path, change: 'changed', before, after }];
}

/** `name` or `id` when every item of both lists is an object with a distinct string of it, else undefined. */
function itemKey(before: unknown[], after: unknown[]): 'name' | 'id' | undefined {
  for (const key of ['name', 'id'] as const) {
    const distinct = (list: unknown[]) => {
      const seen = new Set<string>();
      for (const x of list) {
        const v = isRecord(x) ? x[key] : undefined;
        if (typeof v !== 'string' || seen.has(v)) return false;
        seen.add(v);
      }
      return true;
    };
    if ((before.length || after.length) && distinct(before) && distinct(after)) return key;
  }
  return undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Deep equality of JSON values, key order aside. */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && same(a[k], b[k]));
  }
  return false;
}

/**
 * A difference as one line: `path: added <value>`, `path: removed`, `path: <before> → <after>`,
 * values as JSON cut to `width` characters. A secret's value is never shown: a difference at,
 * under or above one of `secrets` (paths as the kinds name them, `webhook.secret`), or of a value
 * read back redacted, says it holds a secret instead.
 *
 * @example
 * differenceLine({ path: 'stages[buyer].when', change: 'changed', before: 'features.orders >= 2.0', after: 'features.purchases >= 2.0' }, []);
 * // 'stages[buyer].when: "features.orders >= 2.0" → "features.purchases >= 2.0"'
 */
export function differenceLine(d: Difference, secrets: readonly string[], width = 100): string {
  const where = d.path || '(document)';
  const secret = (d.path === '' && secrets.length > 0) || secrets.some((s) => d.path === s || d.path.startsWith(`${s}.`) || s.startsWith(`${d.path}.`)) || redacted(d.before) || redacted(d.after);
  if (d.change === 'removed') return `${where}: removed`;
  if (secret) return d.change === 'added' ? `${where}: added (holds a secret, not shown)` : `${where}: holds a secret, not shown: the one in force → the one sent`;
  const show = (v: unknown) => {
    const text = JSON.stringify(v) ?? 'null';
    return text.length > width ? `${text.slice(0, width - 1)}…` : text;
  };
  if (d.change === 'added') return `${where}: added ${show(d.after)}`;
  return `${where}: ${show(d.before)} → ${show(d.after)}`;
}

/** Whether a value is, or holds, a secret as the API reads it back (`{ "redacted": true }`). */
function redacted(v: unknown): boolean {
  if (isRecord(v)) return (v.redacted === true && Object.keys(v).length === 1) || Object.values(v).some(redacted);
  return Array.isArray(v) && v.some(redacted);
}
