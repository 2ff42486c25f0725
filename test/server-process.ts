import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../src/ops/free-port.js';
import { KEYS } from './harness.js';
import { testDir } from './tmp.js';
import { packageScript } from './cli-entry.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');

export interface Running {
  proc: ChildProcess;
  port: number;
  url: string;
  dataDir: string;
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts `tact serve` from the sources (through tsx, so no build is needed) as a separate
 * process with its own data folder, and waits for /health.
 */
export async function startTact(opts: { dataDir?: string; config?: object; env?: Record<string, string>; port?: number } = {}): Promise<Running> {
  const dataDir = opts.dataDir ?? testDir('tact-e2e-');
  const port = opts.port ?? (await freePort());
  const configPath = join(dataDir, 'tact.config.json');
  writeFileSync(configPath, JSON.stringify(opts.config ?? {}));
  const proc = spawn(process.execPath, [...packageScript('src/cli/main.ts'), 'serve', '--port', String(port), '--host', '127.0.0.1', '--config', configPath], {
    cwd: ROOT,
    env: { ...process.env, TACT_DATA_DIR: dataDir, TACT_WRITE_KEY: KEYS.write, TACT_SERVER_KEY: KEYS.server, TACT_ADMIN_KEY: KEYS.admin, TACT_LOG_LEVEL: 'warn', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.on('data', (d) => (out += String(d)));
  proc.stderr?.on('data', (d) => (out += String(d)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`tact serve exited (${proc.exitCode}): ${out}`);
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      /* starting */
    }
    if (Date.now() > deadline) throw new Error(`tact serve did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    proc,
    port,
    url,
    dataDir,
    output: () => out,
    kill: async (signal = 'SIGTERM') => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const done = new Promise((r) => proc.once('exit', r));
      proc.kill(signal);
      await done;
    },
  };
}
