import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { startTact, type Running } from '../../test/server-process.js';
import { KEYS, basic, bearer } from '../../test/harness.js';
import { restoreEnv, testDir } from '../../test/tmp.js';
import { freePort } from '../ops/free-port.js';
import { openStore } from '../store/open.js';
import { serveCommand } from './serve.js';
import { errorText } from './error-text.js';
import { packageScript } from '../../test/cli-entry.js';

describe('tact serve port', () => {
  const env = { ...process.env };
  afterEach(() => restoreEnv(env));

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

  for (const [how, what] of [['--config', 'folder'], ['TACT_CONFIG', 'folder'], ['--config', 'missing']]) {
    it(`refuses a ${what} as ${how} by name, before opening the store or making keys`, async () => {
      const dir = testDir('tact-serve-');
      const dataDir = join(dir, 'data');
      const config = what === 'folder' ? dir : join(dir, 'tact.config.yml');
      process.env.TACT_DATA_DIR = dataDir;
      delete process.env.TACT_DATABASE_URL;
      if (how === 'TACT_CONFIG') process.env.TACT_CONFIG = config;
      else delete process.env.TACT_CONFIG;
      const program = new Command().exitOverride();
      serveCommand(program);
      const run = program.parseAsync(['serve', '--host', '127.0.0.1', '--port', '28999', ...(how === '--config' ? ['--config', config] : [])], { from: 'user' });
      await expect(run).rejects.toThrow(`The ${how} "${config}" ${what === 'folder' ? 'is a folder, not a file' : 'does not exist'}`);
      expect(existsSync(dataDir)).toBe(false);
    });
  }

  it('refuses a --host that is not an address of this machine by name, before opening the store or making keys (it made and printed keys, then said "listen EADDRNOTAVAIL")', async () => {
    const dataDir = join(testDir('tact-serve-'), 'data');
    process.env.TACT_DATA_DIR = dataDir;
    delete process.env.TACT_DATABASE_URL;
    const program = new Command().exitOverride();
    serveCommand(program);
    // 192.0.2.1: TEST-NET-1 (RFC 5737), never an address of this machine.
    const run = program.parseAsync(['serve', '--host', '192.0.2.1', '--port', String(await freePort())], { from: 'user' });
    await expect(run).rejects.toThrow('The --host "192.0.2.1" is not an address of this machine: give one of its addresses, e.g. 127.0.0.1, or 0.0.0.0 for all of them.');
    expect(existsSync(dataDir)).toBe(false);
  });

  it('says a port in use before opening the store or making keys (it made and printed new keys first)', async () => {
    const dataDir = join(testDir('tact-serve-'), 'data');
    process.env.TACT_DATA_DIR = dataDir;
    delete process.env.TACT_DATABASE_URL;
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    try {
      const program = new Command().exitOverride();
      serveCommand(program);
      const run = program.parseAsync(['serve', '--host', '127.0.0.1', '--port', String((busy.address() as { port: number }).port)], { from: 'user' });
      await expect(run).rejects.toMatchObject({ code: 'EADDRINUSE', syscall: 'listen' });
      expect(existsSync(dataDir)).toBe(false);
    } finally {
      busy.close();
    }
  });

  it('names TACT_DATABASE_URL and its host and port when no PostgreSQL answers there (it said "Nothing answers at 127.0.0.1:…", read as Tact\'s own port)', async () => {
    const pgPort = await freePort();
    process.env.TACT_DATABASE_URL = `postgres://postgres:secret-pw@127.0.0.1:${pgPort}/tact`;
    const program = new Command().exitOverride();
    serveCommand(program);
    const run = program.parseAsync(['serve', '--host', '127.0.0.1', '--port', String(await freePort())], { from: 'user' });
    const err = await run.then(() => undefined, (e: unknown) => e);
    expect(errorText(err)).toMatch(new RegExp(`^The PostgreSQL server of TACT_DATABASE_URL \\(127\\.0\\.0\\.1:${pgPort}\\) does not answer \\(connection refused\\)`));
    expect(errorText(err)).not.toContain('secret-pw');
  });

  it('refuses a TACT_DATABASE_URL with a space before it, naming the variable (its check took it, pg looked up the host "base")', async () => {
    process.env.TACT_DATABASE_URL = ` postgres://postgres:secret-pw@127.0.0.1:${await freePort()}/tact`;
    const program = new Command().exitOverride();
    serveCommand(program);
    const run = program.parseAsync(['serve', '--host', '127.0.0.1', '--port', String(await freePort())], { from: 'user' });
    const err = await run.then(() => undefined, (e: unknown) => e);
    expect(errorText(err)).toBe('TACT_DATABASE_URL starts with a space: remove the blanks around its value (not shown: it may hold a password).');
  });

  it('takes an empty PORT as unset (8787)', () => {
    process.env.PORT = '';
    const program = new Command();
    serveCommand(program);
    expect(program.commands[0].getOptionValue('port')).toBe('8787');
  });
});


