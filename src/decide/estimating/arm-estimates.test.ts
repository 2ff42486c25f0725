import { afterEach, describe, expect, it } from 'vitest';
import { bearer, get, harness, send, type Harness } from '../../../test/harness.js';
import { assign } from '../../measure/experiments/assignment.js';
import { runAudience } from '../batch/audience-run.js';

/**
 * An experiment arm that pins a policy version decides with that version's `estimates` settings
 * (prior, strengths, established width, interval level), and says the level it used. Until
 * 2026-12-05 a pinned arm's estimate was computed with the live policy's settings and labelled with
 * the pinned level: a "90%" interval that was the live policy's 80% one, and an experiment on
 * estimate settings measured nothing.
 *
 * Reference (no conversion yet: the population rung's posterior is Beta(α₀, β₀ + n) after n trials,
 * α₀ = priorMean × priorStrength), scipy 1.17.1:
 *   python3 -c "from scipy.stats import beta; print([float(x) for x in beta.ppf([0.05, 0.95], 1, 19)], [float(x) for x in beta.ppf([0.1, 0.9], 2, 19)])"
 *   [0.0026960063028712822, 0.1458685033122434] [0.026914132614011155, 0.1809609634367385]
 */
/** The log keeps a candidate's estimate to 6 significant digits (explanation.ts `significant`). */
const six = (x: number) => Number(x.toPrecision(6));
const PINNED_90 = { a: 1, b: 19, low: 0.0026960063028712822, high: 0.1458685033122434 }; // Beta(1, 19) at 0.9: priorMean 0.05 × 20, n = 0
const LIVE_80 = { a: 2, b: 19, low: 0.026914132614011155, high: 0.1809609634367385 }; // Beta(2, 18 + 1) at 0.8: priorMean 0.1 × 20, n = 1
/**
 * The live arm's one trial is still inside its attribution window: the interval reaches up to the
 * rate without it (ADR 0007), Beta(2, 18)'s 90th percentile — scipy 1.17.1:
 *   python3 -c "from scipy.stats import beta; print(float(beta.ppf(0.9, 2, 18)))"  # 0.18976556332462935
 */
const LIVE_80_OPEN_HIGH = 0.18976556332462935;

const catalog = {
  actions: [{ id: 'newsletter', name: 'Our newsletter', channels: ['web'], value: 1 }],
  placements: [{ id: 'home', name: 'Home', channel: 'web', slots: 1 }],
};
const policy = (priorMean: number, level: number) => ({ exploration: { budget: 0 }, estimates: { priorMean, priorStrength: 20, level } });

/** Version 1: prior 5%, 90% intervals (the config file); version 2, live: prior 10%, 80% intervals; an experiment at "home" pins version 1 in its arm p1. */
async function pinnedExperiment(): Promise<{ h: Harness; arms: { id: string; weight: number; policy?: number }[] }> {
  const h = await harness('sqlite', { config: { catalog, policy: policy(0.05, 0.9) } });
  await h.tact.applyDocument('policy', policy(0.1, 0.8), { author: 'test', reason: 'v2 live' });
  const arms = [{ id: 'live', weight: 1 }, { id: 'p1', weight: 1, policy: 1 }];
  await h.tact.applyDocument('experiments', { 'estimates-test': { placement: 'home', arms } }, { author: 'test', reason: 'pin v1' });
  return { h, arms };
}

interface Answer {
  decisionId: string;
  choices: { estimate: { value: number; low: number; high: number; level: number; evidence: number } }[];
  explanation: { policyVersion: number; experiment: { arm: string }; candidates: { estimate: { value: number; low: number; high: number; level: number; evidence: number } }[] };
}

describe('the estimates of a decision in an experiment arm that pins a policy version', () => {
  let h: Harness | undefined;
  afterEach(async () => h?.close());

  it('are computed with the pinned policy\'s estimates settings and answered at its level, the live arm\'s with the live ones', async () => {
    const made = await pinnedExperiment();
    h = made.h;
    const arms = made.arms;
    const armOf = (s: string) => {
      const a = assign(s, { salt: 'estimates-test', arms });
      return a.kind === 'arm' ? a.armId : undefined;
    };
    const subjects = Array.from({ length: 40 }, (_, i) => `s-${i}`);
    const pinned = subjects.find((s) => armOf(s) === 'p1');
    const live = subjects.find((s) => armOf(s) === 'live');
    expect(pinned && live).toBeTruthy();

    const decide = async (subject: string) => {
      const r = await h!.app.inject({ method: 'POST', url: '/v1/decide', headers: { authorization: bearer(), 'content-type': 'application/json' }, payload: { subject, placement: 'home', explain: 'full' } });
      expect(r.statusCode, r.body).toBe(200);
      return r.json() as Answer;
    };

    // The pinned arm first: no trial logged yet.
    const p = await decide(pinned!);
    expect(p.explanation.experiment.arm).toBe('p1');
    expect(p.explanation.policyVersion).toBe(1);
    const stored = (await get(h.app, `/v1/decisions/${p.decisionId}`)).json() as Answer;
    for (const e of [p.choices[0].estimate, p.explanation.candidates[0].estimate, stored.choices[0].estimate, stored.explanation.candidates[0].estimate]) {
      expect(e).toMatchObject({ level: 0.9, evidence: 0 });
      expect(e.value).toBe(six(PINNED_90.a / (PINNED_90.a + PINNED_90.b)));
      expect(e.low).toBe(six(PINNED_90.low));
      expect(e.high).toBe(six(PINNED_90.high));
    }

    // The live arm: the live policy's prior and level (the pinned decision is its one trial).
    const l = await decide(live!);
    expect(l.explanation.experiment.arm).toBe('live');
    expect(l.explanation.policyVersion).toBe(2);
    const e = l.choices[0].estimate;
    expect(e).toMatchObject({ level: 0.8, evidence: 1 });
    expect(e.value).toBe(six(LIVE_80.a / (LIVE_80.a + LIVE_80.b)));
    expect(e.low).toBe(six(LIVE_80.low));
    expect(e.high).toBe(six(LIVE_80_OPEN_HIGH));
  });

  it('are labelled with the level of the policy each was made under in a batch decision too', async () => {
    h = (await pinnedExperiment()).h;
    for (let i = 0; i < 12; i++) await send(h.app, '/v1/identify', { userId: `b-${i}` });
    await h.tact.consumers.runAll();
    const levels: Record<number, number[]> = { 1: [], 2: [] };
    for await (const line of runAudience(h.tact, { placement: 'home', audience: 'true' })) {
      if (line.type !== 'decision') continue;
      const d = line.decision as unknown as Answer;
      levels[d.explanation.policyVersion].push(d.choices[0].estimate.level);
    }
    // Both arms decided (the check is void without a pinned decision); until 2026-12-05 a batch labelled every one with the live level.
    expect(levels[1].length).toBeGreaterThan(0);
    expect(levels[2].length).toBeGreaterThan(0);
    expect(new Set(levels[1])).toEqual(new Set([0.9]));
    expect(new Set(levels[2])).toEqual(new Set([0.8]));
  });
});
