import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, harness, KEYS, type Harness } from '../../test/harness.js';

/**
 * A JSON body carries its own types: a field of the wrong type is refused with a 400 naming it,
 * never turned into another value (`"value": true` was stored as 1). Query strings and path
 * parameters are text and keep being read as the types their schemas declare.
 */
describe('types in JSON bodies and query strings', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('sqlite');
  });
  afterAll(async () => h.close());

  const post = (url: string, payload: object, key = KEYS.server) =>
    h.app.inject({ method: 'POST', url, headers: { authorization: bearer(key), 'content-type': 'application/json' }, payload });

  const refused = async (url: string, payload: object, field: string, sentence: RegExp, key?: string) => {
    const r = await post(url, payload, key);
    expect(r.statusCode, `${url} ${JSON.stringify(payload)}: ${r.body}`).toBe(400);
    const body = r.json() as { error: string; message: string; problems: { field: string; message: string }[] };
    expect(body.error).toBe('validation_failed');
    expect(body.problems.map((p) => p.field)).toEqual([field]);
    expect(body.problems[0].message).toMatch(sentence);
    expect(body.message).toBe(body.problems[0].message);
  };

  for (const [value, said] of [
    [true, /`value` property must be a number; it was true \(a boolean\)/],
    ['12', /`value` property must be a number; it was "12" \(a string\)/],
    [[3], /`value` property must be a number; it was an array/],
    [null, /`value` property must be a number; it was null/],
  ] as const) {
    it(`POST /v1/outcomes refuses "value": ${JSON.stringify(value)} (a number is asked for)`, async () => {
      await refused('/v1/outcomes', { type: 'purchase', subject: 'ana', value }, 'value', said);
    });
  }

  it('POST /v1/outcomes refuses "value": 1e400 saying a finite number is asked for, not that it was no number', async () => {
    const r = await h.app.inject({ method: 'POST', url: '/v1/outcomes', headers: { authorization: bearer(KEYS.server), 'content-type': 'application/json' }, payload: '{"type":"purchase","subject":"ana","value":1e400}' });
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().problems).toEqual([{ field: 'value', message: 'The `value` property must be a finite number; it was Infinity (1e400 and other numbers beyond ±1.8e308 are read as that).' }]);
  });

  it('POST /v1/outcomes refuses a number where a string is asked for', async () => {
    await refused('/v1/outcomes', { type: 12, subject: 'ana' }, 'type', /`type` property must be a string; it was 12 \(a number\)/);
  });

  it('POST /v1/decide refuses "n": "2" (an integer is asked for)', async () => {
    await refused('/v1/decide', { subject: 'ana', placement: 'home', n: '2' }, 'n', /`n` property must be an integer; it was "2" \(a string\)/);
  });

  it('POST /v1/models/{name}/promote refuses "force": 1 and "force": "true" (a boolean is asked for)', async () => {
    for (const force of [1, 'true']) {
      await refused('/v1/models/rates/promote', { version: 2, force, reason: 'r' }, 'force', /`force` property must be true or false; it was/, KEYS.admin);
    }
  });

  it('PUT /v1/config/{kind} refuses a number where a string is asked for', async () => {
    const r = await h.app.inject({ method: 'PUT', url: '/v1/config/policy', headers: { authorization: bearer(KEYS.admin) }, payload: { document: {}, reason: 1 } });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ problems: [{ field: 'reason', message: 'The `reason` property must be a string; it was 1 (a number).' }] });
  });

  it('still reads numbers and booleans from a query string, and refuses one that is not, naming it', async () => {
    const ok = await h.app.inject({ url: '/v1/config/policy/history?limit=5', headers: { authorization: bearer(KEYS.admin) } });
    expect(ok.statusCode).toBe(200);
    const bad = await h.app.inject({ url: '/v1/config/policy/history?limit=five', headers: { authorization: bearer(KEYS.admin) } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ problems: [{ field: 'querystring.limit', message: expect.stringMatching(/must be an integer; it was "five"/) }] });
    const all = await h.app.inject({ method: 'DELETE', url: '/v1/tracking-plan/violations?all=true', headers: { authorization: bearer(KEYS.admin) } });
    expect(all.statusCode, all.body).toBe(200);
  });
});
