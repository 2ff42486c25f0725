import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../../../test/harness.js';
import { shopConfig } from '../../decide/fixtures.js';
import type { ModelVersion } from '../registry/model-store.js';
import { logDecisions, type Made } from './fixtures.js';
import { HELD_OUT_SPLIT, heldOutSubject } from './held-out.js';
import { knownUplift } from './simulated-log.js';
import { logit } from '../../learn/math/special.js';
import { upliftComparator, type UpliftComparison } from './uplift-comparator.js';
import type { LoggedDecision } from './uplift-log.js';
import { UpliftScorer, type UpliftState } from './uplift-model.js';
import { fitUplift } from './uplift-trainer.js';

const DAY = 86_400_000;


/** The shop with the shoes offer credited for 14 days, the policy for its default 7. */
function shoesOn14Days() {
  const config = shopConfig({ scoring: 'uplift', estimates: { establishedWidth: 0.25 } });
  config.catalog.actions!.find((a) => a.id === 'shoes-offer')!.attributionWindow = '14d';
  return config;
}

const rate = (rows: readonly Made[], arm: Made['arm']) => rows.filter((m) => m.arm === arm && m.converted).length / rows.filter((m) => m.arm === arm).length;

describe('uplift training and comparison under per-action attribution windows', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('learns the shoes\' uplift from conversions inside their own 14-day window, against "none" cut at 14 days too', async () => {
    h = await harness('sqlite', { config: shoesOn14Days() });
    // 800 decisions 30 days ago; every conversion 10 days after its decision: inside the shoes' 14
    // days, outside the policy's 7. The truth, by construction: 40% − 10% = 0.3 within 14 days.
    await logDecisions(h, { first: 0, n: 800, at: Date.now() - 30 * DAY, delay: 10 * DAY });
    const [trained] = await h.tact.learning.train(['uplift'], 'test');
    const version = await h.store.models.getVersion('uplift', trained.version!);
    const scorer = new UpliftScorer(version!.state as UpliftState, version!.version);
    const u = scorer.estimate('shoes-offer', {}, { level: 0.95, maxWidth: 0.25 })!;
    // Read at the policy's 7 days, neither arm converted: the learned uplift was ~0 (|u| < 0.01).
    expect(u.low).toBeLessThanOrEqual(0.3);
    expect(u.high).toBeGreaterThanOrEqual(0.3);
    expect(u.value).toBeGreaterThan(0.2);
    expect(trained.metrics).toMatchObject({ actions: { 'shoes-offer': { windowMs: 14 * DAY } } });
  });

  it('leaves out decisions whose action window is still open, and judges every arm on the same horizon', async () => {
    h = await harness('sqlite', { config: shoesOn14Days() });
    const closed = await logDecisions(h, { first: 0, n: 800, at: Date.now() - 30 * DAY, delay: 10 * DAY });
    // 10 days old: closed under the policy's 7 days, open under the shoes' 14 (their conversions 9 days on are in, others may still come).
    const open = await logDecisions(h, { first: 800, n: 400, at: Date.now() - 10 * DAY, delay: 9 * DAY });
    const version = (v: number, state: UpliftState): ModelVersion => ({ name: 'uplift', version: v, trainedAt: 0, dataFrom: null, dataTo: 0, metrics: {}, trainedBy: 'test', state: { ...state, heldOut: HELD_OUT_SPLIT } });
    // The candidate shows the shoes everywhere (uplift 0.29 × 60 − 0.2 > 0), the live version nothing (uplift < 0).
    const c = (await upliftComparator({ store: h.tact.store, settings: h.tact.settings })(version(2, knownUplift({ 'shoes-offer': 0.3 })), version(1, knownUplift({ 'shoes-offer': 0.001 })))) as UpliftComparison;
    const held = closed.filter((m) => heldOutSubject(m.key));
    // Read with the policy's 7 days, the 10-day-old decisions were judged (242 rows instead of 165)
    // and every conversion, 9 or 10 days on, was missed (SNIPS 0 for both versions).
    expect(open.some((m) => heldOutSubject(m.key))).toBe(true);
    expect(c.figures.decisions).toBe(held.length);
    // SNIPS of a deterministic policy is the mean reward of the rows whose logged arm is its pick
    // (Swaminathan & Joachims 2015, self-normalised estimator), both arms read within 14 days.
    expect(c.figures.candidate.snips?.value).toBeCloseTo(rate(held, 'shoes-offer'), 4);
    expect(c.figures.live.snips?.value).toBeCloseTo(rate(held, 'none'), 4);
    // And it says how many it left out: the held-out subjects' decisions made less than 14 days ago.
    const pending = open.filter((m) => heldOutSubject(m.key)).length;
    expect(c.figures.pending).toBe(pending);
    expect(c.figures.windowMs).toBe(14 * DAY);
    expect(c.summary).toContain(`; ${pending} decisions of held-out subjects still inside the 14-day window left out (their outcomes may still come)`);
  });

  it('says how many decisions it left out when none has its window closed yet', async () => {
    h = await harness('sqlite', { config: shoesOn14Days() });
    const open = await logDecisions(h, { first: 0, n: 400, at: Date.now() - 10 * DAY, delay: 9 * DAY });
    const version = (v: number, state: UpliftState): ModelVersion => ({ name: 'uplift', version: v, trainedAt: 0, dataFrom: null, dataTo: 0, metrics: {}, trainedBy: 'test', state: { ...state, heldOut: HELD_OUT_SPLIT } });
    const c = (await upliftComparator({ store: h.tact.store, settings: h.tact.settings })(version(2, knownUplift({ 'shoes-offer': 0.3 })), version(1, knownUplift({ 'shoes-offer': 0.001 })))) as UpliftComparison;
    const pending = open.filter((m) => heldOutSubject(m.key)).length;
    expect(pending).toBeGreaterThan(0);
    expect(c.figures.decisions).toBe(0);
    expect(c.figures.pending).toBe(pending);
    expect(c.summary).toMatch(new RegExp(`^no logged decision of a held-out subject has its outcome window closed yet: .*; ${pending} decisions of held-out subjects still inside the 14-day window left out`));
  });
});

