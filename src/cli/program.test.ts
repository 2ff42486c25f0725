import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { restoreEnv, testDir } from '../../test/tmp.js';
import { errorText } from './error-text.js';
import { serverOf, tactProgram } from './program.js';

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

  it('says what the exit status of a command stopped by Ctrl-C or SIGTERM is (import and decide-batch exit 130 and 143)', () => {
    const program = tactProgram();
    let text = '';
    program.configureOutput({ writeOut: (s) => (text += s) });
    program.outputHelp();
    expect(text).toMatch(/Exit status:[\s\S]*130 [\s\S]*Ctrl-C[\s\S]*143 [\s\S]*SIGTERM/);
  });

  /** Parses `args` with a fresh program that throws instead of exiting; what it wrote and how it ended. */
  async function run(args: string[]): Promise<{ out: string; err: string; code: string; exitCode?: number }> {
    const program = tactProgram();
    let out = '';
    let err = '';
    const quiet = (c: Command) => {
      c.exitOverride().configureOutput({ writeOut: (t) => (out += t), writeErr: (t) => (err += t) });
      c.commands.forEach(quiet);
    };
    quiet(program);
    try {
      await program.parseAsync(args, { from: 'user' });
      return { out, err, code: 'ran' };
    } catch (e) {
      return { out, err, code: (e as { code?: string }).code ?? String(e), exitCode: (e as { exitCode?: number }).exitCode };
    }
  }

  it('prints the usage of every command and subcommand on --help', async () => {
    for (const { name } of all) {
      const path = name.split(' ').slice(1);
      const r = await run([...path, '--help']);
      expect(r.code, name).toBe('commander.helpDisplayed');
      expect(r.out.split('\n')[0], name).toMatch(new RegExp(`^Usage: ${name.replace(/[-]/g, '\\-')} `));
    }
  });

  it('names an unknown flag on every command before anything else is said of the command line', async () => {
    for (const { name } of all) {
      const r = await run([...name.split(' ').slice(1), '--no-such-flag']);
      expect(r.code, name).toBe('commander.unknownOption');
      expect(r.err.split('\n')[0], name).toMatch(/^tact: unknown option '--no-such-flag'/);
    }
  });

  it('suggests the flag a misspelt one most likely means, on every command with options, required ones too', async () => {
    let checked = 0;
    for (const { name, cmd } of all) {
      for (const o of cmd.options) {
        if (!o.long || o.long === '--help' || o.long === '--version' || o.long.length < 5) continue;
        // One letter left out of the middle: `--placement` as `--placment`.
        const mid = Math.floor((o.long.length + 2) / 2);
        const typo = o.long.slice(0, mid) + o.long.slice(mid + 1);
        if (cmd.options.some((x) => x.long === typo)) continue;
        const r = await run([...name.split(' ').slice(1), typo, 'x']);
        expect(r.code, `${name} ${typo}`).toBe('commander.unknownOption');
        expect(r.err, `${name} ${typo}`).toContain(`tact: unknown option '${typo}'`);
        expect(r.err, `${name} ${typo}`).toMatch(new RegExp(`Did you mean (one of )?[^?]*${o.long}\\b`));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(40);
  });

  it('answers an unknown command (exit 1) with the list of every registered command, train included', async () => {
    const r = await run(['trian']);
    expect(r.code).toBe('commander.unknownCommand');
    expect(r.err.split('\n')[0]).toMatch(/^tact: unknown command 'trian'/);
    for (const c of tactProgram().commands) expect(r.err).toContain(`  ${c.name()} `);
    expect(r.err).toContain('  train [options] [model]');
  });

  it('answers `tact help` of an unknown command (exit 1) by naming it, not with the bare list of commands', async () => {
    const r = await run(['help', 'trian']);
    expect(r.code).toBe('commander.unknownCommand');
    expect(r.exitCode).toBe(1);
    expect(r.err.split('\n')[0]).toBe("tact: unknown command 'trian'. Did you mean train?");
    const known = await run(['help', 'serve']);
    expect(known.code).toBe('commander.help');
    expect(known.exitCode).toBe(0);
    expect(known.out.split('\n')[0]).toBe('Usage: tact serve [options]');
    const sub = await run(['help', 'keys', 'create']);
    expect(sub.code).toBe('commander.help');
    expect(sub.exitCode).toBe(0);
    expect(sub.out.split('\n')[0]).toBe('Usage: tact keys create [options] <kind> <label>');
    const all = await run(['help']);
    expect(all.code).toBe('commander.help');
    expect(all.exitCode).toBe(0);
    expect(all.out).toContain('Exit status:');
  });

  it('still says when a required option is missing', async () => {
    const r = await run(['evaluate-policy', '--json']);
    expect(r.code).toBe('commander.missingMandatoryOptionValue');
    expect(r.err).toBe("tact: required option '--placement <id>' not specified (tact evaluate-policy --help lists the options)\n");
  });

  it('says a missing argument or an unknown option in one line naming it, not followed by the whole help (exit 1)', async () => {
    const missing = await run(['import']);
    expect(missing.code).toBe('commander.missingArgument');
    expect(missing.exitCode).toBe(1);
    expect(missing.err).toBe("tact: missing required argument 'file' (tact import --help lists the options)\n");
    const unknown = await run(['serve', '--bogus']);
    expect(unknown.code).toBe('commander.unknownOption');
    expect(unknown.exitCode).toBe(1);
    expect(unknown.err).toBe("tact: unknown option '--bogus' (tact serve --help lists the options)\n");
    const typo = await run(['serve', '--prot', '1']);
    expect(typo.err).toBe("tact: unknown option '--prot'. Did you mean --port? (tact serve --help lists the options)\n");
    const sub = await run(['keys', 'create', 'write']);
    expect(sub.err).toBe("tact: missing required argument 'label' (tact keys create --help lists the options)\n");
    expect((await run(['keys', 'mint'])).err).toMatch(/^tact: unknown command 'mint'.* \(tact keys --help lists its commands\)\n$/);
  });
});

