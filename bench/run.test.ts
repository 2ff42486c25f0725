import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { packageScript } from '../test/cli-entry.js';

const bench = (...args: string[]) => spawnSync(process.execPath, [...packageScript('bench/run.ts'), ...args], { encoding: 'utf8', timeout: 100_000 });

/** The server's settings, which only the benches that start one (ingest, decide) take. */
const SERVER_SETTINGS = ['TACT_DURABILITY', 'TACT_BENCH_NODE_ARGS', 'TACT_BENCH_SERVER_LOG', 'TACT_BENCH_LOG_LEVEL', "TACT_BENCH_KEEP=1 (keep the server's data folder"];
/** A bench's --help on one line (the text wraps anywhere). */
const helpOf = (name: string) => bench(name, '--help').stdout.replace(/\s+/g, ' ');

describe('npm run bench', () => {
  it('answers --help for one benchmark with its options, without running it', () => {
    const r = bench('decide', '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('--rate N');
    expect(r.stdout).not.toContain('ingest ');
  });

  it('lists the benchmarks, and refuses an unknown one by name', () => {
    expect(bench('--help').stdout).toMatch(/ingest[\s\S]*cel[\s\S]*decide/);
    const r = bench('nosuch');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('There is no bench "nosuch"; the benches are ingest, cel, decide, decide-memory, ease, decide-start.');
    expect(bench('decid').stderr).toContain('There is no bench "decid"; the benches are ingest, cel, decide, decide-memory, ease, decide-start. Did you mean decide?');
  });

  it('refuses an option the bench does not take, naming it, before running anything', () => {
    const r = bench('cel', '--quik');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('The cel bench has no option "--quik". Did you mean --quick? Its options: --quick.');
    expect(r.stdout).toBe('');
    expect(bench('decide-memory', '--quick', '--gap', '1').stderr).toContain('The decide-memory bench has no option "--gap". Its options: --quick.');
  });

  it('refuses an option with its value missing or not a number, naming the option and what it takes', () => {
    const gap = bench('decide-start', '--quick', '--gap');
    expect(gap.status).toBe(1);
    expect(gap.stderr).toContain('--gap takes a whole number of milliseconds between decisions, at least 1 (--gap MS), and none was given.');
    expect(gap.stderr).not.toContain('SqliteError');
    expect(bench('decide-start', '--step', 'x', '--quick').stderr).toContain('--step takes a whole number of decisions, at least 1 (--step N), not "x".');
    expect(bench('decide', '--rate', '--quick').stderr).toContain('--rate takes a number of decisions a second above 0 (--rate N), not "--quick".');
  });

  it('shows the server\'s settings only for the benches that start a server', () => {
    for (const name of ['ingest', 'decide']) {
      const help = helpOf(name);
      for (const s of SERVER_SETTINGS) expect(help).toContain(s);
    }
    for (const name of ['cel', 'decide-memory', 'decide-start']) {
      const help = helpOf(name);
      for (const s of SERVER_SETTINGS) expect(help).not.toContain(s);
    }
    expect(helpOf('decide-start')).toContain('TACT_BENCH_KEEP=1 keeps the SQLite database');
  });
});
