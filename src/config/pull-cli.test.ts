import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { KEYS, bearer, get, harness, type Harness } from '../../test/harness.js';
import { testDir } from '../../test/tmp.js';
import { runConfig } from '../../test/config-cli.js';
import { loadConfigFile } from './config-file.js';

const run = runConfig;

const features = [{ name: 'orders', kind: 'count', event: 'Order Completed' }];
const lifecycle = { stages: [{ name: 'buyer', when: 'features.orders >= 2.0 && features.orders < 1000.0' }, { name: 'prospect', when: 'true' }] };
const monitors = { webhook: { url: 'https://hooks.example.com/tact', secret: 'the-webhook-secret' } };

describe('tact config pull', () => {
  let h: Harness;
  let url: string;
  const dir = testDir('tact-config-pull-');
  beforeAll(async () => {
    h = await harness('sqlite', { config: { features, lifecycle } });
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
    const put = await h.app.inject({ method: 'PUT', url: '/v1/config/monitors', headers: { authorization: bearer(KEYS.admin) }, payload: { document: monitors, reason: 'alerts to the on-call hook', author: 'ana' } });
    expect(put.statusCode).toBe(200);
  });
  afterAll(async () => h.close());

  it('writes the kinds in force as a config file, secrets redacted, which pushed back changes nothing', async () => {
    const file = join(dir, 'pulled.yaml');
    const pulled = await run(['pull', file, '-u', url, '-k', KEYS.server]);
    expect(pulled.error).toBeUndefined();
    const kinds = (await get(h.app, '/v1/config')).json();
    const written = kinds.kinds.filter((k: { version: number }) => k.version > 0);
    expect(pulled.said).toBe(`Wrote ${file}: ${written.map((k: { kind: string; version: number }) => `${k.kind} version ${k.version}`).join(', ')} (configuration epoch ${kinds.epoch}).\n`);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('the-webhook-secret');
    expect(text).toMatch(/^# monitors: monitors version 1, \S+ by "ana": "alerts to the on-call hook"$/m);
    // The file reads back as the documents in force, each under its section.
    const loaded = loadConfigFile(file)!;
    expect(Object.keys(loaded.sections)).toEqual(written.map((k: { configKey: string }) => k.configKey));
    expect(loaded.sections.features).toEqual(features);
    expect(loaded.sections.lifecycle).toEqual(lifecycle);
    expect(loaded.sections.monitors).toMatchObject({ webhook: { url: monitors.webhook.url, secret: { redacted: true } } });
    // Pulled, then pushed: every kind unchanged, the secret kept.
    const pushed = await run(['push', file, '-u', url, '-k', KEYS.admin]);
    expect(pushed.error).toBeUndefined();
    expect(pushed.said.trim().split('\n').every((l) => / unchanged \(version \d+ holds it\)$/.test(l))).toBe(true);
    expect((await get(h.app, '/v1/config')).json().epoch).toBe(kinds.epoch);
    // Edited: the dry run names what changes, never the secret sent.
    writeFileSync(file, readFileSync(file, 'utf8').replace('secret:\n      redacted: true', 'secret: a-new-secret').replace('url: https://hooks.example.com/tact', 'url: https://hooks.example.com/v2'));
    const dry = await run(['push', file, '-u', url, '-k', KEYS.admin, '--dry-run']);
    expect(dry.error).toBeUndefined();
    expect(dry.said).toContain('monitors: would be version 2\n  webhook.url: "https://hooks.example.com/tact" → "https://hooks.example.com/v2"\n  webhook.secret: holds a secret, not shown: the one in force → the one sent\n');
    expect(dry.said).not.toContain('a-new-secret');
    // The secret in force sent again (the file holds it, not the marker): no difference, as the server says it is kept.
    writeFileSync(file, readFileSync(file, 'utf8').replace('secret: a-new-secret', 'secret: the-webhook-secret'));
    const same = await run(['push', file, '-u', url, '-k', KEYS.admin, '--dry-run', '--json']);
    expect(same.error).toBeUndefined();
    expect(same.said).toContain('monitors: would be version 2\n  webhook.url: "https://hooks.example.com/tact" → "https://hooks.example.com/v2"\n');
    const lines = same.said.trim().split('\n');
    expect(lines.slice(0, -1).join('\n')).not.toContain('webhook.secret');
    const answer = JSON.parse(lines.at(-1) as string);
    expect(answer.differences.monitors).toEqual(['webhook.url: "https://hooks.example.com/tact" → "https://hooks.example.com/v2"']);
    expect(answer.changes.find((c: { kind: string }) => c.kind === 'monitors').secrets).toEqual([{ path: 'webhook.secret', change: 'kept' }]);
    expect(answer.changes.find((c: { kind: string }) => c.kind === 'features').secrets).toBeUndefined();
  });

  it('writes JSON for a .json file, YAML to stdout without one, and replaces a file only with --force', async () => {
    const json = join(dir, 'pulled.json');
    expect((await run(['pull', json, '-u', url, '-k', KEYS.admin])).error).toBeUndefined();
    expect(JSON.parse(readFileSync(json, 'utf8')).lifecycle).toEqual(lifecycle);
    const again = await run(['pull', json, '-u', url, '-k', KEYS.admin]);
    expect(again.error).toBe(`The file ${json} exists: pass --force to replace it, or name another.`);
    expect((await run(['pull', json, '-u', url, '-k', KEYS.admin, '--force'])).error).toBeUndefined();
    // `-` is stdout; a folder, and a file in a folder that is not there, are said to be so, before the server is asked.
    const dash = await run(['pull', '-', '-u', url, '-k', KEYS.server]);
    expect(dash.said).toMatch(/^# The configuration in force on /);
    expect(existsSync('-')).toBe(false);
    expect((await run(['pull', dir, '-u', url, '-k', KEYS.admin])).error).toBe(`${dir} is a folder: name a file to write in it (${dir}/tact.config.yaml).`);
    expect((await run(['pull', join(dir, 'no-such', 'x.yaml'), '-u', url, '-k', KEYS.admin])).error).toBe(`The folder ${join(dir, 'no-such')} does not exist: make it first, or name a file in another.`);
    const out = await run(['pull', '-u', url, '-k', KEYS.server]);
    expect(out.error).toBeUndefined();
    expect(out.said).toMatch(/^# The configuration in force on http:\/\/127\.0\.0\.1:\d+ at epoch \d+/);
    expect(out.said).toContain("when: features.orders >= 2.0 && features.orders < 1000.0\n");
    expect(out.told).toMatch(/^Pulled features version \d+, lifecycle version \d+, monitors version 1 \(configuration epoch \d+\)\.\n$/);
  });

  it('reads the kinds again when a change commits while they are read: never part of a change of several', async () => {
    // Renamed in one change after the kinds were listed, before the lifecycle is read: that read is thrown away.
    let changed = false;
    const fetched: string[] = [];
    const realFetch = globalThis.fetch;
    const spy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
      const path = new URL(String(input)).pathname;
      fetched.push(path);
      if (path === '/v1/config/lifecycle' && !changed) {
        changed = true;
        const r = await h.app.inject({ method: 'PUT', url: '/v1/config', headers: { authorization: bearer(KEYS.admin) }, payload: { documents: { features: [{ name: 'purchases', kind: 'count', event: 'Order Completed' }], lifecycle: { stages: [{ name: 'buyer', when: 'features.purchases >= 2.0' }, { name: 'prospect', when: 'true' }] } }, reason: 'renamed' } });
        expect(r.statusCode).toBe(200);
      }
      return realFetch(input, init);
    });
    try {
      const file = join(dir, 'during.yaml');
      expect((await run(['pull', file, '-u', url, '-k', KEYS.server])).error).toBeUndefined();
      const sections = loadConfigFile(file)!.sections as { features: { name: string }[]; lifecycle: { stages: { when: string }[] } };
      expect([sections.features[0].name, sections.lifecycle.stages[0].when]).toEqual(['purchases', 'features.purchases >= 2.0']);
      // Read twice: the features before the change, then every kind again.
      expect(fetched.filter((p) => p === '/v1/config/features')).toHaveLength(2);
    } finally {
      spy.mockRestore();
    }
  });

  it('asks for a key, and names the server\'s refusal', async () => {
    const saved = { s: process.env.TACT_SERVER_KEY, a: process.env.TACT_ADMIN_KEY };
    delete process.env.TACT_SERVER_KEY;
    delete process.env.TACT_ADMIN_KEY;
    try {
      expect((await run(['pull', '-u', url])).error).toBe('A server or admin key is needed: pass --key or set TACT_SERVER_KEY (or TACT_ADMIN_KEY).');
    } finally {
      if (saved.s !== undefined) process.env.TACT_SERVER_KEY = saved.s;
      if (saved.a !== undefined) process.env.TACT_ADMIN_KEY = saved.a;
    }
    const file = join(dir, 'refused.yaml');
    const refused = await run(['pull', file, '-u', url, '-k', KEYS.write]);
    expect(refused.error).toMatch(/^The server refused GET \/v1\/config \(403\): /);
    expect(existsSync(file)).toBe(false);
  });
});
