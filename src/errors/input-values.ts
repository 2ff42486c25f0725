/** Deeper than any body Tact takes: a body nested further is refused (tooDeepPath). */
export const MAX_DEPTH = 64;

/**
 * The path (`a.b[2].c`) of the first value in `value` for which `hit(v, depth)` holds, or of the
 * first object key for which `keyHit` does; `root` when `value` itself is hit. Walks at most
 * {@link MAX_DEPTH} levels down. The path is written only when something is found: a clean body
 * (nearly every one) is walked without building a string.
 */
function firstPath(value: unknown, hit: (v: unknown, depth: number) => boolean, keyHit?: (k: string) => boolean, root = '(value)'): string | undefined {
  const trail: (string | number)[] = [];
  const walk = (v: unknown, depth: number): boolean => {
    if (hit(v, depth)) return true;
    if (v === null || typeof v !== 'object' || depth > MAX_DEPTH) return false;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        trail.push(i);
        if (walk(v[i], depth + 1)) return true;
        trail.pop();
      }
      return false;
    }
    for (const k in v) {
      if (!Object.prototype.hasOwnProperty.call(v, k)) continue;
      trail.push(k);
      if (keyHit?.(k) || walk((v as Record<string, unknown>)[k], depth + 1)) return true;
      trail.pop();
    }
    return false;
  };
  if (!walk(value, 0)) return undefined;
  if (!trail.length) return root;
  let path = '';
  for (const t of trail) path += typeof t === 'number' ? `[${t}]` : path ? `.${t}` : t;
  return path;
}

const hasNul = (s: string) => s.includes('\u0000');

/**
 * The path of the first string (or object key) in `value` holding a NUL character (U+0000), as
 * `a.b[2].c`, or undefined. Text with NUL cannot be stored by every store (PostgreSQL's text and
 * jsonb refuse it), so Tact refuses it at the door, the same in every store.
 *
 * @example
 * nulPath({ properties: { note: 'a\u0000b' } }); // 'properties.note'
 */
export function nulPath(value: unknown): string | undefined {
  return firstPath(value, (v) => typeof v === 'string' && hasNul(v), hasNul)?.replace(/\u0000/g, '\\u0000');
}

/** The sentence for a field that holds NUL. @example nulProblem('properties.note').message */
export function nulProblem(field: string): { field: string; message: string } {
  return { field, message: `The \`${field}\` contains a NUL character (\\u0000), which Tact does not store; remove it or replace it.` };
}

/** An unpaired UTF-16 surrogate: half a character, not Unicode (a string cut inside an emoji). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

/** Whether `s` holds half a character. @example hasLoneSurrogate('\ud83d') // true */
export function hasLoneSurrogate(s: string): boolean {
  return LONE_SURROGATE.test(s);
}

/**
 * `value` with every unpaired surrogate in its strings and keys replaced by U+FFFD, as both stores
 * would write it, so that what is held in memory is what is stored. New objects where something
 * changed; the same ones otherwise.
 *
 * @example
 * wellFormed({ note: 'cut \ud83d' }); // { note: 'cut \ufffd' }
 */
export function wellFormed<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return (hasLoneSurrogate(value) ? value.replace(LONE_SURROGATES, '\ufffd') : value) as T;
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((v) => wellFormed(v, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[wellFormed(k)] = wellFormed(v, depth + 1);
  return out as T;
}

/**
 * The path of the first number in `value` that is not finite (Infinity from `1e400` or from a
 * query's "Infinity" coerced by the schema validator, which lets it through `integer` and
 * `maximum`), or undefined.
 *
 * @example
 * nonFinitePath({ limit: Infinity }); // 'limit'
 */
export function nonFinitePath(value: unknown): string | undefined {
  return firstPath(value, (v) => typeof v === 'number' && !Number.isFinite(v));
}

/**
 * The path where `value` nests deeper than `max` levels, or undefined. Bodies are parsed before
 * any schema sees them; serialising one nested hundreds of thousands of levels deep overflows the
 * stack, so such a body is refused first.
 *
 * @example
 * tooDeepPath({ a: [[[]]] }, 2); // 'a[0]'
 */
export function tooDeepPath(value: unknown, max = MAX_DEPTH): string | undefined {
  return firstPath(value, (v, depth) => depth >= max && v !== null && typeof v === 'object', undefined, '(body)');
}
