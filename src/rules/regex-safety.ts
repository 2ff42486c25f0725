import safeRegex from 'safe-regex2';

/**
 * Why a regular expression an operator wrote may not run on what customers send, or undefined.
 * JavaScript's expressions backtrack: a repetition inside a repetition (`(a+)+$`) can take
 * exponential time on a crafted value and hold up the main thread. safe-regex2 limits the star
 * height to 1; it catches the classic forms, not every slow pattern.
 *
 * @example
 * unsafeRegex('(a+)+$'); // 'the pattern "(a+)+$" repeats a group that itself repeats, …'
 * unsafeRegex('^[A-Z]{3}$'); // undefined
 * unsafeRegex('[a-z'); // 'the pattern "[a-z" is not a regular expression this engine runs (Unterminated character class)'
 */
export function unsafeRegex(pattern: string): string | undefined {
  try {
    new RegExp(pattern);
  } catch (err) {
    // RE2 syntax JavaScript lacks (an inline flag such as `(?i)`) lands here too.
    return `the pattern ${JSON.stringify(pattern)} is not a regular expression this engine runs (${(err as Error).message.replace(/^Invalid regular expression: \/.*\/: /s, '')})`;
  }
  return safeRegex(pattern) ? undefined : `the pattern ${JSON.stringify(pattern)} repeats a group that itself repeats, which can take exponential time on some values; write it without a repetition inside a repetition`;
}

/**
 * The JSON Schema keywords in `schema` whose regular expressions are unsafe (`pattern` values,
 * `patternProperties` keys), each as [path, reason].
 *
 * @example
 * unsafeSchemaPatterns({ properties: { code: { type: 'string', pattern: '(x*)*y' } } }); // [['properties.code.pattern', '…']]
 */
export function unsafeSchemaPatterns(schema: unknown, path = ''): [string, string][] {
  if (schema === null || typeof schema !== 'object') return [];
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(schema)) {
    const at = path ? `${path}.${k}` : k;
    if (k === 'pattern' && typeof v === 'string') {
      const why = unsafeRegex(v);
      if (why) out.push([at, why]);
    } else if (k === 'patternProperties' && v && typeof v === 'object') {
      for (const p of Object.keys(v)) {
        const why = unsafeRegex(p);
        if (why) out.push([`${at}.${p}`, why]);
      }
    }
    if (v && typeof v === 'object') out.push(...unsafeSchemaPatterns(v, at));
  }
  return out;
}
