import { describe, expect, it } from 'vitest';
import { Rng } from '../learn/math/prng.js';
import type { CompiledAction } from './catalog-compile.js';
import { LadderEstimates } from './ladder-estimates.js';
import { HOUR_MS } from './open-trials.js';
import { OutcomeCounts } from './outcome-counts.js';
import { PERSONAL_CHOICES } from './personal-choices.js';
import type { CompiledPolicy } from './policy-compile.js';

/**
 * ADR 0007 at the personal rung: a subject's own choices still inside their attribution windows are
 * not yet evidence that the action failed for it. Until 2026-12-06 late evening they were read as
 * failures there, so a subject just shown an offer read lower for it at once: with a personal
 * strength of 30, one open choice moved its value to 30/31 of the rest's (the Beta-Binomial
 * posterior mean (s + κ·m) / (t + κ) with s = 0, t = 1 — Gelman et al., Bayesian Data Analysis,
 * 3rd ed., §2.4).
 */
const WINDOW = 7 * 86_400_000;
const settings: CompiledPolicy['estimates'] = { priorMean: 0.05, priorStrength: 20, personalStrength: 30, groupStrength: 100, minDataWeight: 0.2, level: 0.9, establishedWidth: 0.05 };
const action = { id: 'a', attributionMs: WINDOW } as CompiledAction;
const T0 = 480_000 * HOUR_MS;

/** Ten days of other subjects' choices of `a` (100 an hour, 30% converting after an exponential delay of mean 20 h), read at the end. */
function world(learnDelay = true): { counts: OutcomeCounts; now: number; estimates: LadderEstimates } {
  const g = new Rng(7);
  const counts = new OutcomeCounts();
  const now = T0 + 10 * 24 * HOUR_MS;
  const events: { at: number; kind: 0 | 1; id: string; decidedAt: number }[] = [];
  let n = 0;
  for (let h = 0; h < 10 * 24; h++) {
    for (let i = 0; i < 100; i++) {
      const at = T0 + (h + g.float()) * HOUR_MS;
      const id = `d${n++}`;
      events.push({ at, kind: 0, id, decidedAt: at });
      if (g.float() < 0.3) {
        const d = -20 * Math.log(1 - g.float()) * HOUR_MS;
        if (d <= WINDOW && at + d < now) events.push({ at: at + d, kind: 1, id, decidedAt: at });
      }
    }
  }
  events.sort((x, y) => x.at - y.at);
  for (const e of events) {
    if (e.kind === 0) counts.trial('a', `s-${e.id}`, 1, undefined, e.id, e.at);
    else {
      counts.success('a', `s-${e.id}`, 1, e.id, undefined, e.decidedAt);
      if (learnDelay) counts.delays.add('a', e.decidedAt, e.at - e.decidedAt);
    }
  }
  return { counts, now, estimates: new LadderEstimates(counts, () => settings, { now: () => now }) };
}

const nobody = { key: 'nobody', vars: {} };

