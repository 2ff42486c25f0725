import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../../../test/harness.js';
import type { DecisionRecord } from '../../decide/decision.js';
import { shopConfig } from '../../decide/fixtures.js';
import type { OutcomeRecord } from '../../decide/records.js';
import { logit } from '../../learn/math/special.js';
import type { ModelVersion } from '../registry/model-store.js';
import { HELD_OUT_SPLIT, heldOutSubject } from './held-out.js';
import { trainedOnSplit } from './pre-split.js';
import { upliftComparator } from './uplift-comparator.js';
import type { UpliftState } from './uplift-model.js';

const DAY = 86_400_000;
const NOW = Date.now();
const ARMS = ['none', 'shoes-offer', 'socks-offer'] as const;
type Arm = (typeof ARMS)[number];
interface Made { key: string; at: number; arm: Arm; noise: number; converted: boolean }

/** A decision logged uniformly at random among doing nothing and the two offers (propensity ⅓), with the fact `features.noise`. */
function record(id: string, key: string, at: number, arm: Arm, noise: number): DecisionRecord {
  const choice = arm === 'none' ? { rank: 1, kind: 'none' as const, score: 0, propensity: 1 / 3, why: '' } : { rank: 1, kind: 'action' as const, action: arm, score: 1, propensity: 1 / 3, why: '' };
  return {
    id, at, profileKey: key, subject: key, placement: 'home', channel: 'web', context: {}, policyVersion: 1, catalogVersion: 1, modelVersion: 'beta-ladder@1',
    arm: 'treatment', choices: [choice], scored: [{ action: 'shoes-offer', score: 1, value: 10 }, { action: 'socks-offer', score: 1, value: 10 }], excluded: [],
    facts: { 'features.noise': noise }, absentFacts: [], operator: '', customer: '', excludedByStage: {},
  };
}

/** Appends the decisions, with a conversion an hour after each that converted. */
async function append(h: Harness, rows: Made[], prefix: string): Promise<Made[]> {
  const outcomes: OutcomeRecord[] = [];
  for (const [i, m] of rows.entries()) {
    const d = record(`${prefix}${i}`, m.key, m.at, m.arm, m.noise);
    await h.store.decisions.appendDecision(d);
    if (m.converted) outcomes.push({ id: `o-${d.id}`, at: d.at + 3_600_000, profileKey: m.key, type: 'conversion', value: 10, decisionId: m.arm === 'none' ? null : d.id, action: m.arm === 'none' ? null : m.arm, credit: m.arm === 'none' ? 0 : 1, reward: 10, success: m.arm !== 'none', source: 'api' });
  }
  await h.store.decisions.addOutcomes(outcomes);
  return rows;
}

/**
 * The period the live version was trained on: by chance, in that sample, the shoes converted
 * exactly where `noise` was positive and the socks where it was negative — what a version fitted on
 * these very rows learns, and what it then "predicts" perfectly on them.
 */
function trainingPeriod(n: number, from: number): Made[] {
  return Array.from({ length: n }, (_, i) => {
    const arm = ARMS[i % 3];
    const noise = Math.floor(i / 3) % 2 ? 1 : -1;
    const converted = arm === 'none' ? Math.floor(i / 3) % 20 === 0 : arm === 'shoes-offer' ? noise > 0 : noise < 0;
    return { key: `p${i}`, at: from + i * 1000, arm, noise, converted };
  });
}

/** Later decisions: the noise is noise; the shoes convert 40%, the socks 10%, doing nothing 5%. */
function laterPeriod(n: number, from: number, key: (j: number) => string): Made[] {
  return Array.from({ length: n }, (_, j) => {
    const arm = ARMS[j % 3];
    const k = Math.floor(j / 6) % 20;
    const converted = k < (arm === 'none' ? 1 : arm === 'shoes-offer' ? 8 : 2);
    return { key: key(j), at: from + j * 1000, arm, noise: Math.floor(j / 3) % 2 ? 1 : -1, converted };
  });
}

const arm = (coef: number[]) => ({ coef, covariance: coef.length === 1 ? [1e-8] : [1e-8, 0, 0, 1e-8], rows: 500, positives: 100 });
/** The live version, trained before the held-out split on every subject: shoes where the noise is positive, socks where it is negative. */
const liveState: UpliftState = {
  features: [{ path: 'features.noise', mean: 0, sd: 1 }],
  none: { conversion: arm([logit(0.05), 0]) },
  actions: { 'shoes-offer': { goal: 'conversion', model: arm([0, 4]) }, 'socks-offer': { goal: 'conversion', model: arm([0, -4]) } },
  windowMs: 7 * DAY,
};
/** The candidate, trained on the four subjects in five: the shoes for everyone. */
const candidateState: UpliftState = {
  features: [],
  none: { conversion: arm([logit(0.05)]) },
  actions: { 'shoes-offer': { goal: 'conversion', model: arm([logit(0.4)]) }, 'socks-offer': { goal: 'conversion', model: arm([logit(0.1)]) } },
  windowMs: 7 * DAY,
};
const version = (v: number, state: UpliftState, dataFrom: number, dataTo: number, metrics: Record<string, unknown>): ModelVersion => ({ name: 'uplift', version: v, trainedAt: dataTo + 7 * DAY, dataFrom, dataTo, metrics, trainedBy: 'test', state });
const live = version(1, liveState, NOW - 60 * DAY, NOW - 40 * DAY, { decisions: 1500 });
const candidate = version(2, candidateState, NOW - 60 * DAY, NOW - 8 * DAY, { decisions: 3000, heldOut: 900 });

