import { describe, expect, it } from 'vitest';
import { partValidators } from './validators.js';

describe('partValidators', () => {
  const compile = partValidators();
  const schema = { type: 'object', properties: { n: { type: 'integer' }, on: { type: 'boolean' }, ids: { type: 'array', items: { type: 'string' } }, at: { type: 'string', format: 'date-time' } } };

  it('reads the query string, path parameters and headers as the types declared (they are text)', () => {
    for (const httpPart of ['querystring', 'params', 'headers']) {
      const data: Record<string, unknown> = { n: '3', on: 'true', ids: 'a' };
      expect(compile({ schema, httpPart })(data), httpPart).toBe(true);
      expect(data).toEqual({ n: 3, on: true, ids: ['a'] });
    }
  });

  it('takes a JSON body as it was sent: a wrong type is an error, not another value', () => {
    const validate = compile({ schema, httpPart: 'body' });
    for (const data of [{ n: '3' }, { n: true }, { n: null }, { n: [3] }, { on: 1 }, { on: 'true' }, { ids: 'a' }]) {
      const copy = structuredClone(data);
      expect(validate(data), JSON.stringify(data)).toBe(false);
      expect(validate.errors?.map((e) => e.keyword)).toEqual(['type']);
      expect(data).toEqual(copy);
    }
    expect(validate({ n: 3, on: false, ids: ['a'] })).toBe(true);
  });

  it('checks formats and fills in defaults in every part, and reports every error', () => {
    const validate = compile({ schema: { type: 'object', properties: { at: { type: 'string', format: 'date-time' }, limit: { type: 'integer', default: 50 }, n: { type: 'integer' } } }, httpPart: 'body' });
    const data: Record<string, unknown> = { at: 'yesterday', n: 'x' };
    expect(validate(data)).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath)).toEqual(['/at', '/n']);
    expect(data.limit).toBe(50);
  });

  it('compiles a schema once per process and part, for the same object or another with the same JSON (a route that builds its schema in each app)', () => {
    const again = partValidators();
    const built = () => ({ type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 2 } } });
    const first = compile({ schema: built(), httpPart: 'body' });
    expect(again({ schema: built(), httpPart: 'body' })).toBe(first);
    expect(again({ schema: built(), httpPart: 'querystring' })).not.toBe(first); // text is read with other options
    expect(first({ name: 'x' })).toBe(false);
    // Another schema is another function.
    expect(again({ schema: { ...built(), required: [] }, httpPart: 'body' })).not.toBe(first);
  });
});

