import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { packageScript } from '../test/cli-entry.js';

const bench = (...args: string[]) => spawnSync(process.execPath, [...packageScript('bench/run.ts'), ...args], { encoding: 'utf8', timeout: 100_000 });

describe('npm run bench', () => {
  it('answers --help for one benchmark with its options, without running it', () => {
    const r = bench('decide', '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('--rate N');
    expect(r.stdout).not.toContain('ingest ');
  });

  it('lists the benchmarks, and refuses an unknown one', () => {
    expect(bench('--help').stdout).toMatch(/ingest[\s\S]*cel[\s\S]*decide/);
    expect(bench('nosuch').status).toBe(1);
  });
});
