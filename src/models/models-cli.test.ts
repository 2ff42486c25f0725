import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { restoreEnv, testDir } from '../../test/tmp.js';
import { openSqliteStore, type SqliteStore } from '../store/sqlite/sqlite-store.js';
import { modelsCommand } from './models-cli.js';
import { ModelRegistry } from './registry/registry.js';

/**
 * `tact models`, `tact models promote` and `tact models rollback` on an embedded store: the
 * registry's answers from the command line, the same rules as the API (a comparison before a
 * later version goes live, --force only with --reason), and the history they leave.
 */
describe('tact models', () => {
  let store: SqliteStore;
  let dir: string;
  const saved = { ...process.env };
  beforeAll(async () => {
    dir = testDir('tact-models-cli-');
    store = await openSqliteStore({ path: join(dir, 'tact.db'), checkpointMs: 3_600_000 });
    const reg = new ModelRegistry(store.models, { ttlMs: 0 });
    const now = Date.now();
    for (const at of [now - 2 * 86_400_000, now - 86_400_000]) await reg.register('send-time', { state: { version: 'test' }, metrics: { subjects: 0 }, dataFrom: null, dataTo: at }, 'schedule');
    expect((await reg.promote('send-time', 1, { actor: 'schedule' })).promoted).toBe(true);
    await store.close();
    process.env.TACT_DATA_DIR = dir;
    delete process.env.TACT_DATABASE_URL;
  });
  afterAll(() => restoreEnv(saved));
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });

  /** Runs `tact …args`; what it printed on stdout. */
  async function tact(...args: string[]): Promise<string> {
    let out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
    const program = new Command().exitOverride();
    modelsCommand(program);
    await program.parseAsync(args, { from: 'user' });
    return out;
  }

  it('lists every model with its live and latest version', async () => {
    const text = await tact('models');
    expect(text).toMatch(/^send-time\s+v1\s+v2 trained \S+ by schedule \(not live\)$/m);
    expect(text).toMatch(/^rates\s+—\s+never trained$/m);
    const json = JSON.parse((await tact('models', '--json')).trim().split('\n').at(-1)!);
    expect(json.models.find((m: { name: string }) => m.name === 'send-time')).toMatchObject({ live: { version: 1 }, latest: { version: 2, trainedBy: 'schedule' } });
  });

  it('refuses a later version whose comparison does not favour it, records the refusal, and exits 1', async () => {
    const text = await tact('models', 'promote', 'send-time', '2');
    expect(text).toContain('send-time: version 2 was not promoted — the comparison with version 1 is inconclusive');
    expect(process.exitCode).toBe(1);
    const d = JSON.parse(await tact('models', 'send-time', '--json'));
    expect(d.live.version).toBe(1);
    expect(d.history[0]).toMatchObject({ action: 'refused', version: 2, actor: 'cli' });
  });

  it('forces a version live only with a reason, which the history keeps; rollback goes back', async () => {
    await expect(tact('models', 'promote', 'send-time', '2', '--force')).rejects.toThrow('A forced promotion needs --reason');
    expect(await tact('models', 'promote', 'send-time', '2', '--force', '--reason', 'v1 misses the new slots')).toContain('send-time: version 2 is live (was 1) — forced by cli: v1 misses the new slots');
    expect(JSON.parse(await tact('models', 'send-time', '--json')).live.version).toBe(2);
    expect(await tact('models', 'rollback', 'send-time', '--reason', 'engagement fell')).toBe('send-time: version 1 is live again (was 2)\n');
    const d = JSON.parse(await tact('models', 'send-time', '--json'));
    expect(d.live.version).toBe(1);
    expect(d.history.slice(0, 2).map((e: { action: string; reason: string }) => `${e.action}: ${e.reason}`)).toEqual(['rolled-back: engagement fell', 'promoted: forced by cli: v1 misses the new slots']);
    const text = await tact('models', 'send-time');
    expect(text).toMatch(/^send-time: version 1 live since /);
    expect(text).toMatch(/^ {2}v1 +trained .*← live$/m);
  });

  it('names what is wrong: an unknown model, a version that is not a number or not there, nothing to roll back to', async () => {
    await expect(tact('models', 'rate')).rejects.toThrow('There is no model "rate"; the models are');
    await expect(tact('models', 'rate')).rejects.toThrow('Did you mean rates?');
    await expect(tact('models', 'promote', 'send-time', 'two')).rejects.toThrow('The version must be a whole number of 1 or more');
    await expect(tact('models', 'promote', 'send-time', '9')).rejects.toThrow('No version of model send-time matches `9`.');
    await expect(tact('models', 'rollback', 'rates')).rejects.toThrow('The rates model cannot be rolled back: no version of it is live.');
  });
});
