import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { restoreEnv, testDir } from '../../test/tmp.js';
import { evaluatePolicyCommand, experimentCommand, holdoutCommand } from './measure.js';

describe('tact evaluate-policy, experiment results and holdout results options', () => {
  const env = { ...process.env };
  afterEach(() => restoreEnv(env));

  const cases: [string[], string][] = [
    [['evaluate-policy', '--placement', 'home', '--exploration', '0.1', '--replicates', 'abc'], '--replicates'],
    [['evaluate-policy', '--placement', 'home', '--exploration', '0.1', '--replicates', '0'], '--replicates'],
    [['evaluate-policy', '--placement', 'home', '--exploration', '0.1', '--replicates', '9000'], '--replicates'],
    [['evaluate-policy', '--placement', 'home', '--exploration', '0.1', '--seed', 'x'], '--seed'],
    [['holdout', 'results', '--pre-days', 'x'], '--pre-days'],
    [['holdout', 'results', '--pre-days', '-3'], '--pre-days'],
    [['holdout', 'results', '--pre-days', '400'], '--pre-days'],
    [['experiment', 'results', 'hero-test', '--pre-days', 'two'], '--pre-days'],
    [['evaluate-policy', '--placement', 'home', '--policy', 'latest'], '--policy'],
    [['evaluate-policy', '--placement', 'home', '--policy', '0'], '--policy'],
    [['evaluate-policy', '--placement', 'home', '--exploration', 'abc'], '--exploration'],
    [['evaluate-policy', '--placement', 'home', '--exploration', '1.5'], '--exploration'],
    [['evaluate-policy', '--placement', 'home', '--exploration', ''], '--exploration'],
    [['evaluate-policy', '--placement', 'home', '--none-score', 'high'], '--none-score'],
    [['evaluate-policy', '--placement', 'home', '--lever', 'winter push=heavy'], '--lever'],
    [['evaluate-policy', '--placement', 'home', '--lever', 'winter push=-1'], '--lever'],
    [['evaluate-policy', '--placement', 'home', '--model', 'uplift@latest'], '--model'],
    [['evaluate-policy', '--placement', 'home', '--exploration', '0.1', '--clip', '0'], '--clip'],
    [['evaluate-policy', '--placement', 'home', '--exploration', '0.1', '--clip', 'ten'], '--clip'],
    [['evaluate-policy', '--placement', 'home', '--exploration', '0.1', '--from', '2026-12-01', '--to', '2026-11-01'], '--to'],
    [['holdout', 'results', '--from', '2026-12-01', '--to', '2026-12-01'], '--to'],
    [['experiment', 'results', 'hero-test', '--from', '2026-12-01', '--to', '2026-11-30'], '--to'],
    [['evaluate-policy', '--placement', 'home', '--exploration', '0.1', '--from', '2999-01-01'], '--from'],
    [['holdout', 'results', '--from', '2999-01-01'], '--from'],
    [['experiment', 'results', 'hero-test', '--alpha', '0.5'], '--alpha'],
    [['holdout', 'results', '--alpha', 'five'], '--alpha'],
  ];
  for (const [args, flag] of cases) {
    it(`refuses ${args.slice(-2).join(' ')} of ${args[0]} by name, before opening the store`, async () => {
      const dataDir = join(testDir('tact-measure-cli-'), 'data');
      process.env.TACT_DATA_DIR = dataDir;
      delete process.env.TACT_DATABASE_URL;
      const program = new Command().exitOverride();
      evaluatePolicyCommand(program);
      experimentCommand(program);
      holdoutCommand(program);
      await expect(program.parseAsync(args, { from: 'user' })).rejects.toThrow(`The ${flag} "${args.at(-1)}"`);
      expect(existsSync(dataDir)).toBe(false);
    });
  }

  /** Runs `args` on a fresh program over a data folder that is not there; the error. */
  async function refusal(args: string[]): Promise<{ message: string; dataDir: string }> {
    const dataDir = join(testDir('tact-measure-cli-'), 'data');
    process.env.TACT_DATA_DIR = dataDir;
    delete process.env.TACT_DATABASE_URL;
    const program = new Command().exitOverride();
    evaluatePolicyCommand(program);
    experimentCommand(program);
    holdoutCommand(program);
    const err = await program.parseAsync(args, { from: 'user' }).then(() => undefined, (e: unknown) => e);
    return { message: (err as Error | undefined)?.message ?? 'no error', dataDir };
  }

  it('says which flags make a candidate when none is given (not the API\'s `candidate` fields), before opening the store', async () => {
    const r = await refusal(['evaluate-policy', '--placement', 'home']);
    expect(r.message).toBe('Say what the candidate changes: give --policy, --lever, --exploration, --none-score or --model (one or more).');
    expect(existsSync(r.dataDir)).toBe(false);
  });

  it('says what --model takes, by its flag', async () => {
    expect((await refusal(['evaluate-policy', '--placement', 'home', '--model', 'uplift@0'])).message).toBe('The --model "uplift@0" must be rate, uplift (the live uplift version) or uplift@N (a stored version, e.g. uplift@3).');
  });

  it('says the window is empty by its flags, not the API\'s `to` and `from`', async () => {
    expect((await refusal(['holdout', 'results', '--from', '2026-12-01', '--to', '2026-11-01'])).message).toBe('The --to "2026-11-01" is not after the --from "2026-12-01": the window holds no decisions. Give a --to later than --from.');
    expect((await refusal(['holdout', 'results', '--from', '2999-01-01'])).message).toMatch(/^The --from "2999-01-01" is not before now \(\d{4}-\d\d-\d\dT[^)]+\): the window holds no decisions\.$/);
  });

  it('refuses to read a store that is not there (a mistyped TACT_DATA_DIR), naming the folder, and leaves no store behind', async () => {
    for (const args of [['holdout', 'results'], ['experiment', 'results', 'hero-test'], ['evaluate-policy', '--placement', 'home', '--exploration', '0.1']]) {
      const r = await refusal(args);
      expect(r.message, args[0]).toBe(`There is no Tact store in ${r.dataDir} (TACT_DATA_DIR): check the folder, or start \`tact serve\` with it to make one.`);
      expect(existsSync(r.dataDir), args[0]).toBe(false);
    }
  });
});
