import { describe, expect, it } from 'vitest';
import { unsafeRegex, unsafeSchemaPatterns } from './regex-safety.js';

describe('regular expressions operators write', () => {
  it('takes patterns of star height 1 and refuses a repetition inside a repetition', () => {
    for (const ok of ['^[A-Z]{3}$', '^[^@]+@example\\.com$', '(ab|cd)+', 'a+b*c?']) expect(unsafeRegex(ok), ok).toBeUndefined();
    for (const bad of ['(a+)+$', '(x*)*y', '((ab)*)+', '(a|aa)+(b+)*']) expect(unsafeRegex(bad), bad).toMatch(/repeats a group that itself repeats/);
  });

  it('says a pattern is malformed rather than that it nests repetitions', () => {
    for (const bad of ['[a-z', '(?i)abc', 'a{2,1}']) {
      expect(unsafeRegex(bad), bad).toMatch(/is not a regular expression this engine runs/);
      expect(unsafeRegex(bad), bad).not.toMatch(/repeats a group/);
    }
  });

  it('finds every unsafe pattern in a JSON Schema, at any depth', () => {
    const schema = { type: 'object', properties: { a: { type: 'array', items: { type: 'string', pattern: '(a+)+' } }, b: { type: 'string', pattern: '^ok$' } }, patternProperties: { '(x*)*': {} } };
    expect(unsafeSchemaPatterns(schema).map(([path]) => path)).toEqual(['properties.a.items.pattern', 'patternProperties.(x*)*']);
  });
});