/** SNIPS of a deterministic policy: the mean reward of the rows whose logged arm is its pick (Swaminathan & Joachims 2015, self-normalised estimator). */
function snips(rows: readonly Made[], pick: (m: Made) => Arm): number {
  const matched = rows.filter((m) => m.arm === pick(m));
  return matched.filter((m) => m.converted).length / matched.length;
}

describe('the first uplift comparison after the held-out split', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness('sqlite', { config: shopConfig({ scoring: 'uplift', estimates: { establishedWidth: 0.25 } }) });
  });
  afterEach(async () => h.close());

  it('judges a live version trained on every subject only on held-out subjects it never saw, so its in-sample fit does not win', async () => {
    const old = await append(h, trainingPeriod(1500, NOW - 60 * DAY), 'old-');
    const later = await append(h, laterPeriod(3000, NOW - 35 * DAY, (j) => `q${j}`), 'new-');
    // Subjects of the live version's training period, back later: their later decisions follow their earlier ones too closely to be judged on.
    await append(h, laterPeriod(300, NOW - 30 * DAY, (j) => `p${j}`), 'back-');
    const c = await upliftComparator({ store: h.tact.store, settings: h.tact.settings, now: () => NOW })(candidate, live);

    const judged = later.filter((m) => heldOutSubject(m.key));
    expect(c.figures).toMatchObject({ decisions: judged.length, split: { trainedOnHeldOut: [1], judgedAgainst: 'live' } });
    const f = c.figures as { candidate: { snips: { value: number } }; live: { snips: { value: number } } };
    expect(f.candidate.snips.value).toBeCloseTo(snips(judged, () => 'shoes-offer'), 4);
    expect(f.live.snips.value).toBeCloseTo(snips(judged, (m) => (m.noise > 0 ? 'shoes-offer' : 'socks-offer')), 4);
    expect(c.better).toBe(true);
    expect(c.summary).toContain('uplift@1 was trained before the held-out split');
    // On the held-out subjects of its own training period the live version looks perfect: it learned those rows.
    const inSample = old.filter((m) => heldOutSubject(m.key));
    expect(snips(inSample, (m) => (m.noise > 0 ? 'shoes-offer' : 'socks-offer'))).toBe(1);
  });

  it('judges the candidate against doing nothing, and says why, when every held-out decision is of a subject the live version learned from', async () => {
    await append(h, trainingPeriod(1500, NOW - 60 * DAY), 'old-');
    const seen = version(1, liveState, NOW - 60 * DAY, NOW - 7 * DAY, { decisions: 1500 });
    const c = await upliftComparator({ store: h.tact.store, settings: h.tact.settings, now: () => NOW })(candidate, seen);
    expect(c.figures).toMatchObject({ split: { trainedOnHeldOut: [1], judgedAgainst: 'none' } });
    expect(c.summary).toMatch(/uplift@1 was trained before the held-out split.*in-sample.*against doing nothing/);
    expect(c.better).toBe(true);
  });

  it('calls it inconclusive when the candidate itself was trained on every subject and no held-out decision is new to it', async () => {
    await append(h, trainingPeriod(1500, NOW - 60 * DAY), 'old-');
    const old = version(2, candidateState, NOW - 60 * DAY, NOW - 7 * DAY, { decisions: 1500 });
    const c = await upliftComparator({ store: h.tact.store, settings: h.tact.settings, now: () => NOW })(old, { ...live, metrics: { heldOut: 300 } });
    expect(c).toMatchObject({ better: false, inconclusive: true, figures: { decisions: 0, split: { trainedOnHeldOut: [2], judgedAgainst: 'live' } } });
    expect(c.summary).toContain('uplift@2 was trained before the held-out split');
  });

  it('judges two versions trained with the split on every held-out decision, as before', async () => {
    const old = await append(h, trainingPeriod(1500, NOW - 60 * DAY), 'old-');
    const later = await append(h, laterPeriod(3000, NOW - 35 * DAY, (j) => `q${j}`), 'new-');
    const split = { ...live, metrics: { decisions: 1500, heldOut: 300 } };
    const c = await upliftComparator({ store: h.tact.store, settings: h.tact.settings, now: () => NOW })(candidate, split);
    expect(c.figures).toMatchObject({ decisions: [...old, ...later].filter((m) => heldOutSubject(m.key)).length });
    expect((c.figures as { split?: unknown }).split).toBeUndefined();
  });

  it('records the split in the state of each version it trains, and reads a version from before it as trained on every subject', async () => {
    await append(h, trainingPeriod(1500, NOW - 60 * DAY), 'old-');
    const [trained] = await h.tact.learning.train(['uplift'], 'test');
    const v = (await h.store.models.getVersion('uplift', trained.version!))!;
    // The rule and when its subjects were read (the training's now): a merge received later moves none of its subjects.
    expect((v.state as UpliftState).heldOut).toEqual({ ...HELD_OUT_SPLIT, asOf: expect.any(Number) });
    expect(trainedOnSplit(v)).toBe(true);
    expect(trainedOnSplit(live)).toBe(false);
    expect(trainedOnSplit({ ...v, state: { ...(v.state as UpliftState), heldOut: { salt: 'another', share: 0.2 } } })).toBe(false);
  });
});
