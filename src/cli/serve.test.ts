import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { testDir } from '../../test/tmp.js';
import { serveCommand } from './serve.js';

describe('tact serve port', () => {
  const env = { ...process.env };
  afterEach(() => {
    process.env = { ...env };
  });

  for (const [how, port] of [['--port', 'abc'], ['--port', '70000'], ['--port', '8787x'], ['--port', ''], ['PORT', 'abc'], ['PORT', '70000']]) {
    it(`refuses ${how} "${port}" by name, before opening the store or making keys`, async () => {
      const dataDir = join(testDir('tact-serve-'), 'data');
      process.env.TACT_DATA_DIR = dataDir;
      delete process.env.TACT_DATABASE_URL;
      if (how === 'PORT') process.env.PORT = port;
      const program = new Command().exitOverride();
      serveCommand(program);
      const run = program.parseAsync(['serve', '--host', '127.0.0.1', ...(how === '--port' ? ['--port', port] : [])], { from: 'user' });
      await expect(run).rejects.toThrow(new RegExp(`^The ${how === 'PORT' ? 'PORT' : '--port'} "${port}" is not a port: give a whole number from 1 to 65535`));
      expect(existsSync(dataDir)).toBe(false);
    });
  }

  it('takes an empty PORT as unset (8787)', () => {
    process.env.PORT = '';
    const program = new Command();
    serveCommand(program);
    expect(program.commands[0].getOptionValue('port')).toBe('8787');
  });
});
