import { describe, expect, it } from 'vitest';
import { type TrialState, addTrialStates, countsAt, expireTrials, newTrialState, openTrial, ownCounts, resolveSuccess, resolveSuccessAmong } from './rate-trials.js';

const H = 3_600_000;
const W = 72 * H;

describe('rate trials with a response window', () => {
  it('a success inside the window closes the oldest open trial as a success', () => {
    const s = newTrialState();
    openTrial(s, { at: 0, seq: 1, groups: ['population'] });
    openTrial(s, { at: 10 * H, seq: 2, groups: ['population'] });
    expect(resolveSuccess(s, 11 * H, W)?.seq).toBe(1);
    expect(s).toMatchObject({ successes: 1, trials: 1 });
    expect(s.open.map((o) => o.seq)).toEqual([2]);
  });

  it('a success with no open exposure in its window counts nothing', () => {
    const s = newTrialState();
    openTrial(s, { at: 0, seq: 1, groups: [] });
    expect(resolveSuccess(s, W + 1, W)).toBeUndefined();
    expect(resolveSuccess(s, -1, W)).toBeUndefined();
    expect(s).toMatchObject({ successes: 0, trials: 0 });
  });

  it('leaves trials inside their window out of the counts, and counts expired ones as failures', () => {
    const s = newTrialState();
    openTrial(s, { at: 0, seq: 1, groups: [] });
    openTrial(s, { at: 50 * H, seq: 2, groups: [] });
    expect(countsAt(s, 60 * H, W)).toEqual({ successes: 0, trials: 0 });
    expect(countsAt(s, 80 * H, W)).toEqual({ successes: 0, trials: 1 });
    expect(expireTrials(s, 80 * H, W).map((o) => o.seq)).toEqual([1]);
    expect(s.trials).toBe(1);
    expect(countsAt(s, 80 * H, W)).toEqual({ successes: 0, trials: 1 });
  });

  it('stays bounded: beyond maxOpen the oldest trial closes as a failure', () => {
    const s = newTrialState();
    for (let i = 0; i < 5; i++) openTrial(s, { at: i, seq: i, groups: [] }, 3);
    expect(s.open.map((o) => o.seq)).toEqual([2, 3, 4]);
    expect(s.trials).toBe(2);
  });

  it('a success of a merged subject closes the oldest trial any of its profiles holds', () => {
    const own = newTrialState();
    const away = newTrialState();
    openTrial(own, { at: 5 * H, seq: 7, groups: [] });
    openTrial(away, { at: 2 * H, seq: 3, groups: ['population'] });
    expect(resolveSuccessAmong([own, away], 6 * H, W)).toEqual({ state: 1, trial: { at: 2 * H, seq: 3, groups: ['population'] } });
    expect(away).toMatchObject({ successes: 1, trials: 1, open: [] });
    expect(resolveSuccessAmong([own, away], 6 * H, W)?.state).toBe(0);
    expect(resolveSuccessAmong([own, away], 6 * H, W)).toBeUndefined();
  });

  it('keeps what the subject credited to each group: the population holds every exposure, a segment those made while in it', () => {
    const s = newTrialState();
    openTrial(s, { at: 0, seq: 1, groups: ['population', 'segment:a'] });
    openTrial(s, { at: H, seq: 2, groups: ['population', 'segment:b'] });
    openTrial(s, { at: 2 * H, seq: 3, groups: ['population', 'segment:b'] });
    resolveSuccess(s, 3 * H, W); // closes seq 1 (segment a)
    expireTrials(s, 2 * H + W, W); // seq 2 and 3 fail
    expect(s.credited).toEqual({ 'segment:a': { successes: 1, trials: 1 }, 'segment:b': { successes: 0, trials: 2 } });
    expect(ownCounts(s, 'population')).toEqual({ successes: 1, trials: 3 });
    expect(ownCounts(s, 'segment:b')).toEqual({ successes: 0, trials: 2 });
    expect(ownCounts(s, 'segment:c')).toEqual({ successes: 0, trials: 0 });
    // The open trials count for the population at once, as the group rows count them.
    openTrial(s, { at: 10 * W, seq: 4, groups: ['population'] });
    expect(ownCounts(s, 'population')).toEqual({ successes: 1, trials: 4 });
  });

  it('a state stored before the credited counts were kept knows only its open trials\' groups, and keeps counting from there', () => {
    const old: TrialState = { successes: 3, trials: 9, open: [{ at: 0, seq: 8, groups: ['population', 'segment:a'] }] };
    expect(ownCounts(old, 'segment:a')).toEqual({ successes: 0, trials: 1 });
    expect(ownCounts(old, 'population')).toEqual({ successes: 3, trials: 10 });
    resolveSuccess(old, H, W);
    expect(old.credited).toEqual({ 'segment:a': { successes: 1, trials: 1 } });
  });

  it('adds the states of merged profiles, credited counts included', () => {
    const a = newTrialState();
    openTrial(a, { at: 0, seq: 1, groups: ['population', 'segment:a'] });
    const legacy: TrialState = { successes: 1, trials: 2, open: [{ at: H, seq: 2, groups: ['population', 'segment:a'] }] };
    const sum = addTrialStates([a, legacy]);
    expect(sum).toEqual({ successes: 1, trials: 2, open: [a.open[0], legacy.open[0]], credited: { 'segment:a': { successes: 0, trials: 2 } } });
    // Without credited counts anywhere, the sum has none either (states stored before them).
    expect(addTrialStates([legacy, legacy])).not.toHaveProperty('credited');
  });
});
