import { describe, expect, it } from 'vitest';
import { runBanditSimulation } from './bandit-sim.js';
import { UNITS, counted, stages, ticker } from './progress.js';

type Call = [number, number, string | undefined];

describe('an evaluation\'s progress bar over its stages', () => {
  it('moves forward through each stage\'s share and ends at exactly UNITS of UNITS', () => {
    const calls: Call[] = [];
    const bar = stages((d, t, l) => calls.push([d, t, l]), { fit: 3, intervals: 1 });
    const fit = bar.stage('fit');
    for (let i = 1; i <= 30; i++) fit(i, 30);
    const tick = ticker(2 * 11, bar.stage('intervals'));
    const stat = counted((w: number) => w * 2, tick);
    for (let i = 0; i < 21; i++) stat(i);
    bar.finish();
    expect(calls.every(([, t]) => t === UNITS)).toBe(true);
    for (let i = 1; i < calls.length; i++) expect(calls[i][0]).toBeGreaterThanOrEqual(calls[i - 1][0]);
    expect(calls.filter(([, , l]) => l === 'fit').at(-1)![0]).toBe(750);
    expect(calls.at(-1)).toEqual([UNITS, UNITS, 'intervals']);
    expect(calls.filter(([d]) => d === UNITS)).toHaveLength(1);
  });

  it('jumps past a stage that is skipped, and says nothing without a bar', () => {
    const calls: Call[] = [];
    const bar = stages((d, t, l) => calls.push([d, t, l]), { memoised: 9, rest: 1 });
    bar.stage('rest')(1, 2);
    expect(calls).toEqual([[950, UNITS, 'rest']]);
    expect(() => bar.stage('nosuch')).toThrow(/no stage "nosuch"/);
    const silent = stages(undefined, { a: 1 });
    silent.stage('a')(1, 1);
    silent.finish();
  });
});

describe('the bandit simulation\'s progress', () => {
  it('reports every 1,000 rounds and the last round, also when the run is memoised', () => {
    const calls: [number, number][] = [];
    // A run no evaluation makes (seed 7): not memoised yet.
    runBanditSimulation({ seed: 7, rounds: 1500, window: 100, progress: (d, t) => calls.push([d, t]) });
    expect(calls).toEqual([[1000, 1500], [1500, 1500]]);
    const again: [number, number][] = [];
    runBanditSimulation({ seed: 7, rounds: 1500, window: 100, progress: (d, t) => again.push([d, t]) });
    expect(again).toEqual([[1500, 1500]]);
  });
});
