import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { describeValue, schemaProblem } from './schema-problems.js';

/** The problems Ajv (no coercion, every error) finds in `data` against `schema`, as sentences. */
function problems(schema: object, data: unknown, part = 'body') {
  const validate = new Ajv({ allErrors: true }).compile(schema);
  expect(validate(data)).toBe(false);
  return validate.errors!.map((e) => schemaProblem(e, part, data));
}

describe('schemaProblem', () => {
  const schema = {
    type: 'object',
    required: ['type'],
    additionalProperties: false,
    properties: { type: { type: 'string' }, value: { type: ['number', 'null'] }, n: { type: 'integer' }, explain: { enum: ['summary', 'full'] }, at: { type: 'object', properties: { 'a/b': { type: 'boolean' } } } },
  };

  it('names the field of a wrong type, what it must be and what was sent', () => {
    expect(problems(schema, { type: 12, value: true, n: 1.5, at: { 'a/b': 'yes' } })).toEqual([
      { field: 'type', message: 'The `type` property must be a string; it was 12 (a number).' },
      { field: 'value', message: 'The `value` property must be a number or null; it was true (a boolean).' },
      { field: 'n', message: 'The `n` property must be an integer; it was 1.5 (a number).' },
      { field: 'at.a/b', message: 'The `at.a/b` property must be true or false; it was "yes" (a string).' },
    ]);
  });

  it('names a list\'s element by its index in brackets, as every other 400 of the API does', () => {
    const list = { type: 'object', properties: { items: { type: 'array', items: { type: 'object', required: ['id'], properties: { id: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } } } } } } };
    expect(problems(list, { items: [{ id: 'a' }, { tags: ['x', 3] }] }).map((p) => p.field)).toEqual(['items[1].id', 'items[1].tags[1]']);
    // An object's member named by digits is a member, not an index.
    expect(problems({ type: 'object', properties: { m: { type: 'object', properties: { 7: { type: 'string' } } } } }, { m: { 7: 1 } }).map((p) => p.field)).toEqual(['m.7']);
    expect(problems({ type: 'array', items: { type: 'string' } }, ['a', 1]).map((p) => p.field)).toEqual(['[1]']);
  });

  it('lists the values an enum takes', () => {
    expect(problems(schema, { type: 'x', explain: 'all' })).toEqual([{ field: 'explain', message: 'The `explain` property must be one of "summary", "full"; it was "all" (a string).' }]);
  });

  it('names a missing and an unknown property, and prefixes the part of the request that is not the body', () => {
    expect(problems(schema, { vale: 1 }, 'querystring')).toEqual([
      { field: 'querystring.type', message: 'The `querystring.type` property is required. It was not present on the data you sent.' },
      { field: 'querystring.vale', message: 'The `querystring.vale` property is not one this endpoint takes.' },
    ]);
  });

  it('names the body itself when it is of the wrong type', () => {
    expect(problems(schema, [1])).toEqual([{ field: 'body', message: 'The `body` property must be an object; it was an array.' }]);
  });
});

describe('describeValue', () => {
  it('quotes a scalar with its type, cuts a long string, and names lists and objects by kind', () => {
    expect(describeValue('12')).toBe('"12" (a string)');
    expect(describeValue(false)).toBe('false (a boolean)');
    expect(describeValue(0)).toBe('0 (a number)');
    expect(describeValue(null)).toBe('null');
    expect(describeValue([1])).toBe('an array');
    expect(describeValue({})).toBe('an object');
    expect(describeValue('x'.repeat(50))).toBe(`"${'x'.repeat(40)}…" (a string)`);
  });
});
