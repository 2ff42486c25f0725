import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { restoreEnv, testDir } from '../../test/tmp.js';
import { calibrationCommand, estimatesCommand, trainCommand } from './cli.js';
import { modelsCommand } from './models-cli.js';

describe('tact train, estimates and calibration on a TACT_DATA_DIR with no store', () => {
  const saved = { ...process.env };
  afterEach(() => {
    restoreEnv(saved);
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });

  for (const [name, register, args] of [
    ['train', trainCommand, ['train']],
    ['estimates', estimatesCommand, ['estimates', 'ana']],
    ['calibration', calibrationCommand, ['calibration']],
    ['models', modelsCommand, ['models']],
    ['models promote', modelsCommand, ['models', 'promote', 'rates', '2']],
  ] as const) {
    it(`tact ${name} refuses a mistyped folder, naming it, and makes no store there`, async () => {
      const dir = join(testDir('tact-models-cli-'), 'dta');
      process.env.TACT_DATA_DIR = dir;
      delete process.env.TACT_DATABASE_URL;
      vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
      vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
      const program = new Command().exitOverride();
      register(program);
      await expect(program.parseAsync([...args], { from: 'user' })).rejects.toThrow(`There is no Tact store in ${dir} (TACT_DATA_DIR)`);
      expect(existsSync(join(dir, 'tact.db'))).toBe(false);
    });
  }

  it('tact train says nothing before the error: no "training …" line precedes it', async () => {
    const dir = join(testDir('tact-models-cli-'), 'dta');
    process.env.TACT_DATA_DIR = dir;
    delete process.env.TACT_DATABASE_URL;
    let said = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((said += String(s)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((said += String(s)), true));
    const program = new Command().exitOverride();
    trainCommand(program);
    await expect(program.parseAsync(['train', 'rates'], { from: 'user' })).rejects.toThrow(`There is no Tact store in ${dir} (TACT_DATA_DIR)`);
    expect(said).toBe('');
  });
});
