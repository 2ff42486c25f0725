import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { testDir } from '../../test/tmp.js';
import { keysCommand, migrateCommand } from './keys.js';

describe('tact keys create', () => {
  const saved = process.env.TACT_DATA_DIR;
  afterEach(() => {
    if (saved === undefined) delete process.env.TACT_DATA_DIR;
    else process.env.TACT_DATA_DIR = saved;
  });

  it('refuses a kind that is not write, server or admin, suggesting the one meant, before opening any store', async () => {
    const dir = join(testDir('tact-keys-cli-'), 'data');
    process.env.TACT_DATA_DIR = dir;
    const program = new Command().exitOverride();
    keysCommand(program);
    await expect(program.parseAsync(['keys', 'create', 'wrte', 'web shop'], { from: 'user' })).rejects.toThrow('The kind "wrte" must be write, server or admin. Did you mean write?');
    await expect(program.parseAsync(['keys', 'create', 'reader', 'web shop'], { from: 'user' })).rejects.toThrow(/^The kind "reader" must be write, server or admin\.$/);
    expect(existsSync(dir)).toBe(false);
  });

  it('refuses to list or revoke in a store that is not there (a mistyped TACT_DATA_DIR), naming the folder, and leaves no store behind', async () => {
    const dir = join(testDir('tact-keys-cli-'), 'data');
    process.env.TACT_DATA_DIR = dir;
    for (const args of [['keys', 'list'], ['keys', 'revoke', 'c0ffee']]) {
      const program = new Command().exitOverride();
      keysCommand(program);
      await expect(program.parseAsync(args, { from: 'user' }), args.join(' ')).rejects.toThrow(`There is no Tact store in ${dir} (TACT_DATA_DIR): check the folder, or start \`tact serve\` with it to make one.`);
      expect(existsSync(dir)).toBe(false);
    }
  });

  it('refuses a TACT_DATA_DIR that is a file, naming it', async () => {
    const file = join(testDir('tact-keys-cli-'), 'data');
    writeFileSync(file, '');
    process.env.TACT_DATA_DIR = file;
    const program = new Command().exitOverride();
    keysCommand(program);
    await expect(program.parseAsync(['keys', 'list'], { from: 'user' })).rejects.toThrow(`The TACT_DATA_DIR ${file} is a file, not a folder: it should name the folder of the store.`);
  });
});

describe('tact keys list and tact migrate on a store without keys', () => {
  const saved = process.env.TACT_DATA_DIR;
  afterEach(() => {
    if (saved === undefined) delete process.env.TACT_DATA_DIR;
    else process.env.TACT_DATA_DIR = saved;
  });

  /** What `tact <args>` writes on stdout. */
  async function stdout(register: (p: Command) => void, args: string[]): Promise<string> {
    const program = new Command().exitOverride();
    register(program);
    let out = '';
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((t) => ((out += String(t)), true));
    try {
      await program.parseAsync(args, { from: 'user' });
    } finally {
      spy.mockRestore();
    }
    return out;
  }

  it('says that a store was made where there was none (migrate said "up to date" of a mistyped TACT_DATA_DIR), and that it has no key (list printed nothing)', async () => {
    const dir = join(testDir('tact-keys-cli-'), 'data');
    process.env.TACT_DATA_DIR = dir;
    expect(await stdout(migrateCommand, ['migrate'])).toBe(`made a new sqlite store in ${dir} (there was none) and brought it up to date\n`);
    expect(await stdout(migrateCommand, ['migrate'])).toBe('the sqlite store is up to date\n');
    expect(await stdout(keysCommand, ['keys', 'list'])).toBe('no keys yet: make one with `tact keys create`, or start `tact serve` (it makes the first ones)\n');
  });
});
