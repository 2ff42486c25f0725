import { describe, expect, it } from 'vitest';
import { unsafeRegex, unsafeSchemaPatterns } from './regex-safety.js';

describe('regular expressions operators write', () => {
  it('takes patterns of star height 1 and refuses a repetition inside a repetition', () => {
    for (const ok of ['^[A-Z]{3}$', '^[^@]+@example\\.com$', '(ab|cd)+', 'a+b*c?']) expect(unsafeRegex(ok), ok).toBeUndefined();
    for (const bad of ['(a+)+$', '(x*)*y', '((ab)*)+', '(a|aa)+(b+)*']) expect(unsafeRegex(bad), bad).toMatch(/repeats a group that itself repeats/);
  });

  it('finds every unsafe pattern in a JSON Schema, at any depth', () => {
    const schema = { type: 'object', properties: { a: { type: 'array', items: { type: 'string', pattern: '(a+)+' } }, b: { type: 'string', pattern: '^ok$' } }, patternProperties: { '(x*)*': {} } };
    expect(unsafeSchemaPatterns(schema).map(([path]) => path)).toEqual(['properties.a.items.pattern', 'patternProperties.(x*)*']);
  });
});
