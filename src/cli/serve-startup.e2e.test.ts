import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTact, type Running } from '../../test/server-process.js';
import { testDir } from '../../test/tmp.js';
import { freePort } from '../ops/free-port.js';
import { packageScript } from '../../test/cli-entry.js';
import { databaseText } from './serve.js';

describe('tact serve\'s start-up log line', () => {
  const running: Running[] = [];
  afterEach(async () => {
    for (const r of running.splice(0)) await r.kill('SIGKILL');
  });

  it('carries the version of package.json, with where it listens', async () => {
    const t = await startTact({ env: { TACT_LOG_LEVEL: 'info' } });
    running.push(t);
    const deadline = Date.now() + 10_000;
    while (!t.output().includes('Tact is listening') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const line = t.output().split('\n').find((l) => l.includes('Tact is listening'));
    expect(line, t.output()).toBeDefined();
    const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
    expect(JSON.parse(line as string)).toMatchObject({ version, port: t.port, msg: 'Tact is listening' });
  });

  it('names where it listens and the store it serves: HOST and the data folder (they were missing)', async () => {
    const t = await startTact({ env: { TACT_LOG_LEVEL: 'info' } });
    running.push(t);
    const deadline = Date.now() + 10_000;
    while (!t.output().includes('Tact is listening') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const line = t.output().split('\n').find((l) => l.includes('Tact is listening'));
    expect(JSON.parse(line as string)).toMatchObject({ host: '127.0.0.1', port: t.port, store: 'sqlite', dataDir: t.dataDir });
  });

  it('names a PostgreSQL store by host, port and database, never the password', () => {
    expect(databaseText('postgres://tact:secret-pw@db.internal:6432/shop')).toBe('db.internal:6432/shop');
    expect(databaseText('postgresql://tact@[::1]/tact')).toBe('[::1]:5432/tact');
    expect(databaseText('postgres://tact:pw@db')).toBe('db:5432');
  });

  it('names the config file in use, on every start (it was named only when a section changed)', async () => {
    const t = await startTact({ env: { TACT_LOG_LEVEL: 'info' } }); // with its own --config file
    running.push(t);
    const deadline = Date.now() + 10_000;
    while (!t.output().includes('Tact is listening') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const line = t.output().split('\n').find((l) => l.includes('Tact is listening'));
    expect(JSON.parse(line as string)).toMatchObject({ config: expect.stringMatching(/^\/.*tact\.config\.json$/), msg: 'Tact is listening' });
  });
});

describe('tact serve\'s first-start keys', () => {
  it('are printed once on stderr, leaving stdout to the JSON log lines (they went to stdout, into the shipped logs)', async () => {
    const dir = testDir('tact-first-keys-');
    writeFileSync(join(dir, 'tact.config.json'), '{}');
    const env: NodeJS.ProcessEnv = { ...process.env, TACT_DATA_DIR: join(dir, 'data'), TACT_LOG_LEVEL: 'info' };
    delete env.TACT_WRITE_KEY;
    delete env.TACT_SERVER_KEY;
    delete env.TACT_ADMIN_KEY;
    const port = await freePort();
    const proc = spawn(process.execPath, [...packageScript('src/cli/main.ts'), 'serve', '--port', String(port), '--host', '127.0.0.1', '--config', join(dir, 'tact.config.json')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d) => (stdout += String(d)));
    proc.stderr.on('data', (d) => (stderr += String(d)));
    const closed = new Promise((r) => proc.once('close', r));
    try {
      const deadline = Date.now() + 60_000;
      while (!stdout.includes('Tact is listening') && proc.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(stdout, stderr).toContain('Tact is listening');
    } finally {
      proc.kill('SIGTERM');
      await closed;
    }
    for (const line of stdout.split('\n').filter((l) => l !== '')) expect(() => JSON.parse(line), line).not.toThrow();
    expect(stderr).toMatch(/^\nNew keys — shown once, stored only as hashes\. Keep them now:\n  write   tact_w_\S+\n  server  tact_s_\S+\n  admin   tact_a_\S+\n\n$/);
  }, 120_000);
});
