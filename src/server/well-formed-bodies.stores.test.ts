import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, basic, bearer, harness, type Harness } from '../../test/harness.js';

/**
 * Half a character — an unpaired UTF-16 surrogate, which JSON text writes as `\ud800` — in a body
 * of the API is kept with U+FFFD in its place, as collection keeps it (docs/collection.md): the
 * answer shows what is stored, and both stores store the same. Until 2026-12-06 a key's `label`, a
 * flag's `note` and a change's `author` were echoed raw, then stored as three U+FFFD on SQLite and
 * one on PostgreSQL.
 */
describe.each(['sqlite', 'postgres'] as const)('half a character in a JSON body on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness(kind);
  });
  afterAll(async () => h.close());

  /** Sends `text` as it is: the escape `\ud800` must reach the server as JSON text writes it. */
  const send = (method: 'POST' | 'PUT', url: string, text: string, authorization = bearer(KEYS.admin)) =>
    h.app.inject({ method, url, headers: { authorization, 'content-type': 'application/json' }, payload: text });
  const read = async (url: string) => (await h.app.inject({ url, headers: { authorization: bearer(KEYS.admin) } })).json();
  const KEPT = 'lab\ufffdel';

  it('keeps a key\'s `label` with U+FFFD in its place, in the answer and as stored', async () => {
    const made = await send('POST', '/v1/keys', '{"kind":"write","label":"lab\\ud800el"}');
    expect(made.statusCode, made.body).toBe(201);
    expect(made.json().label).toBe(KEPT);
    const { keys } = (await read('/v1/keys')) as { keys: { id: string; label: string }[] };
    expect(keys.find((k) => k.id === made.json().id)?.label).toBe(KEPT);
  });

  it('keeps a flag\'s `note` so, in either case of the escape', async () => {
    const made = await send('POST', '/v1/flags', '{"account":"acme","name":"procurement","note":"lab\\uD800el"}');
    expect(made.statusCode, made.body).toBe(201);
    expect(made.json().note).toBe(KEPT);
    const { flags } = (await read('/v1/flags?account=acme')) as { flags: { note: string }[] };
    expect(flags.map((f) => f.note)).toEqual([KEPT]);
  });

  it('keeps a change\'s `author` so, and a trail surrogate too', async () => {
    const put = await send('PUT', '/v1/config/features', '{"document":[],"reason":"tidy","author":"lab\\udfffel"}');
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json().author).toBe(KEPT);
    const { versions } = (await read('/v1/config/features/history')) as { versions: { author: string }[] };
    expect(versions.map((v) => v.author)).toEqual([KEPT]);
  });

  it('names a property whose name holds half a character as it would be kept', async () => {
    const r = await send('POST', '/v1/keys', '{"kind":"write","label":"shop","x\\ud800":1}');
    expect([r.statusCode, r.json().problems?.map((p: { field: string }) => p.field)], r.body).toEqual([400, ['x\ufffd']]);
  });

  it('leaves a whole character (a surrogate pair) as it is', async () => {
    const made = await send('POST', '/v1/keys', '{"kind":"write","label":"ok \\ud83d\\ude00"}');
    expect(made.json().label).toBe('ok 😀');
  });

  it('leaves collection to its own rules: half a character in `userId` is refused, naming it', async () => {
    const r = await send('POST', '/v1/track', '{"userId":"u\\ud800","event":"Signed Up"}', basic());
    expect([r.statusCode, r.json().problems?.[0]?.field], r.body).toEqual([400, 'userId']);
  });
});
