import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { testDir } from '../../test/tmp.js';
import { keysCommand } from './keys.js';

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
