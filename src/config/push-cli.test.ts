import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { KEYS, get, harness, type Harness } from '../../test/harness.js';
import { testDir } from '../../test/tmp.js';
import { runConfig } from '../../test/config-cli.js';
import { pushText } from './push-cli.js';

/** `tact config push …args` as a person runs it. */
const run = (args: string[]) => runConfig(['push', ...args]);

const lifecycle = (feature: string) => `lifecycle:\n  stages:\n    - { name: buyer, when: 'features.${feature} >= 2.0' }\n    - { name: prospect, when: 'true' }\n`;

describe('tact config push', () => {
  let h: Harness;
  let url: string;
  const dir = testDir('tact-config-push-');
  const versions = async () => Object.fromEntries(((await get(h.app, '/v1/config')).json().kinds as { kind: string; version: number }[]).filter((k) => k.kind === 'features' || k.kind === 'lifecycle').map((k) => [k.kind, k.version]));
  beforeAll(async () => {
    h = await harness('sqlite', { config: { features: [{ name: 'orders', kind: 'count', event: 'Order Completed' }], lifecycle: { stages: [{ name: 'buyer', when: 'features.orders >= 2.0' }, { name: 'prospect', when: 'true' }] } } });
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => h.close());

  it('answers every section of the file the server started with unchanged, and leaves them the file\'s (it wrote a new version of each under the key)', async () => {
    const file = join(dir, 'as-started.yaml');
    writeFileSync(file, `features:\n  - { name: orders, kind: count, event: Order Completed }\n${lifecycle('orders')}`);
    const before = await versions();
    const pushed = await run([file, '-u', url, '-k', KEYS.admin]);
    expect(pushed.error).toBeUndefined();
    expect(pushed.said).toBe(`features: unchanged (version ${before.features} holds it)\nlifecycle: unchanged (version ${before.lifecycle} holds it)\n`);
    expect(await versions()).toEqual(before);
    expect((await get(h.app, '/v1/config/features', KEYS.admin)).json().author).toBe('config-file');
  });

  it('sends a file that renames a feature and moves the rule to it as one change; --dry-run first stores nothing', async () => {
    const file = join(dir, 'renamed.yaml');
    writeFileSync(file, `features:\n  - { name: purchases, kind: count, event: Order Completed }\n${lifecycle('purchases')}`);
    const before = await versions();
    const dry = await run([file, '-u', url, '-k', KEYS.admin, '--dry-run']);
    expect(dry.error).toBeUndefined();
    // Each kind's line, then what it changes, item by item for a list of named items.
    expect(dry.said).toBe([
      `features: would be version ${before.features + 1}`,
      '  [purchases]: added {"name":"purchases","kind":"count","event":"Order Completed"}',
      '  [orders]: removed',
      `lifecycle: would be version ${before.lifecycle + 1}`,
      '  stages[buyer].when: "features.orders >= 2.0" → "features.purchases >= 2.0"',
      'Dry run: nothing was stored.',
      '',
    ].join('\n'));
    expect(await versions()).toEqual(before);
    const made = await run([file, '-u', url, '-k', KEYS.admin, '--reason', 'orders is called purchases', '--json']);
    const lines = made.said.trim().split('\n');
    expect(lines.slice(0, 5)).toEqual([`features: version ${before.features + 1}`, '  [purchases]: added {"name":"purchases","kind":"count","event":"Order Completed"}', '  [orders]: removed', `lifecycle: version ${before.lifecycle + 1}`, '  stages[buyer].when: "features.orders >= 2.0" → "features.purchases >= 2.0"']);
    expect(JSON.parse(lines[lines.length - 1]).changes.map((c: { reason: string }) => c.reason)).toEqual(['orders is called purchases', 'orders is called purchases']);
    expect(JSON.parse(lines[lines.length - 1]).differences).toEqual({ features: ['[purchases]: added {"name":"purchases","kind":"count","event":"Order Completed"}', '[orders]: removed'], lifecycle: ['stages[buyer].when: "features.orders >= 2.0" → "features.purchases >= 2.0"'] });
    expect(await versions()).toEqual({ features: before.features + 1, lifecycle: before.lifecycle + 1 });
    // Pushed again: the server holds it already.
    expect((await run([file, '-u', url, '-k', KEYS.admin])).said).toBe(`features: unchanged (version ${before.features + 1} holds it)\nlifecycle: unchanged (version ${before.lifecycle + 1} holds it)\n`);
  });

  it('ends with the server\'s refusal, naming each bad field, and stores nothing; asks for a key and a known section first', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, `features:\n  - { name: spend, kind: sum, event: Order Completed, property: revenue }\n${lifecycle('spnd')}`);
    const before = await versions();
    const r = await run([file, '-u', url, '-k', KEYS.admin]);
    expect(r.error).toMatch(/^The server refused the change \(400\): .*\n {2}documents\.lifecycle\.stages\[0\]\.when: The rule in `stages\[0\]\.when` reads `features\.spnd`, which is not a defined feature: did you mean `features\.spend`\?/);
    expect(await versions()).toEqual(before);
    vi.stubEnv('TACT_ADMIN_KEY', '');
    expect((await run([file, '-u', url])).error).toBe('An admin key is needed: pass --key or set TACT_ADMIN_KEY.');
    vi.unstubAllEnvs();
    const odd = join(dir, 'odd.yaml');
    writeFileSync(odd, 'featurs: []\n');
    expect((await run([odd, '-u', url, '-k', KEYS.admin])).error).toMatch(/^The config file .*odd\.yaml has section\(s\) featurs that Tact does not know; the sections are features, /);
    expect((await run([odd, '-u', url, '-k', KEYS.server])).error).toMatch(/section\(s\) featurs/);
    writeFileSync(odd, 'features: []\n');
    expect((await run([odd, '-u', url, '-k', KEYS.server])).error).toMatch(/^The server refused the change \(403\): /);
    // A file named on the command line is said to be so (it read "from TACT_CONFIG or --config"); a folder is said to be one.
    expect((await run([join(dir, 'none.yaml'), '-u', url, '-k', KEYS.admin])).error).toBe(`The config file ${join(dir, 'none.yaml')} (named on the command line) does not exist.`);
    expect((await run([dir, '-u', url, '-k', KEYS.admin])).error).toBe(`The config file ${dir} (named on the command line) is a folder, not a file: name the file in it (tact.config.yaml, …).`);
    vi.stubEnv('TACT_CONFIG', join(dir, 'gone.yaml'));
    expect((await run(['-u', url, '-k', KEYS.admin])).error).toBe(`The config file ${join(dir, 'gone.yaml')} (from TACT_CONFIG) does not exist.`);
    vi.unstubAllEnvs();
  });

  it('prints a line a kind with its warnings under it', () => {
    expect(pushText([{ kind: 'catalog', version: 3, unchanged: false, warnings: [{ field: 'placements[0].selection.floor', message: 'Above the budget.' }] }, { kind: 'policy', version: 2, unchanged: true, warnings: [] }], false))
      .toBe('catalog: version 3\n  warning: placements[0].selection.floor: Above the budget.\npolicy: unchanged (version 2 holds it)\n');
  });
});
