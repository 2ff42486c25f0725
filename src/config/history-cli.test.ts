import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConfig } from '../../test/config-cli.js';
import { KEYS, bearer, get, harness, type Harness } from '../../test/harness.js';
import { historyText } from './history-cli.js';

const run = runConfig;

const stages = (when: string) => ({ stages: [{ name: 'buyer', when }, { name: 'prospect', when: 'true' }] });

describe('tact config history and rollback', () => {
  let h: Harness;
  let url: string;
  const put = async (document: object, reason: string) => {
    const r = await h.app.inject({ method: 'PUT', url: '/v1/config/lifecycle', headers: { authorization: bearer(KEYS.admin) }, payload: { document, reason, author: 'ana' } });
    expect(r.statusCode).toBe(200);
  };
  beforeAll(async () => {
    h = await harness('sqlite', { config: { features: [{ name: 'orders', kind: 'count', event: 'Order Completed' }], lifecycle: stages('features.orders >= 2.0') } });
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
    await put(stages('features.orders >= 3.0'), 'three orders make a buyer');
    await put(stages('features.orders >= 5.0'), 'five, after the\nsale');
  });
  afterAll(async () => h.close());

  it('lists a kind\'s versions newest first, a page at a time', async () => {
    const all = await run(['history', 'lifecycle', '-u', url, '-k', KEYS.server]);
    expect(all.error).toBeUndefined();
    expect(all.said).toMatch(/^lifecycle version 3 {2}\S+ {2}ana: five, after the sale\nlifecycle version 2 {2}\S+ {2}ana: three orders make a buyer\nlifecycle version 1 {2}\S+ {2}config-file: loaded from test-config\n$/);
    const page = await run(['history', 'lifecycle', '-n', '1', '--before', '3', '-u', url, '-k', KEYS.server]);
    expect(page.said).toMatch(/^lifecycle version 2 .*\n\(older versions: tact config history lifecycle --before 2\)\n$/);
    expect((await run(['history', 'lifecycle', '-n', '0', '-u', url, '-k', KEYS.server])).error).toBe('The --limit "0" must be a whole number from 1 to 500.');
    expect((await run(['history', 'lifecyle', '-u', url, '-k', KEYS.server])).error).toMatch(/^The server refused GET \/v1\/config\/lifecyle\/history \(404\): .*lifecycle/);
  });

  it('rolls a kind back to an earlier version\'s document as a new version, saying what changes; refuses the version in force', async () => {
    const rolled = await run(['rollback', 'lifecycle', '1', '-u', url, '-k', KEYS.admin]);
    expect(rolled.error).toBeUndefined();
    expect(rolled.said).toBe('lifecycle: version 4, the document of version 1 (was version 3)\n  stages[buyer].when: "features.orders >= 5.0" → "features.orders >= 2.0"\n');
    const now = (await get(h.app, '/v1/config/lifecycle')).json();
    expect([now.version, now.body, now.reason]).toEqual([4, stages('features.orders >= 2.0'), 'rolled back to version 1']);
    expect((await run(['rollback', 'lifecycle', '4', '-u', url, '-k', KEYS.admin])).error).toBe('Version 4 of lifecycle is the one in force: nothing to roll back.');
    expect((await run(['rollback', 'lifecycle', '9', '-u', url, '-k', KEYS.admin])).error).toMatch(/^The server refused GET \/v1\/config\/lifecycle \(404\): .*9/);
    expect((await run(['rollback', 'lifecycle', 'two', '-u', url, '-k', KEYS.admin])).error).toBe('The version "two" must be a whole number of at least 1.');
  });

  it('is refused, writing nothing, when the document of that version would not pass the checks now', async () => {
    // Version 1 of the features defines `orders`; the lifecycle in force reads it, so a rollback to features without it is refused.
    const r = await h.app.inject({ method: 'PUT', url: '/v1/config/features', headers: { authorization: bearer(KEYS.admin) }, payload: { document: [{ name: 'orders', kind: 'count', event: 'Order Completed' }, { name: 'views', kind: 'count', event: 'Product Viewed' }], reason: 'views' } });
    expect(r.statusCode).toBe(200);
    await put(stages('features.views >= 2.0'), 'buyers by views');
    const refused = await run(['rollback', 'features', '1', '-u', url, '-k', KEYS.admin]);
    expect(refused.error).toMatch(/^The server refused PUT \/v1\/config\/features \(400\): [\s\S]*views/);
    expect((await get(h.app, '/v1/config/features')).json().version).toBe(2);
  });

  it('says what changed between two versions: by default what the version in force changed', async () => {
    const before = (await get(h.app, '/v1/config/lifecycle')).json().version;
    await put(stages('features.orders >= 4.0'), 'four');
    expect((await runConfig(['diff', 'lifecycle', '-u', url, '-k', KEYS.server])).said).toBe(`lifecycle version ${before} → ${before + 1}\n  stages[buyer].when: "features.views >= 2.0" → "features.orders >= 4.0"\n`);
    expect((await runConfig(['diff', 'lifecycle', '2', '3', '-u', url, '-k', KEYS.server])).said).toBe('lifecycle version 2 → 3\n  stages[buyer].when: "features.orders >= 3.0" → "features.orders >= 5.0"\n');
    expect((await runConfig(['diff', 'lifecycle', '1', '4', '-u', url, '-k', KEYS.server])).said).toBe('lifecycle version 1 → 4: the same document\n');
    expect((await runConfig(['diff', 'lifecycle', '0', '1', '-u', url, '-k', KEYS.server])).said).toMatch(/^lifecycle version 0 → 1 \(from the empty document\)\n {2}stages: added \[/);
    expect((await runConfig(['diff', 'lifecycle', '1', '0', '-u', url, '-k', KEYS.server])).error).toBe('The `to` version "0" must be a whole number of at least 1.');
    expect((await runConfig(['diff', 'lifecycle', '1', '99', '-u', url, '-k', KEYS.server])).error).toMatch(/^The server refused GET \/v1\/config\/lifecycle \(404\)/);
  });

  it('prints an empty history as such', () => {
    expect(historyText('segments', [], null)).toBe('segments: no version written yet (its empty document is in force)\n');
  });
});
