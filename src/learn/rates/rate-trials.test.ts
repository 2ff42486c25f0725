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

  it('a state stored before the credited counts were kept reads its closed trials as its share of every group, before and after it next changes', () => {
    // As stored before 2026-12-04 (no `credited`): 3 of 9 closed, and one trial open in segment a.
    const stored = '{"successes":3,"trials":9,"open":[{"at":0,"seq":8,"groups":["population","segment:a"]}]}';
    const old = JSON.parse(stored) as TrialState;
    // Where its 9 closed trials were credited is not known: read as credited to the group asked
    // about, so they never count twice there (docs/models.md).
    expect(ownCounts(old, 'segment:a')).toEqual({ successes: 3, trials: 10 });
    expect(ownCounts(old, 'segment:b')).toEqual({ successes: 3, trials: 9 });
    expect(ownCounts(old, 'population')).toEqual({ successes: 3, trials: 10 });
    resolveSuccess(old, H, W);
    expect(old).toMatchObject({ successes: 4, trials: 10, credited: { 'segment:a': { successes: 1, trials: 1 } }, unattributed: { successes: 3, trials: 9 } });
    expect(ownCounts(old, 'segment:a')).toEqual({ successes: 4, trials: 10 });
  });

  it('reads an old state the same however often and in whatever order it is changed: an expired trial keeps its groups', () => {
    const stored = '{"successes":3,"trials":9,"open":[{"at":0,"seq":8,"groups":["population","segment:a"]},{"at":50,"seq":9,"groups":["population","segment:a"]}]}';
    const read = (s: TrialState) => ['population', 'segment:a', 'segment:b'].map((g) => ownCounts(s, g));
    const before = read(JSON.parse(stored) as TrialState);
    // The consumer expires first, then opens the exposure: the expired trial was credited to segment a.
    const s = JSON.parse(stored) as TrialState;
    expect(expireTrials(s, W, W).map((o) => o.seq)).toEqual([8]);
    expect(read(s)).toEqual(before);
    const again = JSON.parse(JSON.stringify(s)) as TrialState;
    expireTrials(again, W, W);
    expect(again).toEqual(s);
    openTrial(s, { at: W, seq: 10, groups: ['population', 'segment:a'] });
    expect(ownCounts(s, 'segment:a')).toEqual({ successes: 3, trials: 12 });
    // Stored and read back, then changed again: nothing is credited twice.
    const back = JSON.parse(JSON.stringify(s)) as TrialState;
    expireTrials(back, W, W);
    expect(read(back)).toEqual(read(s));
    expect(back).toEqual(s);
  });

  it('adds the states of merged profiles, credited counts included', () => {
    const a = newTrialState();
    openTrial(a, { at: 0, seq: 1, groups: ['population', 'segment:a'] });
    const legacy: TrialState = { successes: 1, trials: 2, open: [{ at: H, seq: 2, groups: ['population', 'segment:a'] }] };
    const sum = addTrialStates([a, legacy]);
    expect(sum).toEqual({ successes: 1, trials: 2, open: [a.open[0], legacy.open[0]], credited: { 'segment:a': { successes: 0, trials: 2 } }, unattributed: { successes: 1, trials: 2 } });
    expect(ownCounts(sum, 'segment:a')).toEqual({ successes: 1, trials: 4 });
    // Without credited counts anywhere, the sum has none either (states stored before them).
    expect(addTrialStates([legacy, legacy])).not.toHaveProperty('credited');
  });
});