/** Runs `tact serve` from the sources on a data folder until it exits (or 60 s pass): its exit code and what it printed. */
async function serveUntilExit(dataDir: string, port: number): Promise<{ code: number | null; stderr: string }> {
  const proc = spawn(process.execPath, [...packageScript('src/cli/main.ts'), 'serve', '--port', String(port), '--host', '127.0.0.1'], {
    env: { ...process.env, TACT_DATA_DIR: dataDir, TACT_LOG_LEVEL: 'warn', TACT_CONFIG: join(dataDir, 'tact.config.json') },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += String(d)));
  const timer = setTimeout(() => proc.kill('SIGKILL'), 60_000);
  const code = await new Promise<number | null>((r) => proc.once('exit', r));
  clearTimeout(timer);
  return { code, stderr };
}

describe('tact serve on a data folder another server serves', () => {
  const running: Running[] = [];
  afterEach(async () => {
    for (const r of running.splice(0)) await r.kill('SIGKILL');
  });

  it('refuses to start, naming the folder and the server holding it; other commands open the store beside it', async () => {
    const first = await startTact();
    running.push(first);
    const second = await serveUntilExit(first.dataDir, await freePort());
    expect(second.code).toBe(1);
    const dir = first.dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(second.stderr).toMatch(new RegExp(`^tact: The data directory ${dir} is in use by another Tact server \\(process ${first.proc.pid} on ${hostname()}, port ${first.port}, since [^)]+\\): stop that one`, 'm'));
    expect(second.stderr.trim().split('\n')).toHaveLength(1);
    // As `tact keys` or `tact train` open it, beside the running server.
    const beside = await openStore({ dataDir: first.dataDir });
    expect((await beside.keys.list()).length).toBeGreaterThan(0);
    await beside.close();
    expect((await fetch(`${first.url}/health`)).ok).toBe(true);
  }, 180_000);

  it('starts once the server holding the folder was killed (kill -9): the lock went with its process', async () => {
    const first = await startTact();
    running.push(first);
    await expect(openStore({ dataDir: first.dataDir, owner: {} })).rejects.toMatchObject({ code: 'TACT_DATA_DIR_IN_USE', holder: { pid: first.proc.pid, port: first.port } });
    await first.kill('SIGKILL');
    const next = await startTact({ dataDir: first.dataDir });
    running.push(next);
    expect((await fetch(`${next.url}/health`)).ok).toBe(true);
  }, 180_000);
});

