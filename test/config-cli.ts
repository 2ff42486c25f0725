import { Command } from 'commander';
import { vi } from 'vitest';
import { configCommand } from '../src/config/push-cli.js';

/**
 * `tact config …args` as a person runs it, in this process: what it printed on stdout (`said`) and
 * stderr (`told`), or the message of the error it ended with.
 *
 * @example
 * const { said, error } = await runConfig(['push', file, '-u', url, '-k', key, '--dry-run']);
 */
export async function runConfig(args: string[]): Promise<{ said: string; told: string; error?: string }> {
  const said: string[] = [];
  const told: string[] = [];
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((t) => (said.push(String(t)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((t) => (told.push(String(t)), true));
  const program = new Command().exitOverride();
  configCommand(program);
  try {
    await program.parseAsync(['config', ...args], { from: 'user' });
    return { said: said.join(''), told: told.join('') };
  } catch (e) {
    return { said: said.join(''), told: told.join(''), error: (e as Error).message };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}
