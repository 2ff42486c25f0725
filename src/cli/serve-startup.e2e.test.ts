import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startTact, type Running } from '../../test/server-process.js';

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

  it('names the config file in use, on every start (it was named only when a section changed)', async () => {
    const t = await startTact({ env: { TACT_LOG_LEVEL: 'info' } }); // with its own --config file
    running.push(t);
    const deadline = Date.now() + 10_000;
    while (!t.output().includes('Tact is listening') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const line = t.output().split('\n').find((l) => l.includes('Tact is listening'));
    expect(JSON.parse(line as string)).toMatchObject({ config: expect.stringMatching(/^\/.*tact\.config\.json$/), msg: 'Tact is listening' });
  });
});
