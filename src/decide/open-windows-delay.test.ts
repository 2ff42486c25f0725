import { describe, expect, it } from 'vitest';
import { Rng } from '../learn/math/prng.js';
import type { CompiledAction } from './catalog-compile.js';
import { LadderEstimates } from './ladder-estimates.js';
import { HOUR_MS } from './open-trials.js';
import { OutcomeCounts } from './outcome-counts.js';
import type { CompiledPolicy } from './policy-compile.js';

/**
 * ADR 0007's test of the learned delay (docs/adr/0007-open-attribution-windows.md): a known
 * conversion rate with a known delay distribution is recovered without bias at every hour of a
 * simulated week, where reading the open choices as failures — the value before the delay was
 * learned — is biased low. The truth is p · P(delay ≤ window): a success after the window is
 * credited to nothing. Exponential delays of mean μ: P(d ≤ W) = 1 − e^(−W/μ) (the exponential
 * distribution's CDF; scipy 1.17.1 `expon(scale=20).cdf(168)` = 0.9997751326758213).
 */
const WINDOW = 7 * 86_400_000;
const settings: CompiledPolicy['estimates'] = { priorMean: 0.05, priorStrength: 20, personalStrength: 30, groupStrength: 100, minDataWeight: 0.2, level: 0.9, establishedWidth: 0.05 };
const action = { id: 'a', attributionMs: WINDOW } as CompiledAction;
const T0 = 480_000 * HOUR_MS;

interface Run {
  /** Relative errors of the value (value / truth − 1) at each hour of the second week: with the learned delay, and as before it. */
  learned: number[];
  failures: number[];
}

/**
 * Choices for two weeks, `perHour(h)` in hour h, each converting with probability `p` after a delay
 * drawn by `delay` (hours); the estimate read at the middle of each hour of the second week.
 */
function simulate(seed: number, perHour: (h: number) => number, p: number, delay: (r: () => number) => number, truth: number, segment?: string): Run {
  const g = new Rng(seed);
  const r = () => g.float();
  const events: { at: number; kind: 0 | 1; id: string; decidedAt: number }[] = [];
  let n = 0;
  for (let h = 0; h < 14 * 24; h++) {
    for (let i = 0; i < perHour(h); i++) {
      const at = T0 + (h + r()) * HOUR_MS;
      const id = `d${n++}`;
      events.push({ at, kind: 0, id, decidedAt: at });
      if (r() < p) {
        const d = delay(r) * HOUR_MS;
        if (d <= WINDOW) events.push({ at: at + d, kind: 1, id, decidedAt: at });
      }
    }
  }
  events.sort((x, y) => x.at - y.at);
  const learning = new OutcomeCounts();
  const plain = new OutcomeCounts();
  let now = T0;
  const withDelay = new LadderEstimates(learning, () => settings, { now: () => now });
  const before = new LadderEstimates(plain, () => settings, { now: () => now });
  const out: Run = { learned: [], failures: [] };
  let next = 0;
  for (let h = 0; h < 14 * 24; h++) {
    now = T0 + (h + 0.5) * HOUR_MS;
    for (; next < events.length && events[next].at <= now; next++) {
      const e = events[next];
      for (const c of [learning, plain]) {
        if (e.kind === 0) c.trial('a', `s-${e.id}`, 1, segment ? [segment] : undefined, e.id, e.at);
        else c.success('a', `s-${e.id}`, 1, e.id, undefined, e.decidedAt);
      }
      if (e.kind === 1) learning.delays.add('a', e.decidedAt, e.at - e.decidedAt);
    }
    if (h < 7 * 24 + 3) continue;
    const subject = { key: 'nobody', vars: {}, ...(segment ? { segment } : {}) };
    const e = withDelay.estimate(action, subject);
    if (segment && e.source !== 'segment') throw new Error(`hour ${h}: read at the ${e.source} rung`);
    // The open choices are said, with what they count as: between none of them and all.
    if (!(e.open && e.open.exposure !== undefined && e.open.exposure > 0 && e.open.exposure < e.open.choices)) throw new Error(`hour ${h}: open ${JSON.stringify(e.open)}`);
    // The interval holds the truth, and its upper end is the closed choices' own reading: the open
    // ones leave with their successes (with the successes kept, a week of open choices read near 100%).
    if (!(e.low <= truth && truth <= e.high && e.high < truth + 0.25)) throw new Error(`hour ${h}: ${e.low}–${e.high} against ${truth}`);
    out.learned.push(e.value / truth - 1);
    out.failures.push(before.estimate(action, subject).value / truth - 1);
  }
  return out;
}