describe('tact serve refused for a key value', () => {
  const running: Running[] = [];
  afterEach(async () => {
    for (const r of running.splice(0)) await r.kill('SIGKILL');
  });

  it('changes nothing: the config file\'s changes are not stored (they were, and went live in the other processes of a PostgreSQL store)', async () => {
    const first = await startTact({ config: {} });
    running.push(first);
    await first.kill('SIGTERM');
    writeFileSync(join(first.dataDir, 'tact.config.json'), JSON.stringify({ features: [{ name: 'orders', kind: 'count', event: 'Order Completed' }] }));
    for (const bad of ['bad key', KEYS.server]) {
      const proc = spawn(process.execPath, [...packageScript('src/cli/main.ts'), 'serve', '--port', String(await freePort()), '--host', '127.0.0.1'], {
        env: { ...process.env, TACT_DATA_DIR: first.dataDir, TACT_LOG_LEVEL: 'warn', TACT_CONFIG: join(first.dataDir, 'tact.config.json'), TACT_WRITE_KEY: bad, TACT_SERVER_KEY: KEYS.server, TACT_ADMIN_KEY: KEYS.admin },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      proc.stderr.on('data', (d) => (stderr += String(d)));
      const code = await new Promise<number | null>((r) => proc.once('exit', r));
      expect(code, stderr).toBe(1);
      expect(stderr).toMatch(bad === 'bad key' ? /TACT_WRITE_KEY holds a space/ : /TACT_WRITE_KEY holds a key already registered as a server key/);
    }
    const store = await openStore({ dataDir: first.dataDir });
    expect(await store.documents.latest('features')).toBeUndefined();
    await store.close();
  }, 180_000);
});

describe('tact serve on SIGTERM', () => {
  const running: Running[] = [];
  afterEach(async () => {
    for (const r of running.splice(0)) await r.kill('SIGKILL');
  });

  it('exits within its grace although a connection opened and sent nothing (it never exited), with what it acknowledged stored', async () => {
    // Grace: the shorter of 5 s and the request limit (src/server/shutdown.ts).
    const env = { TACT_LOG_LEVEL: 'info', TACT_HEADERS_TIMEOUT_MS: '1000', TACT_REQUEST_TIMEOUT_MS: '1500' };
    const first = await startTact({ env });
    running.push(first);
    const sent = await fetch(`${first.url}/v1/track`, { method: 'POST', headers: { authorization: basic(), 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'sigterm-ana', event: 'Signed Up' }) });
    expect(sent.status).toBe(200);
    const silent = connect(first.port, '127.0.0.1');
    silent.on('error', () => {});
    await new Promise((r) => silent.once('connect', r));
    const exited = new Promise<number | null>((r) => first.proc.once('exit', r));
    const started = Date.now();
    first.proc.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running after 20 s'), 20_000))]);
    silent.destroy();
    expect(code, first.output()).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
    const lines = first.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.find((l) => l.connections !== undefined)).toMatchObject({ level: 40, connections: 1, graceMs: 1500 });
    expect(lines.at(-1)).toMatchObject({ level: 30, msg: 'stopped', signal: 'SIGTERM', forcedConnections: 1 });
    const next = await startTact({ dataDir: first.dataDir, env });
    running.push(next);
    const profile = await fetch(`${next.url}/v1/profiles/userId:sigterm-ana`, { headers: { authorization: bearer() } });
    expect(profile.status).toBe(200);
  }, 120_000);

  it('stops at once on a second signal during its shutdown (SIGTERM after Ctrl-C began a second shutdown beside the first), saying so', async () => {
    const env = { TACT_LOG_LEVEL: 'info', TACT_HEADERS_TIMEOUT_MS: '10000', TACT_REQUEST_TIMEOUT_MS: '20000' };
    const first = await startTact({ env });
    running.push(first);
    // A silent connection holds the graceful shutdown for its grace (5 s).
    const silent = connect(first.port, '127.0.0.1');
    silent.on('error', () => {});
    await new Promise((r) => silent.once('connect', r));
    const exited = new Promise<number | null>((r) => first.proc.once('exit', r));
    first.proc.kill('SIGINT');
    while (!first.output().includes('shutting down')) await new Promise((r) => setTimeout(r, 20));
    const started = Date.now();
    first.proc.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running after 10 s'), 10_000))]);
    silent.destroy();
    expect(code, first.output()).toBe(143);
    expect(Date.now() - started).toBeLessThan(2_000);
    const lines = first.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.filter((l) => String(l.msg).startsWith('shutting down'))).toHaveLength(1);
    expect(lines.at(-1)).toMatchObject({ level: 40, signal: 'SIGTERM', msg: 'second signal while shutting down: stopping now; requests not yet answered are not stored' });
  }, 60_000);
});
