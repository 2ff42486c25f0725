import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, get, harness, type Harness } from '../../test/harness.js';
import { documentKinds } from '../server/tact.js';
import { loadConfigFile } from './config-file.js';

/** The same content with every object's keys in the reverse order: a client that serialises differently. */
function keysReversed(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(keysReversed);
  if (!v || typeof v !== 'object') return v;
  return Object.fromEntries(Object.keys(v).reverse().map((k) => [k, keysReversed((v as Record<string, unknown>)[k])]));
}

describe('PUT /v1/config/{kind} of the document the version in force already holds', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('sqlite');
  });
  afterAll(async () => h.close());
  const put = (kind: string, document: unknown, extra: object = {}) =>
    h.app.inject({ method: 'PUT', url: `/v1/config/${kind}`, headers: { authorization: `Bearer ${KEYS.admin}` }, payload: { document, reason: 'test', ...extra } });
  const versions = async (kind: string) => (await get(h.app, `/v1/config/${kind}/history`)).json().versions.length as number;

  /**
   * Writes `document` (a version), then PUTs the same content, keys reversed: answered 200 with
   * the version in force, `unchanged`, and neither a version nor an epoch more.
   */
  async function expectIdempotent(kind: string, document: unknown): Promise<void> {
    const first = await put(kind, document);
    expect(first.statusCode, `${kind}: ${first.body}`).toBe(200);
    expect(first.json().unchanged, kind).toBe(false);
    const stored = await versions(kind);
    const again = await put(kind, keysReversed(document));
    expect(again.statusCode, `${kind}: ${again.body}`).toBe(200);
    expect([again.json().unchanged, again.json().version, again.json().epoch], kind).toEqual([true, first.json().version, first.json().epoch]);
    expect(again.json().body, kind).toEqual(first.json().body);
    expect(await versions(kind), kind).toBe(stored);
  }

  it('writes no version for any kind, whatever the order of its keys', async () => {
    // The repository's config file has a rich document for the main kinds (in the order they read each other); the others take their empty one.
    const sections = loadConfigFile('tact.config.yaml')!.sections;
    for (const k of documentKinds) await expectIdempotent(k.kind, sections[k.configKey] ?? k.empty);
  });

  it('still writes a version for a changed document, and a stale `expectedVersion` is still a conflict', async () => {
    const live = (await get(h.app, '/v1/config/training')).json();
    expect((await put('training', live.body, { expectedVersion: live.version - 1 })).statusCode).toBe(409);
    const changed = await put('training', { ...live.body, every: '12h' });
    expect([changed.statusCode, changed.json().unchanged, changed.json().version]).toEqual([200, false, live.version + 1]);
  });

  it('takes over a version the config file wrote, though the content is the same: the kind is the API\'s from then on', async () => {
    const fromFile = await harness('sqlite', { config: { training: { every: '6h' } } });
    try {
      const live = (await get(fromFile.app, '/v1/config/training')).json();
      expect(live.author).toBe('config-file');
      const r = await fromFile.app.inject({ method: 'PUT', url: '/v1/config/training', headers: { authorization: `Bearer ${KEYS.admin}` }, payload: { document: live.body, reason: 'kept by the API' } });
      expect([r.statusCode, r.json().unchanged, r.json().version]).toEqual([200, false, live.version + 1]);
      expect((await get(fromFile.app, '/v1/config/training')).json().author).not.toBe('config-file');
    } finally {
      await fromFile.close();
    }
  });

  it('keeps a secret sent back redacted, as read, and writes no version for it', async () => {
    await expectIdempotent('monitors', { webhook: { url: 'https://alerts.example.com/tact', secret: 'a-long-shared-secret-1234' } });
    const read = (await get(h.app, '/v1/config/monitors')).json();
    expect(read.body.webhook.secret).toEqual({ redacted: true });
    const sentBack = await put('monitors', read.body);
    expect([sentBack.statusCode, sentBack.json().unchanged, sentBack.json().version]).toEqual([200, true, read.version]);
  });
});
