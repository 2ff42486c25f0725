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
});
