import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Command } from 'commander';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { restoreEnv, testDir } from '../../test/tmp.js';
import { keysCommand } from './keys.js';
import { packageScript } from '../../test/cli-entry.js';


/**
 * docs/keys.md: making or revoking a key is logged — `key created`, `key revoked`, with the key's
 * id, kind and label and who did it, never a secret — so the log answers "who revoked the
 * production write key?". The API did (src/keys/routes.ts); `tact keys` left no line at all.
 */
describe('tact keys create and revoke', () => {
  const env = { ...process.env };
  afterEach(() => {
    restoreEnv(env);
    vi.restoreAllMocks();
  });

  it('log what they did as the server logs it: the key, its kind and label, and that the command line did it', async () => {
    process.env.TACT_DATA_DIR = join(testDir('tact-keys-log-'), 'data');
    delete process.env.TACT_DATABASE_URL;
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk)) as Record<string, unknown>); done(); } });
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((t) => (out.push(String(t)), true));
    const run = (...args: string[]) => {
      const program = new Command().exitOverride();
      keysCommand(program, pino({ level: 'info' }, sink));
      return program.parseAsync(['keys', ...args], { from: 'user' });
    };
    await run('create', 'write', 'web shop');
    const secret = out.join('').split('\n')[1];
    const created = lines.find((l) => l.msg === 'key created') as Record<string, unknown>;
    expect(created).toMatchObject({ level: 30, kind: 'write', label: 'web shop', by: 'cli' });
    expect(String(created.key)).toMatch(/^[0-9a-f-]+$/);
    await run('revoke', String(created.key));
    expect(lines.find((l) => l.msg === 'key revoked')).toMatchObject({ key: created.key, kind: 'write', label: 'web shop', by: 'cli' });
    expect(out.at(-1)).toBe(`revoked write key ${String(created.key)} (web shop)\n`);
    expect(JSON.stringify(lines)).not.toContain(secret);
  });

  it('writes the line on stderr, leaving stdout to the secret', async () => {
    const dataDir = join(testDir('tact-keys-log-'), 'data');
    const proc = spawn(process.execPath, [...packageScript('src/cli/main.ts'), 'keys', 'create', 'server', 'reports'], {
      env: { ...process.env, TACT_DATA_DIR: dataDir, TACT_DATABASE_URL: '', TACT_LOG_LEVEL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d) => (stdout += String(d)));
    proc.stderr.on('data', (d) => (stderr += String(d)));
    expect(await new Promise<number | null>((r) => proc.once('exit', r))).toBe(0);
    const secret = stdout.split('\n')[1];
    expect(secret).toMatch(/^tact_s_/);
    const line = JSON.parse(stderr.trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ msg: 'key created', kind: 'server', label: 'reports', by: 'cli' });
    expect(stderr).not.toContain(secret);
  });

  it('says the line as a sentence, not JSON, when stderr is a terminal', async () => {
    process.env.TACT_DATA_DIR = join(testDir('tact-keys-log-'), 'data');
    delete process.env.TACT_DATABASE_URL;
    delete process.env.TACT_LOG_LEVEL;
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((t) => (err.push(String(t)), true));
    const tty = Object.getOwnPropertyDescriptor(process.stderr, 'isTTY');
    Object.defineProperty(process.stderr, 'isTTY', { value: true, configurable: true });
    try {
      const program = new Command().exitOverride();
      keysCommand(program);
      await program.parseAsync(['keys', 'create', 'write', 'web shop'], { from: 'user' });
    } finally {
      if (tty) Object.defineProperty(process.stderr, 'isTTY', tty);
      else delete (process.stderr as { isTTY?: boolean }).isTTY;
    }
    expect(err.join('')).toMatch(/^logged: key created [0-9a-f-]+ \(write, "web shop"\) by cli(, user \S+)?\n$/);
  });
});