const mean = (xs: number[]) => xs.reduce((sum, x) => sum + x, 0) / xs.length;
const worst = (xs: number[]) => Math.max(...xs.map(Math.abs));
const SEEDS = [1, 2, 3];

/**
 * Three runs of a stream: the value's relative error over every hour of every run's second week (its
 * mean: the bias — one run's own sampling error averages down), the worst hour of any run, and the
 * mean error of the value as it was before the delay was learned. Measured (2026-12-06): bias −0.19%,
 * −0.31%, +0.53% for the three streams below, worst hours 1.0–2.7%; read as failures −8.3%, −5.0%, −8.4%.
 */
function check(runs: Run[]): { bias: number; worst: number; failures: number } {
  return { bias: mean(runs.flatMap((r) => r.learned)), worst: Math.max(...runs.map((r) => worst(r.learned))), failures: mean(runs.flatMap((r) => r.failures)) };
}

describe('estimates with the delay from choice to success learned', () => {
  it('recover a steady stream\'s rate at every hour, where open choices read as failures read it low', () => {
    const truth = 0.3 * (1 - Math.exp(-168 / 20));
    const c = check(SEEDS.map((seed) => simulate(seed, () => 200, 0.3, (r) => -20 * Math.log(1 - r()), truth)));
    expect(Math.abs(c.bias)).toBeLessThan(0.015);
    expect(c.worst).toBeLessThan(0.06);
    expect(c.failures).toBeLessThan(-0.06);
  });

  it('do so when choices grow ever fewer, and when half the successes come in the first hour', () => {
    // 400 choices an hour falling to 40 over the two weeks: arrivals are mostly the long delays of
    // the many earlier choices, which a curve of the arrivals alone would take for the rule.
    const truth = 0.3 * (1 - Math.exp(-168 / 20));
    const shrinking = check(SEEDS.map((seed) => simulate(seed, (h) => Math.round(400 - (360 * h) / 336), 0.3, (r) => -20 * Math.log(1 - r()), truth)));
    expect(Math.abs(shrinking.bias)).toBeLessThan(0.015);
    expect(shrinking.worst).toBeLessThan(0.06);
    expect(shrinking.failures).toBeLessThan(-0.03);

    // Half in the first hour (uniform), half exponential with mean 48 h: P(d ≤ 168 h) = ½ + ½(1 − e^(−3.5)).
    const front = 0.25 * (0.5 + 0.5 * (1 - Math.exp(-168 / 48)));
    const fast = check(SEEDS.map((seed) => simulate(seed, () => 200, 0.25, (r) => (r() < 0.5 ? r() : -48 * Math.log(1 - r())), front)));
    expect(Math.abs(fast.bias)).toBeLessThan(0.015);
    expect(fast.worst).toBeLessThan(0.06);
    expect(fast.failures).toBeLessThan(-0.06);
  });

  it('read a segment\'s open choices with their successes left out of its highest reading, as the population\'s', () => {
    // Every choice in one segment, so the estimate stands on the segment's rung. Until 2026-12-06
    // late evening the segment's highest reading kept its open choices' successes: hours into the
    // second week, 600 closed choices against 9,000 successes of open ones read ≈ 100%.
    const truth = 0.3 * (1 - Math.exp(-168 / 20));
    const c = check(SEEDS.map((seed) => simulate(seed, () => 200, 0.3, (r) => -20 * Math.log(1 - r()), truth, 'segment:runners')));
    expect(Math.abs(c.bias)).toBeLessThan(0.015);
    expect(c.worst).toBeLessThan(0.06);
  });
});
