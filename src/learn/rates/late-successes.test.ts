import { describe, expect, it } from 'vitest';
import { MAX_FAILED, MAX_UNANSWERED, type TrialState, addTrialStates, answerEarlySuccess, countsAt, expireTrials, newTrialState, openTrial, ownCounts, resolveSuccess } from './rate-trials.js';

// QA, 2026-12-05: the counts depended on the order the log was folded in. The consumer expires a
// subject's trials at each event's own time, so 10 deliveries one a day, then their 10 opens (an
// hour after each) closed the first 7 as failures before any open arrived: 3 of 10 where the truth
// is 10 of 10. An open folded before its delivery counted nothing at all.

const H = 3_600_000;
const DAY = 24 * H;
const W = 3 * DAY;
const t0 = 0;
const G = ['population', 'segment:a'];
const later = t0 + 30 * DAY;

type Event = { kind: 'exposure' | 'success'; at: number; seq: number };
const deliveries: Event[] = Array.from({ length: 10 }, (_, k) => ({ kind: 'exposure', at: t0 + k * DAY, seq: k + 1 }));
const opens: Event[] = deliveries.map((d, k) => ({ kind: 'success', at: d.at + H, seq: 11 + k }));

/** Folds events in the given (arrival) order as the consumer does: expire at the event's time, then apply it. */
function fold(events: readonly Event[], s: TrialState = newTrialState()): TrialState {
  for (const e of events) {
    expireTrials(s, e.at, W);
    if (e.kind === 'success') resolveSuccess(s, e.at, W);
    else {
      const trial = { at: e.at, seq: e.seq, groups: G };
      openTrial(s, trial);
      answerEarlySuccess(s, trial, W);
    }
  }
  return s;
}

/** The same events in time order: the reference every arrival order must match. */
const inOrder = (events: readonly Event[]) => fold([...events].sort((a, b) => a.at - b.at || a.seq - b.seq));

describe('a rate\'s counts do not depend on the order its events arrive in', () => {
  it('the QA repro: 10 deliveries, then their 10 opens → 10 of 10 (was 3 of 10)', () => {
    const s = fold([...deliveries, ...opens]);
    expect(countsAt(s, later, W)).toEqual({ successes: 10, trials: 10 });
    expect(countsAt(s, later, W)).toEqual(countsAt(inOrder([...deliveries, ...opens]), later, W));
    expect(ownCounts(s, 'population')).toEqual({ successes: 10, trials: 10 });
    expect(ownCounts(s, 'segment:a')).toEqual({ successes: 10, trials: 10 });
    expect(s.failed ?? []).toEqual([]);
  });

  it('opens before their deliveries → 10 of 10 (was 0 of 10)', () => {
    const s = fold([...opens, ...deliveries]);
    expect(countsAt(s, later, W)).toEqual({ successes: 10, trials: 10 });
    expect(ownCounts(s, 'segment:a')).toEqual({ successes: 10, trials: 10 });
    expect(s.unanswered).toBeUndefined();
  });

  it('a mixed interleaving: each open before its delivery on even days, and all late on odd days → 10 of 10', () => {
    const even = deliveries.flatMap((d, k) => (k % 2 === 0 ? [opens[k], d] : [d]));
    const odd = opens.filter((_, k) => k % 2 === 1);
    const s = fold([...even, ...odd]);
    expect(countsAt(s, later, W)).toEqual({ successes: 10, trials: 10 });
    expect(ownCounts(s, 'population')).toEqual({ successes: 10, trials: 10 });
  });

  it('any of 200 random arrival orders of 10 deliveries and 7 opens (some answering older e-mails) counts as time order does', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const some = [0, 1, 2, 4, 5, 7, 9].map((k, i) => ({ kind: 'success' as const, at: deliveries[k].at + (i % 3) * 20 * H + H, seq: 50 + i }));
    const all = [...deliveries, ...some];
    const truth = countsAt(inOrder(all), later, W);
    for (let n = 0; n < 200; n++) {
      const order = all.map((e) => ({ e, r: rnd() })).sort((a, b) => a.r - b.r).map((x) => x.e);
      const s = fold(order);
      expect(countsAt(s, later, W)).toEqual(truth);
      expect(ownCounts(s, 'segment:a')).toEqual(truth);
    }
  });

  it('a success inside no window still counts nothing, whatever the order', () => {
    const stray = { kind: 'success' as const, at: t0 + 20 * DAY, seq: 99 };
    const early = { kind: 'success' as const, at: t0 - H, seq: 98 };
    for (const order of [[...deliveries, stray, early], [stray, early, ...deliveries]]) {
      const s = fold(order);
      expect(countsAt(s, later, W)).toEqual({ successes: 0, trials: 10 });
      expect(ownCounts(s, 'segment:a')).toEqual({ successes: 0, trials: 10 });
    }
  });

  it('a late success still waits for its trial\'s window before it counts for the subject', () => {
    const s = newTrialState();
    const trial = { at: t0, seq: 1, groups: G };
    openTrial(s, trial, 1);
    openTrial(s, { at: t0 + H, seq: 2, groups: G }, 1); // beyond maxOpen: trial 1 fails at once
    expect(s.failed).toEqual([trial]);
    expect(resolveSuccess(s, t0 + H / 2, W)).toBe(trial);
    expect(countsAt(s, t0 + 3 * H, W)).toEqual({ successes: 0, trials: 0 });
    expect(countsAt(s, t0 + W, W)).toEqual({ successes: 1, trials: 1 });
    expect(ownCounts(s, 'segment:a')).toEqual({ successes: 1, trials: 2 });
  });

  it('stays bounded: at most MAX_FAILED failed trials and MAX_UNANSWERED unanswered successes, also when merged', () => {
    const s = newTrialState();
    for (let k = 0; k < 3 * MAX_FAILED; k++) {
      expireTrials(s, k * W, W);
      openTrial(s, { at: k * W, seq: k, groups: [] });
    }
    expect(s.failed).toHaveLength(MAX_FAILED);
    expect(s.failed![0].seq).toBe(2 * MAX_FAILED - 1);
    for (let k = 0; k < 3 * MAX_UNANSWERED; k++) resolveSuccess(s, -1 - k * W, W);
    expect(s.unanswered).toHaveLength(MAX_UNANSWERED);
    expect(s.successes).toBe(0);
    for (let k = 0; k < 3 * MAX_FAILED; k++) {
      openTrial(s, { at: 1e9 + k * W, seq: k, groups: [] });
      resolveSuccess(s, 1e9 + k * W + 1, W);
    }
    expect(s.answered).toHaveLength(MAX_FAILED);
    const sum = addTrialStates([s, JSON.parse(JSON.stringify(s)) as TrialState]);
    expect(sum.failed).toHaveLength(MAX_FAILED);
    expect(sum.unanswered).toHaveLength(MAX_UNANSWERED);
  });

  it('reads a state stored before 2026-12-05 (no failed trials kept) as before', () => {
    const old = JSON.parse('{"successes":1,"trials":4,"open":[{"at":0,"seq":8,"groups":["population"]}],"credited":{}}') as TrialState;
    expect(countsAt(old, W, W)).toEqual({ successes: 1, trials: 5 });
    expect(resolveSuccess(old, -H, W)).toBeUndefined();
    expect(old).toMatchObject({ successes: 1, trials: 4, unanswered: [-H] });
  });
});
