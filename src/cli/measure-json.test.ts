import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { harness, openTestStore } from '../../test/harness.js';
import { restoreEnv, testDir } from '../../test/tmp.js';
import { measureShop } from '../measure/simulation.js';
import { experimentCommand, holdoutCommand } from './measure.js';

/** Everything `tact <args>` writes to stdout. */
async function stdout(args: string[]): Promise<string> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out += String(s);
    return true;
  });
  try {
    const program = new Command().exitOverride();
    experimentCommand(program);
    holdoutCommand(program);
    await program.parseAsync(args, { from: 'user' });
  } finally {
    spy.mockRestore();
  }
  return out;
}

describe('tact experiment results and holdout results on a store', () => {
  const env = { ...process.env };
  afterEach(() => restoreEnv(env));

  it('prints one JSON object as its last line with --json, at the --alpha asked for, and refuses an --alpha out of (0, 0.5) by name', async () => {
    const dataDir = join(testDir('tact-measure-json-'), 'data');
    mkdirSync(dataDir, { recursive: true });
    const { store } = await openTestStore('sqlite', join(dataDir, 'tact.db'));
    const h = await harness('sqlite', { store, config: measureShop({ holdout: 0.2, experiments: { 'hero-test': { placement: 'home', arms: [{ id: 'control', weight: 0.5 }, { id: 'treat', weight: 0.5 }] } } }) });
    for (let i = 0; i < 20; i++) await h.tact.decide.decider.decide({ subject: `s${i}`, placement: 'home' });
    await h.close();
    await store.close();
    process.env.TACT_DATA_DIR = dataDir;
    delete process.env.TACT_DATABASE_URL;

    for (const args of [['experiment', 'results', 'hero-test', '--json', '--alpha', '0.1'], ['holdout', 'results', '--json', '--alpha', '0.1']]) {
      const lines = (await stdout(args)).trimEnd().split('\n');
      const r = JSON.parse(lines.at(-1)!);
      expect(typeof r, args[0]).toBe('object');
      expect(r.readout.verdictAlpha, args[0]).toBe(0.1);
    }
    const text = await stdout(['experiment', 'results', 'hero-test', '--alpha', '0.1']);
    expect(text).toContain('90%');
    // 1e-16: 1 − alpha/2 rounds to 1 and the intervals read NaN and ±Infinity (until 2026-12-05, exit 0).
    for (const bad of ['0', '0.5', 'abc', '-0.1', '1e-16']) {
      await expect(stdout(['experiment', 'results', 'hero-test', '--alpha', bad])).rejects.toThrow(`The --alpha "${bad}" must be a level from 0.000001 (a 99.9999% interval) to below 0.5, e.g. 0.05.`);
    }
  });
});
