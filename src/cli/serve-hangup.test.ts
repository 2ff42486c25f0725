import { spawn } from 'node:child_process';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTact, type Running } from '../../test/server-process.js';
import { KEYS, basic, bearer } from '../../test/harness.js';
import { testDir } from '../../test/tmp.js';
import { freePort } from '../ops/free-port.js';
import { packageScript } from '../../test/cli-entry.js';

/** Sends a track call's headers and half its body now; `finish()` sends the rest and answers the status. */
function halfSentTrack(url: string, userId: string): { finish(): Promise<number> } {
  const body = JSON.stringify({ userId, event: 'Signed Up' });
  const req = request(`${url}/v1/track`, { method: 'POST', headers: { authorization: basic(), 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } });
  const answered = new Promise<number>((ok, fail) => req.once('response', (res) => (res.resume(), ok(res.statusCode ?? 0))).once('error', fail));
  req.write(body.slice(0, 10));
  return { finish: () => (req.end(body.slice(10)), answered) };
}

describe('tact serve on SIGHUP (a closed terminal)', () => {
  const running: Running[] = [];
  afterEach(async () => {
    for (const r of running.splice(0)) await r.kill('SIGKILL');
  });

  it('shuts down as on SIGTERM, logging it, answering and storing the request in flight (it died at once, saying nothing)', async () => {
    const env = { TACT_LOG_LEVEL: 'info' };
    const first = await startTact({ env });
    running.push(first);
    const inFlight = halfSentTrack(first.url, 'sighup-ana');
    // The request has reached the server (its connection counts as active) before the signal.
    await new Promise((r) => setTimeout(r, 300));
    // On 'close': its output read to the end.
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((r) => first.proc.once('close', (code, signal) => r([code, signal])));
    first.proc.kill('SIGHUP');
    while (!first.output().includes('shutting down') && first.proc.exitCode === null && first.proc.signalCode === null) await new Promise((r) => setTimeout(r, 20));
    expect(await inFlight.finish()).toBe(200);
    // Ended as SIGHUP ends a process once drained (a closed terminal's restore aborted Node's own exit).
    expect(await exited).toEqual([null, 'SIGHUP']);
    const lines = first.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.find((l) => String(l.msg).startsWith('shutting down'))).toMatchObject({ signal: 'SIGHUP' });
    expect(lines.at(-1)).toMatchObject({ level: 30, msg: 'stopped', signal: 'SIGHUP' });
    const next = await startTact({ dataDir: first.dataDir, env });
    running.push(next);
    const profile = await fetch(`${next.url}/v1/profiles/userId:sighup-ana`, { headers: { authorization: bearer() } });
    expect(profile.status).toBe(200);
  }, 120_000);

  it('keeps serving, and shuts down, when its stdout cannot be written (after a closed terminal each log write failed, and the exit retried them for ever)', async () => {
    const dir = testDir('tact-hangup-');
    // A descriptor opened for reading only: every write to it fails (EBADF), as a hung-up terminal's do (EIO).
    const unwritable = join(dir, 'stdout');
    writeFileSync(unwritable, '');
    const fd = openSync(unwritable, 'r');
    const port = await freePort();
    writeFileSync(join(dir, 'tact.config.json'), '{}');
    const proc = spawn(process.execPath, [...packageScript('src/cli/main.ts'), 'serve', '--port', String(port), '--host', '127.0.0.1', '--config', join(dir, 'tact.config.json')], {
      env: { ...process.env, TACT_DATA_DIR: join(dir, 'data'), TACT_WRITE_KEY: KEYS.write, TACT_SERVER_KEY: KEYS.server, TACT_ADMIN_KEY: KEYS.admin, TACT_LOG_LEVEL: 'info' },
      stdio: ['ignore', fd, 'pipe'],
    });
    closeSync(fd);
    let stderr = '';
    proc.stderr?.on('data', (d) => (stderr += String(d)));
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((r) => proc.once('exit', (code, signal) => r([code, signal])));
    try {
      const deadline = Date.now() + 60_000;
      let health = 0;
      while (health !== 200 && proc.exitCode === null && Date.now() < deadline) {
        health = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.status, () => 0);
        if (health !== 200) await new Promise((r) => setTimeout(r, 100));
      }
      expect(health, stderr).toBe(200);
      const sent = await fetch(`http://127.0.0.1:${port}/v1/track`, { method: 'POST', headers: { authorization: basic(), 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'quiet-ana', event: 'Signed Up' }) });
      expect(sent.status).toBe(200);
      proc.kill('SIGTERM');
      const ended = await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running after 20 s'), 20_000))]);
      expect(ended, stderr).toEqual([0, null]);
    } finally {
      proc.kill('SIGKILL');
    }
  }, 120_000);
});
