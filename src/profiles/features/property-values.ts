/**
 * The largest magnitude a numeric feature takes: 2^53 values of it (more than any profile holds)
 * sum to at most Number.MAX_VALUE, so no sum, mean or decayed sum — folded or merged — overflows
 * to Infinity, which JSON stores as null and a reloaded state read as 0. ≈ 1.996e292.
 */
export const MAX_FEATURE_NUMBER = Number.MAX_VALUE / 2 ** 53;

/**
 * A number as JSON writes it, and nothing else: an optional minus, digits without a leading zero
 * (`0` alone, or before a fraction), an optional fraction with at least one digit, an optional
 * exponent; no `+` sign, no bare fraction, no space around (until 2026-12-06 a feature counted
 * " 7 ", "0012", "1.", "+4" and ".5" as numbers; a metric's readings too, in baseline-step.ts).
 */
export const JSON_NUMBER_TEXT = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?$/;

/**
 * A property's value as a number a feature counts, or undefined: a JSON number or a string that is
 * a JSON number exactly ("12", "7.5", "-3", "1e3"), within ±{@link MAX_FEATURE_NUMBER}.
 *
 * @example
 * featureNumber('12.5'); // 12.5
 * featureNumber('0x10'); // undefined
 * featureNumber(' 12'); // undefined
 */
export function featureNumber(v: unknown): number | undefined {
  const x = typeof v === 'number' ? v : typeof v === 'string' && JSON_NUMBER_TEXT.test(v) ? Number(v) : NaN;
  return Math.abs(x) <= MAX_FEATURE_NUMBER ? x : undefined;
}

/**
 * Reads a property path; a segment ending in `[]` walks every element of a list. Only what the
 * event sent is read: own keys of objects, elements of lists under `[]` — never what JavaScript
 * adds (`constructor`, `toString`, a list's `length`), nor a list's items by index (`laps.0`).
 *
 * @example
 * extract({ products: [{ id: 'a' }, { id: 'b' }] }, ['products[]', 'id']); // ['a', 'b']
 * extract({ laps: [1, 2, 3] }, ['laps', 'length']); // []
 */
export function extract(obj: unknown, path: string[]): unknown[] {
  let cur: unknown[] = [obj];
  for (const seg of path) {
    const each = seg.endsWith('[]');
    const key = each ? seg.slice(0, -2) : seg;
    const next: unknown[] = [];
    for (const c of cur) {
      if (c === null || typeof c !== 'object' || Array.isArray(c) || !Object.hasOwn(c, key)) continue;
      const v = (c as Record<string, unknown>)[key];
      if (v === undefined) continue;
      if (each) {
        if (Array.isArray(v)) next.push(...v);
      } else next.push(v);
    }
    cur = next;
  }
  return cur.filter((v) => v !== undefined);
}

