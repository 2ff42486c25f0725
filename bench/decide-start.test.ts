import { describe, expect, it } from 'vitest';
import { decideStartBench, wholeOption } from './decide-start.js';

describe('decide-start: --step and --gap', () => {
  it('reads a whole number', () => {
    expect(wholeOption(['--quick', '--gap', '1'], '--gap', 'MS', 'milliseconds between decisions')).toBe(1);
    expect(wholeOption(['--step', '5000'], '--step', 'N', 'decisions')).toBe(5000);
    expect(wholeOption(['--quick'], '--gap', 'MS', 'milliseconds between decisions')).toBeUndefined();
  });

  it('refuses a missing or non-numeric value, naming the option and what it takes, before writing anything', async () => {
    await expect(decideStartBench(['--quick', '--gap'])).rejects.toThrow('--gap takes a whole number of milliseconds between decisions, at least 1 (--gap MS), and none was given.');
    await expect(decideStartBench(['--quick', '--gap', '--postgres'])).rejects.toThrow('--gap takes a whole number of milliseconds between decisions, at least 1 (--gap MS), not "--postgres".');
    await expect(decideStartBench(['--step', 'many', '--quick'])).rejects.toThrow('--step takes a whole number of decisions, at least 1 (--step N), not "many".');
    await expect(decideStartBench(['--quick', '--step'])).rejects.toThrow(/^--step takes a whole number of decisions/);
    await expect(decideStartBench(['--quick', '--gap', '0'])).rejects.toThrow(/^--gap takes/);
  });
});
