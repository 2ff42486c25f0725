/**
 * Levenshtein distance of two short strings, for "did you mean …?" in error sentences (a misspelt
 * field, a feature's name).
 *
 * @example
 * editDistance('purchses', 'purchases'); // 1
 */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/**
 * The known word within `maxEdits` edits of `word` (case aside), the closest first, then the first
 * listed — for "Did you mean …?": `vale` is one edit from `value` and two from `name`, and means
 * `value` wherever `name` is listed. Undefined when none is that close.
 *
 * @example
 * closestWord('minimun', ['maximum', 'minimum']); // 'minimum'
 */
export function closestWord(word: string, known: Iterable<string>, maxEdits = 2): string | undefined {
  let best: string | undefined;
  let bestD = maxEdits + 1;
  const w = word.toLowerCase();
  for (const k of known) {
    const d = editDistance(k.toLowerCase(), w);
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best;
}
