import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, harness, type Harness } from '../../test/harness.js';
import { partValidators } from './validators.js';

/**
 * QA, 2026-12-05: `GET /v1/decisions?limit=0x2` answered 2 decisions — Ajv's coercion reads a
 * parameter's text with `Number()`, which takes hexadecimal, binary, octal, exponents, white
 * space, a plus sign and a fraction of zero. An integer parameter takes decimal digits with an
 * optional minus; a number parameter decimal digits with an optional minus, fraction and exponent.
 */
describe('a number in a query string, a path or a header', () => {
  const compile = partValidators();
  const schema = { type: 'object', properties: { n: { type: 'integer', minimum: 1 }, x: { type: 'number' }, ids: { type: 'array', items: { type: 'integer' } } } };

  it.each(['querystring', 'params', 'headers'])('is refused in %s when an integer is not decimal digits, quoting the text sent', (httpPart) => {
    const validate = compile({ schema, httpPart });
    for (const text of ['0x10', '0b11', '0o2', '1e1', ' 5', '5 ', '+2', '2.0', '', 'Infinity', '0x0', '١٢']) {
      const data: Record<string, unknown> = { n: text };
      expect(validate(data), JSON.stringify(text)).toBe(false);
      // One problem, the type's: not also "must be >= 1" for `0x0` read as 0.
      expect(validate.errors?.map((e) => [e.keyword, e.instancePath, e.params.type]), JSON.stringify(text)).toEqual([['type', '/n', 'integer']]);
      expect(data.n).toBe(text);
    }
  });

  it('takes an integer of decimal digits, with a minus or leading zeros, as the number they write', () => {
    const validate = compile({ schema: { type: 'object', properties: { n: { type: 'integer' } } }, httpPart: 'querystring' });
    for (const [text, n] of [['5', 5], ['-3', -3], ['007', 7], ['0', 0]] as const) {
      const data: Record<string, unknown> = { n: text };
      expect(validate(data), text).toBe(true);
      expect(data.n).toBe(n);
    }
  });

  it('takes a number written as JSON writes one (leading zeros aside), and refuses other text', () => {
    const validate = compile({ schema, httpPart: 'querystring' });
    for (const [text, x] of [['0.05', 0.05], ['-1.5', -1.5], ['1e-7', 1e-7], ['2E3', 2000], ['3', 3]] as const) {
      const data: Record<string, unknown> = { x: text };
      expect(validate(data), text).toBe(true);
      expect(data.x).toBe(x);
    }
    for (const text of ['.5', '5.', '+1', '0x1', ' 1', 'Infinity', 'NaN', '1e', '1_000']) {
      const data: Record<string, unknown> = { x: text };
      expect(validate(data), text).toBe(false);
      expect(validate.errors?.map((e) => [e.instancePath, e.params.type])).toEqual([['/x', 'number']]);
    }
  });

  it('names the element of a list of integers that is not decimal, and still reports the other problems', () => {
    const validate = compile({ schema, httpPart: 'querystring' });
    const data: Record<string, unknown> = { ids: ['1', '0x2'], n: '0' };
    expect(validate(data)).toBe(false);
    expect(validate.errors?.map((e) => [e.keyword, e.instancePath])).toEqual([['type', '/ids/1'], ['minimum', '/n']]);
  });

  it('leaves a JSON body to its own types', () => {
    const validate = compile({ schema, httpPart: 'body' });
    expect(validate({ n: 16 })).toBe(true);
    expect(validate({ n: '16' })).toBe(false);
  });
});

describe('an integer query parameter over HTTP', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('sqlite');
  });
  afterAll(async () => h.close());

  it.each(['0x2', '0b11', '0o2', '1e1', '%202', '%2B2', '2.0'])('GET /v1/decisions?limit=%s is a 400 naming querystring.limit', async (text) => {
    const r = await get(h.app, `/v1/decisions?limit=${text}`);
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().problems).toEqual([{ field: 'querystring.limit', message: `The \`querystring.limit\` property must be an integer; it was ${JSON.stringify(decodeURIComponent(text))} (a string).` }]);
  });

  it('GET /v1/decisions?limit=2 is answered', async () => {
    expect((await get(h.app, '/v1/decisions?limit=2')).statusCode).toBe(200);
  });
});
