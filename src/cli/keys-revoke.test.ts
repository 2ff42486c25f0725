import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { restoreEnv, testDir } from '../../test/tmp.js';
import { TactError } from '../errors/tact-error.js';
import { Keys } from '../keys/keys.js';
import { openStore, storeChoiceFromEnv } from '../store/open.js';
import { keysCommand } from './keys.js';
import { packageScript } from '../../test/cli-entry.js';


/** A data folder with one write key and the admin keys given, each made as `tact keys create` makes it; their ids. */
async function storeWith(dataDir: string, admins: number): Promise<{ write: string; admins: string[] }> {
  const store = await openStore(storeChoiceFromEnv({ TACT_DATA_DIR: dataDir }));
  try {
    const keys = new Keys(store.keys);
    const write = (await keys.create('write', 'web shop')).key.id;
    const ids: string[] = [];
    for (let i = 0; i < admins; i++) ids.push((await keys.create('admin', `ops ${i}`)).key.id);
    return { write, admins: ids };
  } finally {
    await store.close();
  }
}

async function activeIds(dataDir: string): Promise<string[]> {
  const store = await openStore(storeChoiceFromEnv({ TACT_DATA_DIR: dataDir }));
  try {
    return (await store.keys.list()).filter((k) => k.revokedAt === null).map((k) => k.id).sort();
  } finally {
    await store.close();
  }
}

const run = (...args: string[]) => {
  const program = new Command().exitOverride();
  keysCommand(program);
  return program.parseAsync(['keys', ...args], { from: 'user' });
};

/**
 * docs/keys.md: the last active admin key is not revoked, by the API (409, src/keys/routes.ts) nor
 * by `tact keys revoke` — revoked, nobody could change configuration or make keys through the API.
 */
describe('tact keys revoke', () => {
  const env = { ...process.env };
  afterEach(() => restoreEnv(env));

  it('refuses the last active admin key with the API\'s catalogue error, and keeps it', async () => {
    const dataDir = join(testDir('tact-keys-revoke-'), 'data');
    process.env.TACT_DATA_DIR = dataDir;
    delete process.env.TACT_DATABASE_URL;
    const { write, admins: [admin] } = await storeWith(dataDir, 1);
    const refused = await run('revoke', admin).then(() => undefined, (e: unknown) => e);
    expect(refused).toBeInstanceOf(TactError);
    expect(refused).toMatchObject({ code: 'conflict', statusCode: 409 });
    expect((refused as Error).message).toBe(`The key \`${admin}\` is the last active admin key: revoked, nobody could change configuration or make keys through the API. Make another admin key first (\`tact keys create admin <label>\`, or POST /v1/keys with kind admin), then revoke this one.`);
    expect(await activeIds(dataDir)).toEqual([admin, write].sort());
  });

  it('revokes an admin key while another is active, and any other key', async () => {
    const dataDir = join(testDir('tact-keys-revoke-'), 'data');
    process.env.TACT_DATA_DIR = dataDir;
    delete process.env.TACT_DATABASE_URL;
    const { write, admins: [a1, a2] } = await storeWith(dataDir, 2);
    await run('revoke', a1);
    await run('revoke', write);
    expect(await activeIds(dataDir)).toEqual([a2]);
    await expect(run('revoke', a2)).rejects.toMatchObject({ code: 'conflict' });
    // A key revoked already, or no key at all: the API's not_found.
    await expect(run('revoke', a1)).rejects.toMatchObject({ code: 'not_found', message: `No active key matches \`${a1}\`.` });
    expect(await activeIds(dataDir)).toEqual([a2]);
  });

  it('refuses a key\'s secret given as its id without quoting it back, naming the id to revoke', async () => {
    const dataDir = join(testDir('tact-keys-revoke-'), 'data');
    process.env.TACT_DATA_DIR = dataDir;
    delete process.env.TACT_DATABASE_URL;
    await storeWith(dataDir, 1);
    const store = await openStore(storeChoiceFromEnv({ TACT_DATA_DIR: dataDir }));
    const leaked = await new Keys(store.keys).create('write', 'leaked').finally(() => store.close());
    const refused = await run('revoke', leaked.secret).then(() => undefined, (e: unknown) => e);
    expect(refused).toMatchObject({ code: 'validation_failed', statusCode: 400 });
    const message = (refused as Error).message;
    expect(message).not.toContain(leaked.secret);
    expect(message).toBe(`The \`id\` given is a key's secret, not its id: it is a write key whose id is ${leaked.key.id}. Keys are revoked by id; GET /v1/keys and \`tact keys list\` show each id beside its label.`);
    await run('revoke', leaked.key.id);
    // Revoked, it is still a secret, not an id: still not quoted.
    const again = await run('revoke', leaked.secret).then(() => undefined, (e: unknown) => e);
    expect((again as Error).message).toContain('(revoked already)');
    expect((again as Error).message).not.toContain(leaked.secret);
  });

  it('exits non-zero from the command line, printing the sentence', async () => {
    const dataDir = join(testDir('tact-keys-revoke-'), 'data');
    const { admins: [admin] } = await storeWith(dataDir, 1);
    const proc = spawn(process.execPath, [...packageScript('src/cli/main.ts'), 'keys', 'revoke', admin], {
      env: { ...process.env, TACT_DATA_DIR: dataDir, TACT_DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d) => (stdout += String(d)));
    proc.stderr.on('data', (d) => (stderr += String(d)));
    const code = await new Promise<number | null>((r) => proc.once('exit', r));
    expect([code, stdout]).toEqual([1, '']);
    expect(stderr).toBe(`tact: The key \`${admin}\` is the last active admin key: revoked, nobody could change configuration or make keys through the API. Make another admin key first (\`tact keys create admin <label>\`, or POST /v1/keys with kind admin), then revoke this one.\n`);
    expect(await activeIds(dataDir)).toContain(admin);
  });
});