describe('tact --help: Exit status', () => {
  /** The Exit status of `tact --help`, its lines for exit 2 and exit 130 each joined into one. */
  function exitStatus(): { two: string; stopped: string } {
    const program = tactProgram();
    let text = '';
    program.configureOutput({ writeOut: (s) => (text += s) });
    program.outputHelp();
    const status = text.slice(text.indexOf('Exit status:')).replace(/\n {5}/g, ' ');
    return { two: /^ {2}2 {2}(.*)$/m.exec(status)?.[1] ?? '', stopped: /^ {2}130 {2}(.*)$/m.exec(status)?.[1] ?? '' };
  }

  it('names train among the commands that exit 2 (a model failed, the others trained) and 130 (Ctrl-C)', () => {
    const { two, stopped } = exitStatus();
    expect(two).toMatch(/\btrain\b/);
    expect(stopped).toMatch(/\btrain\b/);
    expect(two).toMatch(/^done in part: import .*; train .*; decide-batch /);
  });

  it('names every registered command whose own --help says it exits 2, and no other', () => {
    const { two } = exitStatus();
    const program = tactProgram();
    const saysTwo: string[] = [];
    for (const c of program.commands) {
      let own = '';
      c.configureOutput({ writeOut: (s) => (own += s) });
      c.outputHelp();
      if (/\bexit(?: code)? 2\b|Exit status:[^]*\b2 /.test(own.replace(/\s+/g, ' '))) saysTwo.push(c.name());
    }
    expect(saysTwo).toEqual(['import', 'train', 'decide-batch']);
    const named = program.commands.map((c) => c.name()).filter((n) => new RegExp(`(: |; )${n} `).test(two));
    expect(named).toEqual(saysTwo);
  });
});

describe('a client command whose server does not answer', () => {
  const env = { ...process.env };
  afterEach(() => restoreEnv(env));

  /** A port nothing listens on (one that was free a moment ago). */
  async function closedPort(): Promise<number> {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as { port: number }).port;
    await new Promise((r) => s.close(r));
    return port;
  }

  /** Runs `args` as `tact` would; the sentence main.ts would print. */
  async function failure(args: string[]): Promise<string> {
    const program = tactProgram();
    const quiet = (c: Command) => {
      c.exitOverride().configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
      c.commands.forEach(quiet);
    };
    quiet(program);
    const err = await program.parseAsync(args, { from: 'user' }).then(() => undefined, (e: unknown) => e);
    return errorText(err, serverOf(program));
  }

  it('names the URL given with --url', async () => {
    const port = await closedPort();
    const file = join(testDir('tact-program-'), 'a.jsonl');
    writeFileSync(file, '{"type":"track","userId":"u","event":"e"}\n');
    const text = await failure(['import', file, '--write-key', 'k', '--url', `http://127.0.0.1:${port}`]);
    expect(text).toBe(`Nothing answers at http://127.0.0.1:${port} (--url; connection refused at 127.0.0.1:${port}): is the Tact server running there?`);
  });

  it('refuses a --url on a port fetch never connects to before the command runs (the import retried it for half a minute)', async () => {
    const file = join(testDir('tact-program-'), 'a.jsonl');
    writeFileSync(file, '{"type":"track","userId":"u","event":"e"}\n');
    const t = performance.now();
    expect(await failure(['import', file, '--write-key', 'k', '--url', 'http://127.0.0.1:6000'])).toMatch(/^The --url "http:\/\/127\.0\.0\.1:6000" is on port 6000, to which Node's fetch never connects/);
    expect(performance.now() - t).toBeLessThan(5000);
  });

  it('names TACT_URL when the URL came from it, and the default when none was given', async () => {
    const port = await closedPort();
    const file = join(testDir('tact-program-'), 'a.jsonl');
    writeFileSync(file, '{"type":"track","userId":"u","event":"e"}\n');
    process.env.TACT_URL = `http://127.0.0.1:${port}`;
    expect(await failure(['import', file, '--write-key', 'k'])).toMatch(new RegExp(`^Nothing answers at http://127\\.0\\.0\\.1:${port} \\(TACT_URL; connection refused`));
    delete process.env.TACT_URL;
    process.env.PORT = String(port);
    expect(await failure(['decide-batch', '-p', 'home', '-a', 'true', '-o', join(testDir('tact-program-'), 'out.jsonl'), '--key', 'k'])).toMatch(
      new RegExp(`^Nothing answers at http://127\\.0\\.0\\.1:${port} \\(the default, from PORT: give the server's URL with --url or TACT_URL; connection refused`),
    );
  });
});
