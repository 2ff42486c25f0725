import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freePort } from '../src/ops/free-port.js';
import { KEYS } from './harness.js';
import { testDir } from './tmp.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');

const up = async (url: string) => {
  try {
    return (await fetch(`${url}/health`)).ok;
  } catch {
    return false;
  }
};

/**
 * `npm start` is the README's way to run the server; a supervisor (Docker with npm as its first
 * process, systemd) signals npm alone. npm forwards SIGTERM to the script's process, which was a
 * shell (`sh -c`) that did not pass it on: npm and the shell exited and the server kept serving,
 * holding its data folder, an orphan (until 2026-12-06: QA). The script now `exec`s node, so the
 * server is the process npm signals, and stops as the README says.
 */
describe('npm start', () => {
  it('stops the server, gracefully, when npm itself gets SIGTERM', { timeout: 60_000 }, async () => {
    expect(existsSync(join(ROOT, 'dist/src/cli/main.js')), 'dist/ is built by `npm install` (prepare) or `npm run build`').toBe(true);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    // --ignore-scripts: the start script only, without prestart's build (dist/ is there).
    const npm = spawn('npm', ['start', '--ignore-scripts', '--silent'], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', TACT_DATA_DIR: testDir('tact-npm-start-'), TACT_WRITE_KEY: KEYS.write, TACT_SERVER_KEY: KEYS.server, TACT_ADMIN_KEY: KEYS.admin, TACT_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: should the server outlive npm (the defect), the test still ends it.
      detached: true,
    });
    let out = '';
    npm.stdout?.on('data', (d) => (out += String(d)));
    npm.stderr?.on('data', (d) => (out += String(d)));
    try {
      for (let i = 0; i < 300 && !(await up(url)); i++) await new Promise((r) => setTimeout(r, 100));
      expect(await up(url), out).toBe(true);
      const exited = new Promise((r) => npm.once('exit', r));
      npm.kill('SIGTERM');
      await exited;
      // The server itself went away, and said so: not an orphan still answering.
      for (let i = 0; i < 100 && (await up(url)); i++) await new Promise((r) => setTimeout(r, 100));
      expect(await up(url), 'the server still answers after npm was stopped').toBe(false);
      expect(out).toContain('"msg":"stopped"');
    } finally {
      try {
        process.kill(-npm.pid!, 'SIGKILL');
      } catch {
        /* the group is gone: nothing left running */
      }
    }
  });
});