describe('the personal rung with its own choices inside their windows', () => {
  it('reads a choice made minutes ago as the share of its chance it has had, not as a failure (the delay learned)', () => {
    const { counts, now, estimates } = world();
    const rest = estimates.estimate(action, nobody);
    counts.trial('a', 'me', 1, undefined, 'mine', now - 2 * 60_000);
    const me = estimates.estimate(action, { key: 'me', vars: {} });
    // Two minutes into a delay of mean 20 h: almost none of its chance has passed (read as a failure: 30/31 of the rest's).
    expect(Math.abs(me.value / rest.value - 1)).toBeLessThan(0.002);
    // Its window closed without a success: now a failure, 30/31 of the rest (by the prior's mean over the others' counts).
    const later = new LadderEstimates(counts, () => settings, { now: () => now + WINDOW });
    const closed = later.estimate(action, { key: 'me', vars: {} });
    const others = later.estimate(action, nobody);
    expect(closed.open?.choices ?? 0).toBe(0);
    expect(closed.value / others.value).toBeCloseTo(30 / 31, 2);
  });

  it('keeps the value as the counts give it with no delay learned, and widens the upper end to the closed choices\' reading', () => {
    const { counts, now, estimates } = world(false);
    for (let i = 0; i < 12; i++) counts.trial('a', 'me', 1, undefined, `mine${i}`, now - (i + 1) * HOUR_MS);
    const me = estimates.estimate(action, { key: 'me', vars: {} });
    // Twelve open choices: the lowest reading (all failures) is the value, the highest leaves them out.
    expect(me.open?.choices).toBe(12);
    expect(me.high).toBeGreaterThan(estimates.estimate(action, nobody).value);
    expect(me.value).toBeLessThan(estimates.estimate(action, nobody).value);
  });

  it('lets a converted open choice leave the highest reading with its success', () => {
    const { counts, now, estimates } = world();
    for (let i = 0; i < 12; i++) counts.trial('a', 'me', 1, undefined, `mine${i}`, now - (i + 1) * HOUR_MS);
    const before = estimates.estimate(action, { key: 'me', vars: {} });
    counts.success('a', 'me', 1, 'mine0', undefined, now - HOUR_MS);
    const after = estimates.estimate(action, { key: 'me', vars: {} });
    // One success among twelve choices an hour to twelve old: the value rises (a success is a success),
    // but the highest reading — the closed choices' own, of which there are none — is no higher than
    // a subject's with no choices of its own (kept in, it read 1 success of 1: 0.455 against 0.439).
    expect(after.value).toBeGreaterThan(before.value);
    expect(after.high).toBeLessThanOrEqual(estimates.estimate(action, nobody).high);
  });

  it('takes the subject\'s own open choices out of the population\'s, as its counts are (the population rung is everyone else\'s)', () => {
    // A new action: four choices of others closed without a success, four of the subject's open.
    const counts = new OutcomeCounts();
    const now = T0;
    for (let i = 0; i < 4; i++) counts.trial('a', `other${i}`, 1, undefined, `o${i}`, now - 8 * 86_400_000);
    for (let i = 0; i < 4; i++) counts.trial('a', 'me', 1, undefined, `m${i}`, now - (i + 1) * HOUR_MS);
    const estimates = new LadderEstimates(counts, () => settings, { now: () => now });
    const me = estimates.estimate(action, { key: 'me', vars: {} });
    // Its highest reading: the others' four closed failures, and nothing of its own closed — what a
    // subject with no choices reads at its highest. Counting its four open choices at the population
    // rung again left the others' four out of it too: the prior's upper end.
    expect(me.high).toBeCloseTo(estimates.estimate(action, nobody).high, 10);
  });

  it('takes the subject\'s own open choices out of its segment\'s too, as its counts are', () => {
    // Forty choices of others in the segment closed (four converted; enough for the segment's rung),
    // four of the subject's open, all in the segment.
    const counts = new OutcomeCounts();
    const now = T0;
    for (let i = 0; i < 40; i++) {
      counts.trial('a', `other${i}`, 1, ['seg'], `o${i}`, now - 8 * 86_400_000);
      if (i % 10 === 0) counts.success('a', `other${i}`, 1, `o${i}`, ['seg']);
    }
    for (let i = 0; i < 4; i++) counts.trial('a', 'me', 1, ['seg'], `m${i}`, now - (i + 1) * HOUR_MS);
    const estimates = new LadderEstimates(counts, () => settings, { now: () => now });
    const me = estimates.estimate(action, { key: 'me', segment: 'seg', vars: {} });
    expect(me.source).toBe('segment');
    // Its highest reading is a subject's with none of its own in the segment: the others' four
    // closed failures. Until 2026-12-07 its four open choices were taken out of the others' trials
    // at the segment rung (counted there as everyone's), leaving the others' failures out too.
    expect(me.high).toBeCloseTo(estimates.estimate(action, { key: 'nobody', segment: 'seg', vars: {} }).high, 10);
  });

  it('says its own open choices are pending where its evidence counts them, below the personal rung too', () => {
    // A fresh install: nobody's choice has closed, the subject was shown the offer twice a minute ago.
    const counts = new OutcomeCounts();
    for (let i = 0; i < 2; i++) counts.trial('a', 'me', 1, undefined, `m${i}`, T0 - 60_000);
    const estimates = new LadderEstimates(counts, () => settings, { now: () => T0 });
    const me = estimates.estimate(action, { key: 'me', vars: {} });
    // Its evidence is its own two trials, shrunk toward the population's prior (not earned: the
    // population rung): both inside their windows, and said so (until 2026-12-07 `open` was left
    // out — it counted the population rung's open choices only, everyone else's).
    expect(me).toMatchObject({ source: 'population', evidence: 2, open: { choices: 2 } });
    // The same with others' open choices at the population rung: theirs and its own.
    counts.trial('a', 'other', 1, undefined, 'o1', T0 - 120_000);
    const again = new LadderEstimates(counts, () => settings, { now: () => T0 }).estimate(action, { key: 'me', vars: {} });
    expect(again).toMatchObject({ source: 'population', evidence: 3, open: { choices: 3 } });
  });

  it(`keeps a subject's newest ${PERSONAL_CHOICES} choices one by one and the older per day, in time order whatever order they come in, and lets closed ones go at pruning`, () => {
    const counts = new OutcomeCounts();
    const now = T0; // a day's start (T0 is 20,000 days)
    // Twenty choices of the last twenty hours, the older half arriving last (a start's read of the log).
    for (let i = 0; i < 10; i++) counts.noteChoice('a', 'me', now - (i + 1) * HOUR_MS);
    for (let i = 10; i < 20; i++) counts.noteChoice('a', 'me', now - (i + 1) * HOUR_MS);
    // All twenty open: the newest sixteen one by one, the four older counted for their day
    // (until 2026-12-07 those four read as closed: 16).
    expect(counts.personalOpen('a', 'me', [], now, WINDOW).open).toBe(20);
    // The window of 5 h 30 min holds five of them; a merged key's count too.
    counts.noteChoice('a', 'anon:v1', now - 30 * 60_000);
    counts.noteChoice('b', 'me', now - 30 * 60_000);
    expect(counts.personalOpen('a', 'me', ['anon:v1'], now, 5.5 * HOUR_MS).open).toBe(6);
    counts.pruneChoices(now - 3.5 * HOUR_MS);
    expect(counts.personalOpen('a', 'me', [], now, WINDOW).open).toBe(3);
    counts.pruneChoices(now);
    expect(counts.personalOpen('a', 'me', ['anon:v1'], now, WINDOW).open).toBe(0);
  });

  it('reads a day\'s older choices as spread over their times: the share inside the window open, with that share of their successes', () => {
    const counts = new OutcomeCounts();
    const now = T0;
    // One choice an hour for 40 hours: 1–16 h old kept one by one; 17–24 h counted for yesterday, 25–40 h for the day before.
    for (let i = 0; i < 40; i++) counts.noteChoice('a', 'me', now - (i + 1) * HOUR_MS);
    // Two successes: one of yesterday's choices (20 h old), one of the day before's (30 h old).
    counts.success('a', 'me', 1, null, undefined, now - 20 * HOUR_MS);
    counts.success('a', 'me', 1, null, undefined, now - 30 * HOUR_MS);
    // A 30-hour window: 29 choices inside it (1–29 h old). Read: 16 + 8 + 16 × 5/15 of the day before's (its times 25–40 h, 25–30 h inside).
    const o = counts.personalOpen('a', 'me', [], now, 30 * HOUR_MS);
    expect(o.open).toBeCloseTo(16 + 8 + 16 / 3, 10);
    expect(o.won).toBeCloseTo(1 + 1 / 3, 10);
    // Under a delay curve F (the share of its successes a choice k whole hours old has had), a kept
    // choice's unexposed share is 1 − F(k); a count's, the mean of 1 − F over its open times, an
    // hour of decision at a time: yesterday's eight over 17–24 h (hours 24 … 18 old, a mean of 21),
    // the day before's 16/3 over 25–30 h (30 … 26, a mean of 28).
    const curve = Float64Array.from({ length: 200 }, (_, k) => Math.min(1, k / 100));
    const withCurve = counts.personalOpen('a', 'me', [], now, 30 * HOUR_MS, curve);
    let kept = 0;
    for (let age = 1; age <= 16; age++) kept += 1 - age / 100;
    expect(withCurve.unexposed).toBeCloseTo(kept + 8 * (1 - 0.21) + (16 / 3) * (1 - 0.28), 10);
    // One by one, yesterday's would read 8 × (1 − 0.205): the spread reading is 0.04 choices off in 24.8.
    let oneByOne = kept;
    for (let age = 17; age <= 24; age++) oneByOne += 1 - age / 100;
    expect(Math.abs(withCurve.unexposed - (oneByOne + (16 / 3) * (1 - 0.28)))).toBeLessThan(0.05);
    // Pruned at 35 h: the day before's count keeps what came from then on (10 of its 15 hours: two thirds of its choices).
    counts.pruneChoices(now - 35 * HOUR_MS);
    expect(counts.personalOpen('a', 'me', [], now, WINDOW).open).toBeCloseTo(24 + (16 * 2) / 3, 10);
    // Forgotten before 20.5 h (a widening: what came before is to be read again from the log):
    // yesterday's count keeps 3.5 of its 7 hours (half its eight choices, half its success), the
    // day before's goes, and the 16 kept one by one stay.
    counts.forgetOlderChoices(now - 20.5 * HOUR_MS);
    const left = counts.personalOpen('a', 'me', [], now, WINDOW);
    expect(left.open).toBeCloseTo(16 + 4, 10);
    expect(left.won).toBeCloseTo(0.5, 10);
  });

  it('credits a success to the older choice it converts under the key it was made for, and joins a subject\'s oldest days past the limit', () => {
    const counts = new OutcomeCounts();
    const now = T0;
    // Under an anonymous key: 17 choices, the oldest (3 days ago) counted for its day.
    for (let i = 0; i < 16; i++) counts.noteChoice('a', 'anon:v1', now - (i + 1) * 60_000);
    counts.noteChoice('a', 'anon:v1', now - 3 * 86_400_000);
    counts.success('a', 'me', 1, null, undefined, now - 3 * 86_400_000, ['me', 'anon:v1']);
    expect(counts.personalOpen('a', 'me', ['anon:v1'], now, WINDOW)).toMatchObject({ open: 17, won: 1 });
    // No more successes than choices: a second success for the same choice finds none left.
    counts.success('a', 'me', 1, null, undefined, now - 3 * 86_400_000, ['me', 'anon:v1']);
    expect(counts.personalOpen('a', 'me', ['anon:v1'], now, WINDOW).won).toBe(1);
  });

  it('keeps at most its limit of day counts a subject, the oldest joined to the next oldest of its action', () => {
    const counts = new OutcomeCounts();
    const now = T0;
    // Sixteen kept, then one older choice a day for 60 days of action a and one of action b 61 days ago: 61 day counts, over the limit of 48.
    for (let i = 0; i < 16; i++) counts.noteChoice('a', 'me', now - (i + 1) * 60_000);
    counts.noteChoice('b', 'me', now - 61 * 86_400_000 - HOUR_MS);
    for (let d = 1; d <= 60; d++) counts.noteChoice('a', 'me', now - d * 86_400_000 + HOUR_MS);
    const window = 90 * 86_400_000;
    // Every choice of a is still counted (16 + 60): the oldest days joined, not let go.
    expect(counts.personalOpen('a', 'me', [], now, window).open).toBeCloseTo(76, 10);
    // Action b's only count was the oldest with no other of its action to join: let go (read as closed).
    expect(counts.personalOpen('b', 'me', [], now, window).open).toBe(0);
  });

  it('reads a subject decided for every 20 minutes for a week at its rate, not as failures past its newest choices (three seeds)', () => {
    // The subject converts as everyone does (30%, after an exponential delay of mean 20 h; world()):
    // its personal value should read 30% whatever the shrinkage. Until 2026-12-07 its choices past
    // the newest 16 (5 h 20 min) read as closed, each a failure until its success came: about the
    // week's mean exposure, 1 − (20/168)(1 − e^(−8.4)) ≈ 0.88, of the rate — 26%.
    const errors: number[] = [];
    for (const seed of [1, 2, 3]) {
      const { counts, now, estimates } = world();
      const g = new Rng(seed);
      const mine: { at: number; decidedAt: number; kind: 0 | 1; id: string }[] = [];
      for (let i = 0; i < 504; i++) {
        const at = now - WINDOW + (i + g.float()) * 20 * 60_000;
        mine.push({ at, decidedAt: at, kind: 0, id: `m${i}` });
        if (g.float() < 0.3) {
          const d = -20 * Math.log(1 - g.float()) * HOUR_MS;
          if (at + d < now) mine.push({ at: at + d, decidedAt: at, kind: 1, id: `m${i}` });
        }
      }
      mine.sort((x, y) => x.at - y.at);
      for (const e of mine) {
        if (e.kind === 0) counts.trial('a', 'me', 1, undefined, e.id, e.at);
        else counts.success('a', 'me', 1, e.id, undefined, e.decidedAt);
      }
      const me = estimates.estimate(action, { key: 'me', vars: {} });
      expect(me.source).toBe('personal');
      expect(me.open?.choices).toBeGreaterThan(490);
      expect(me.low).toBeLessThan(0.3);
      expect(me.high).toBeGreaterThan(0.3);
      errors.push(me.value / 0.3 - 1);
    }
    const mean = errors.reduce((a, b) => a + b, 0) / errors.length;
    console.log("ERRS", errors, mean);
    expect(Math.abs(mean)).toBeLessThan(0.04);
  });
});