const arm = (p: number) => ({ coef: [logit(p)], covariance: [1e-8], rows: 1000, positives: Math.round(1000 * p) });
const o = { level: 0.95, maxWidth: 0.25 };

describe('the uplift state\'s "none" per attribution window', () => {
  it('reads an action against "none" within the action\'s own window, and a state trained before per-action windows as before', () => {
    const state: UpliftState = {
      features: [], windowMs: 7 * DAY, none: { conversion: arm(0.01) }, noneByWindow: { [String(14 * DAY)]: { conversion: arm(0.1) } },
      actions: { shoes: { goal: 'conversion', model: arm(0.4), windowMs: 14 * DAY }, socks: { goal: 'conversion', model: arm(0.05), windowMs: 7 * DAY } },
    };
    // Intercept-only arms known almost exactly: the uplift is the difference of the two rates.
    expect(new UpliftScorer(state, 2).estimate('shoes', {}, o)!.value).toBeCloseTo(0.4 - 0.1, 6);
    expect(new UpliftScorer(state, 2).estimate('socks', {}, o)!.value).toBeCloseTo(0.05 - 0.01, 6);
    // Before 2026-12-04: one window, one "none" per goal, actions without their own window.
    const old: UpliftState = { features: [], windowMs: 7 * DAY, none: { conversion: arm(0.01) }, actions: { shoes: { goal: 'conversion', model: arm(0.4) } } };
    expect(new UpliftScorer(old, 1).estimate('shoes', {}, o)!.value).toBeCloseTo(0.4 - 0.01, 6);
  });

  it('fits each (goal, window) on the decisions whose window has closed, treated and control alike', () => {
    const now = 100 * DAY;
    /** `n` rows at `at`, alternating none and shoes (propensity ½); converted rows convert `delay` later; none 10%, shoes 40%. */
    const rows = (first: number, n: number, at: number, delay: number | undefined): LoggedDecision[] => Array.from({ length: n }, (_, j) => {
      const i = first + j;
      const a = i % 2 ? 'shoes' : 'none';
      const converted = delay !== undefined && Math.floor(i / 2) % 10 < (a === 'none' ? 1 : 4);
      return { record: { id: `d${i}`, at, profileKey: `p${i}`, facts: {}, scored: [] } as unknown as LoggedDecision['record'], arm: a, propensity: 0.5, followed: new Set<string>(), delays: new Map(converted ? [['conversion', delay!]] : []) };
    });
    // 400 closed decisions converting on day 10; 400 made 10 days ago whose conversions have not come yet.
    const log = [...rows(0, 400, now - 30 * DAY, 10 * DAY), ...rows(400, 400, now - 10 * DAY, undefined)];
    const { state, metrics } = fitUplift(log, () => 'conversion', 7 * DAY, { windowOf: (a) => (a === 'shoes' ? 14 * DAY : 7 * DAY), now });
    // The 14-day group holds only the 400 closed rows: 200 each, 80 and 20 converted (by construction).
    expect(metrics.actions).toEqual({ shoes: { goal: 'conversion', windowMs: 14 * DAY, rows: 200, positives: 80, noneRows: 200, nonePositives: 20 } });
    expect(new UpliftScorer(state, 1).estimate('shoes', {}, o)!.value).toBeCloseTo(0.4 - 0.1, 2);
    // The policy's "none" (7 days) is fitted on its own closed rows, all 400: no conversion within 7 days.
    expect(state.none.conversion.rows).toBe(400);
    expect(state.none.conversion.positives).toBe(0);
  });
});
