import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { tactProgram } from './program.js';

/** Every command below `c`, itself included, with its full name. */
function commands(c: Command, prefix = ''): { name: string; cmd: Command }[] {
  const name = `${prefix}${c.name()}`;
  return [{ name, cmd: c }, ...c.commands.flatMap((s) => commands(s, `${name} `))];
}

describe('tact --help', () => {
  const all = commands(tactProgram());

  it('describes every command, argument and option', () => {
    const missing: string[] = [];
    for (const { name, cmd } of all) {
      if (!cmd.description()) missing.push(`${name}: no description`);
      for (const a of cmd.registeredArguments) if (!a.description) missing.push(`${name} <${a.name()}>: no description`);
      for (const o of cmd.options) if (!o.description) missing.push(`${name} ${o.flags}: no description`);
    }
    expect(missing).toEqual([]);
  });

  it('lists every command and says what the exit status means', () => {
    const program = tactProgram();
    let text = '';
    program.configureOutput({ writeOut: (s) => (text += s) });
    program.outputHelp();
    for (const c of program.commands) expect(text).toContain(`  ${c.name()}`);
    expect(text).toMatch(/Exit status:[\s\S]*0 [\s\S]*1 [\s\S]*2 /);
  });
});
