import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../src/ops/free-port.js';

export const MAIN = resolve(fileURLToPath(import.meta.url), '../../src/cli/main.js');

export interface ServerProcess {
  proc: ChildProcess;
  port: number;
  dataDir: string;
  keys: { write: string; server: string; admin: string };
  rssMb(): number;
  /** Bytes the server process has caused to be written to storage so far (/proc/<pid>/io). */
  writtenBytes(): number;
  /** CPU time used so far (user + system, ms): the main thread, and the whole process (every thread). */
  cpuMs(): { main: number; all: number };
  stop(): Promise<void>;
  /**
   * Stops the server and deletes its data folder (a decide run leaves 250–400 MB behind), unless
   * the caller gave the folder or TACT_BENCH_KEEP=1 asks to keep it for diagnosis.
   */
  remove(): Promise<void>;
}

/**
 * Starts `tact serve` as a child process on a free port with its own data folder and config,
 * and waits until /health answers.
 */
export async function startServer(opts: { config?: object; env?: Record<string, string>; dataDir?: string } = {}): Promise<ServerProcess> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'tact-bench-'));
  const port = await freePort();
  const keys = { write: 'bench-write-key', server: 'bench-server-key', admin: 'bench-admin-key' };
  const configPath = join(dataDir, 'tact.config.json');
  writeFileSync(configPath, JSON.stringify(opts.config ?? {}));
  // As `npm start` runs it: a larger young generation keeps a batch's short-lived objects out of
  // the old one, and no memory reducer (its watchdog forces a full collection 100 s after the last;
  // TACT_GC=default leaves it on, as V8 has it).
  // For diagnosis: TACT_BENCH_NODE_ARGS (e.g. "--trace-gc") and TACT_BENCH_SERVER_LOG (a file for the server's stdout).
  const extra = (process.env.TACT_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const proc = spawn(process.execPath, ['--max-semi-space-size=64', ...(process.env.TACT_GC === 'default' ? [] : ['--no-memory-reducer']), ...extra, MAIN, 'serve', '--port', String(port), '--host', '127.0.0.1', '--config', configPath], {
    env: { ...process.env, TACT_DATA_DIR: dataDir, TACT_WRITE_KEY: keys.write, TACT_SERVER_KEY: keys.server, TACT_ADMIN_KEY: keys.admin, TACT_LOG_LEVEL: process.env.TACT_BENCH_LOG_LEVEL ?? 'warn', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr?.on('data', (d) => (stderr += String(d)));
  if (process.env.TACT_BENCH_SERVER_LOG) proc.stdout?.pipe(createWriteStream(process.env.TACT_BENCH_SERVER_LOG));
  else proc.stdout?.resume();
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited early (${proc.exitCode}): ${stderr}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/health`);
      if (r.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`server did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  async function stop(): Promise<void> {
    if (proc.exitCode !== null) return;
    const done = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await done;
  }
  return {
    proc,
    port,
    dataDir,
    keys,
    rssMb() {
      const status = readFileSync(`/proc/${proc.pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      return kb / 1024;
    },
    writtenBytes() {
      const io = readFileSync(`/proc/${proc.pid}/io`, 'utf8');
      return Number(/^write_bytes:\s+(\d+)/m.exec(io)?.[1] ?? 0);
    },
    cpuMs() {
      // Fields 14 and 15 of stat (utime, stime) in clock ticks of 10 ms (USER_HZ = 100 on Linux).
      const ticks = (path: string) => {
        const f = readFileSync(path, 'utf8').split(') ')[1].split(' ');
        return Number(f[11]) + Number(f[12]);
      };
      return { main: ticks(`/proc/${proc.pid}/task/${proc.pid}/stat`) * 10, all: ticks(`/proc/${proc.pid}/stat`) * 10 };
    },
    stop,
    async remove() {
      await stop();
      if (opts.dataDir || process.env.TACT_BENCH_KEEP === '1') return;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
