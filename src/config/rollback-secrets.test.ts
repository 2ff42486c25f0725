import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConfig as run } from '../../test/config-cli.js';
import { KEYS, bearer, harness, type Harness } from '../../test/harness.js';
import { withSecretsInForce } from './secrets.js';

const URL_ = 'https://ops.example.com/hook';

describe('tact config rollback keeps the secrets in force, set or not', () => {
  let h: Harness;
  let url: string;
  const put = async (document: object) => {
    const r = await h.app.inject({ method: 'PUT', url: '/v1/config/monitors', headers: { authorization: bearer(KEYS.admin) }, payload: { document, reason: 'test' } });
    expect(r.statusCode, r.body).toBe(200);
    return r.json().version as number;
  };
  const stored = async () => (await h.tact.store.documents.latest<{ alpha: number; webhook: { secret?: string } }>('monitors'))!;
  beforeAll(async () => {
    // Version 1: no secret.
    h = await harness('sqlite', { config: { monitors: { alpha: 0.001, webhook: { url: URL_ } } } });
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => h.close());

  it('a version without a secret rolled back to leaves the secret set since in force; one with a secret, when none is set now, sets none (not a 400)', async () => {
    expect(await put({ alpha: 0.001, webhook: { url: URL_, secret: 'first' } })).toBe(2);
    expect(await put({ alpha: 0.0005, webhook: { url: URL_, secret: { redacted: true } } })).toBe(3);
    const back = await run(['rollback', 'monitors', '1', '-u', url, '-k', KEYS.admin]);
    expect(back.error).toBeUndefined();
    // Only what the version configures changes: the secret is no difference.
    expect(back.said).toBe('monitors: version 4, the document of version 1 (was version 3)\n  alpha: 0.0005 → 0.001\n');
    expect((await stored()).body).toEqual({ alpha: 0.001, webhook: { url: URL_, secret: 'first' } });

    // Rotated, then rolled back to the version of the first secret: the rotated one stays.
    expect(await put({ alpha: 0.002, webhook: { url: URL_, secret: 'rotated' } })).toBe(5);
    expect((await run(['rollback', 'monitors', '2', '-u', url, '-k', KEYS.admin])).error).toBeUndefined();
    expect((await stored()).body).toEqual({ alpha: 0.001, webhook: { url: URL_, secret: 'rotated' } });

    // Removed, then rolled back to a version that had one: none, and no "no secret is stored to keep".
    expect(await put({ alpha: 0.003, webhook: { url: URL_ } })).toBe(7);
    const none = await run(['rollback', 'monitors', '5', '-u', url, '-k', KEYS.admin]);
    expect(none.error).toBeUndefined();
    expect(none.said).toBe('monitors: version 8, the document of version 5 (was version 7)\n  alpha: 0.003 → 0.002\n');
    expect((await stored()).body).toEqual({ alpha: 0.002, webhook: { url: URL_ } });
  });

  it('leaves a document alone where it has nothing to hold a secret, and a kind without secrets as it is', () => {
    const marker = { redacted: true };
    expect(withSecretsInForce({ alpha: 1 }, { webhook: { url: URL_, secret: marker } }, ['webhook.secret'])).toEqual({ alpha: 1 });
    expect(withSecretsInForce({ webhook: { url: URL_, secret: marker } }, {}, ['webhook.secret'])).toEqual({ webhook: { url: URL_ } });
    const doc = { stages: [] };
    expect(withSecretsInForce(doc, undefined, [])).toBe(doc);
  });
});
