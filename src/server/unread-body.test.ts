import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, bearer, get, harness, type Harness } from '../../test/harness.js';

/**
 * QA, 2026-12-05: a JSON body on a route that declares none was ignored unseen —
 * `POST /v1/models/rates/train` with `{"dryRun":true}` trained for real, and
 * `DELETE /v1/flags/{id}` with `{"reason":"…"}` cleared the flag and kept the reason nowhere.
 */
describe('a request body on a route that takes none', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('sqlite');
  });
  afterAll(async () => h.close());
  const admin = { authorization: bearer(KEYS.admin) };
  const json = { ...admin, 'content-type': 'application/json' };

  it('is refused by POST /v1/models/{name}/train with a 400 naming each field, and nothing is trained', async () => {
    const r = await h.app.inject({ method: 'POST', url: '/v1/models/rates/train', headers: json, payload: '{"dryRun":true,"note":"x"}' });
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().problems).toEqual([
      { field: 'dryRun', message: 'The `dryRun` property is not one this endpoint takes: it reads no request body. Send the request without one.' },
      { field: 'note', message: 'The `note` property is not one this endpoint takes: it reads no request body. Send the request without one.' },
    ]);
    expect((await get(h.app, '/v1/models/rates/trainings/1')).statusCode).toBe(404);
  });

  it('points a property that is one of the route\'s query parameters to the query string', async () => {
    const r = await h.app.inject({ method: 'POST', url: '/v1/models/rates/train', headers: json, payload: '{"force":true}' });
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().problems).toEqual([
      { field: 'body.force', message: 'The `force` property is not one this endpoint takes: it reads no request body, and `force` is a query parameter — send it as `?force=true` and the request without a body.' },
    ]);
  });

  it('is refused by DELETE /v1/flags/{id}, and the flag stays open', async () => {
    const f = await h.app.inject({ method: 'POST', url: '/v1/flags', headers: admin, payload: { account: 'acme', name: 'pause', note: 'procurement review' } });
    expect(f.statusCode, f.body).toBe(201);
    const r = await h.app.inject({ method: 'DELETE', url: `/v1/flags/${f.json().id}`, headers: json, payload: '{"reason":"customer asked"}' });
    expect([r.statusCode, r.json().problems?.[0]?.field], r.body).toEqual([400, 'reason']);
    const listed = (await get(h.app, '/v1/flags?account=acme')).json().flags as { id: string; active: boolean }[];
    expect(listed.find((x) => x.id === f.json().id)?.active).toBe(true);
  });

  it('names the body when it is not an object', async () => {
    for (const [payload, said] of [['[1]', 'an array'], ['"x"', '"x" (a string)'], ['true', 'true (a boolean)'], ['0', '0 (a number)']]) {
      const r = await h.app.inject({ method: 'DELETE', url: '/v1/keys/nope', headers: json, payload });
      expect([r.statusCode, r.json().problems], payload).toEqual([400, [{ field: 'body', message: `This endpoint takes no request body; it was ${said}. Send the request without one.` }]]);
    }
  });

  it('names the body for a property with an empty name (every problem names a field)', async () => {
    const r = await h.app.inject({ method: 'DELETE', url: '/v1/keys/nope', headers: json, payload: '{"":1}' });
    expect([r.statusCode, r.json().problems?.map((p: { field: string }) => p.field)], r.body).toEqual([400, ['body']]);
  });

  it('takes none, `null` or `{}`, which say nothing', async () => {
    for (const payload of [undefined, 'null', '{}']) {
      const r = await h.app.inject({ method: 'DELETE', url: '/v1/keys/nope', headers: payload === undefined ? admin : json, ...(payload === undefined ? {} : { payload }) });
      expect([r.statusCode, r.json().error], String(payload)).toEqual([404, 'not_found']);
    }
    const trained = await h.app.inject({ method: 'POST', url: '/v1/models/rates/train', headers: json, payload: '{}' });
    expect(trained.statusCode, trained.body).toBe(202);
  });

  it('leaves the routes that declare a body as they were', async () => {
    const r = await h.app.inject({ method: 'POST', url: '/v1/models/rates/rollback', headers: json, payload: '{"reason":"bad week"}' });
    expect(r.json().error, r.body).toBe('rollback_unavailable');
  });
});
