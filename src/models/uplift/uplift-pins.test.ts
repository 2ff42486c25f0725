import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Choice, DecisionRecord } from '../../decide/decision.js';
import { measureShop, seededTact } from '../../measure/simulation.js';
import { openSqliteStore, type SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { type LoggedDecision, readDecisionLog } from './uplift-log.js';

const DAY = 86_400_000;
const base = measureShop({ exploration: 0.3 });

/**
 * The shop of src/measure/simulation.ts whose safe default (the newsletter) has two content
 * variants, with a global holdout of 40% and an experiment whose arm "pinned" shows the
 * newsletter's variant "x". With ε = 0.3 over K = 4 options (shoes 2.8, socks 0.5, newsletter
 * 0.025, none 0) the logger shows the shoes with 0.775 and every other option with 0.075
 * (src/decide/stages/selection.ts); the holdout shows the newsletter to everyone it holds out.
 */
const newsletter = { ...base.catalog.actions[2], variants: [{ id: 'x', content: { headline: 'Read us' } }, { id: 'y', content: { headline: 'Stay in touch' } }] };
const shop = {
  ...base,
  catalog: { ...base.catalog, actions: [...base.catalog.actions.slice(0, 2), newsletter] },
  policy: { ...base.policy, holdout: { share: 0.4, salt: 'global' } },
  experiments: { hero: { placement: 'home', arms: [{ id: 'drawn', weight: 1 }, { id: 'pinned', weight: 1, variant: { action: 'newsletter', variant: 'x' } }] } },
};
/** The logging policy's probability of each arm of a treatment decision (an action, whichever variant). */
const LOGGING = new Map([['shoes', 0.775], ['socks', 0.075], ['newsletter', 0.075], ['none', 0.075]]);

describe('readDecisionLog gives the global holdout\'s decisions the probability 1 of doing nothing', () => {
  let h: Awaited<ReturnType<typeof seededTact>>;
  let rows: LoggedDecision[] = [];
  let holdout = new Set<string>();
  const N = 300;
  beforeAll(async () => {
    h = await seededTact(shop, { seed: 5 });
    for (let i = 0; i < N; i++) {
      h.clock.now += 1000;
      await h.tact.decide.decider.decide({ subject: `s${i}`, placement: 'home' });
    }
    rows = await readDecisionLog(h.tact.store, { now: h.clock.now + 8 * DAY, windowMs: 7 * DAY, sinceMs: 90 * DAY, max: 10_000 });
    const page = await h.tact.store.decisions.queryDecisions({ placement: 'home', limit: N });
    holdout = new Set(page.filter((d) => d.arm === 'holdout').map((d) => d.id));
  }, 120_000);
  afterAll(async () => h.close());

  it('the holdout is not in the experiment: its safe default\'s variant is drawn, never pinned by the subject\'s arm, and the record names no pin', async () => {
    const page = await h.tact.store.decisions.queryDecisions({ placement: 'home', limit: N });
    const held = page.filter((d) => d.arm === 'holdout');
    expect(held.length).toBeGreaterThan(80);
    // Drawn between "x" and "y" with ½ each — before 2026-12-03 the arm "pinned" showed "x" with probability 1.
    for (const d of held) expect(d.choices[0], d.id).toMatchObject({ action: 'newsletter', propensity: 0.5 });
    expect(new Set(held.map((d) => d.choices[0].variant))).toEqual(new Set(['x', 'y']));
    expect(held.every((d) => d.experiment?.arm === 'holdout' && d.experiment.variant === null)).toBe(true);
    expect(rows.length).toBe(N);
    // Each other record carries the pin its arm applied (null: drawn), so no document version is guessed.
    for (const d of page) {
      if (d.arm === 'holdout') continue;
      expect(d.experiment?.variant, d.experiment?.arm).toEqual(d.experiment?.arm === 'pinned' ? { action: 'newsletter', variant: 'x' } : null);
    }
  });

  it('reads every holdout decision as "none" with probability 1, and every other with its arm\'s probability', () => {
    // The holdout is a hash of the subject (src/decide/pipeline.ts `inHoldout`): given it, nothing
    // personalised is done with certainty. Dividing the pinned variant's logged 1 by the drawn
    // share ½ read it as 2, which the learner dropped as unusable.
    expect(holdout.size).toBeGreaterThan(80);
    for (const r of rows) {
      expect(r.propensity, r.record.id).toBeLessThanOrEqual(1);
      expect(r.propensity, r.arm).toBeCloseTo(holdout.has(r.record.id) ? 1 : LOGGING.get(r.arm)!, 12);
    }
  });
});

/** A logged treatment decision at "home" in the experiment "hero", the shoes' variant at rank 1. */
function shoes(id: string, at: number, arm: string, choice: Partial<Choice>): DecisionRecord {
  return {
    id, at, profileKey: `p-${id}`, subject: id, placement: 'home', channel: 'web', context: {}, policyVersion: 1, catalogVersion: 1, modelVersion: 'beta-ladder@1',
    arm: 'treatment', experiment: { id: 'hero', arm }, choices: [{ rank: 1, kind: 'action', action: 'shoes', score: 2.8, why: '', ...choice } as Choice],
    scored: [{ action: 'shoes', score: 2.8 }], excluded: [], facts: {}, absentFacts: [], operator: '', customer: '', excludedByStage: {},
  } as DecisionRecord;
}

/** The experiments document with `pins`: the shoes' variant each arm pins. */
const hero = (pins: { drawn?: string; pinned?: string }) => ({
  hero: { placement: 'home', arms: (['drawn', 'pinned'] as const).map((id) => ({ id, weight: 1, ...(pins[id] ? { variant: { action: 'shoes', variant: pins[id] } } : {}) })) },
});

describe('readDecisionLog matches variant pins against the experiments version in force at each decision', () => {
  // Document versions are dated by the store's clock (`createdAt`): it is set for each change.
  const T = Date.UTC(2026, 5, 1);
  let store: SqliteStore;
  const read = async (now: number) => new Map((await readDecisionLog(store, { now, windowMs: 7 * DAY, sinceMs: 90 * DAY, max: 10_000 })).map((r) => [r.record.id, r.propensity]));
  beforeAll(() => {
    vi.useFakeTimers({ now: T, toFake: ['Date'] });
  });
  afterEach(async () => store?.close());
  afterAll(() => vi.useRealTimers());

  async function open(): Promise<void> {
    vi.setSystemTime(T);
    store = await openSqliteStore({ path: ':memory:' });
    await store.documents.put('catalog', base.catalog, { author: 'test', reason: 'shoes with variants a and b' });
  }

  it('does not count a drawn variant as pinned by a pin the operator added to its arm later', async () => {
    await open();
    await store.documents.put('experiments', hero({ pinned: 'b' }), { author: 'test', reason: 'v1' });
    // Under v1 the arm "drawn" drew "a": half the shoes' 0.775.
    await store.decisions.appendDecision(shoes('drawn-v1', T + DAY, 'drawn', { variant: 'a', propensity: 0.3875 }));
    vi.setSystemTime(T + 2 * DAY);
    await store.documents.put('experiments', hero({ drawn: 'a', pinned: 'b' }), { author: 'test', reason: 'v2 pins "a" in the arm "drawn"' });
    await store.decisions.appendDecision(shoes('pinned-v2', T + 3 * DAY, 'drawn', { variant: 'a', propensity: 0.775 }));
    const p = await read(T + 20 * DAY);
    expect(p.get('drawn-v1')).toBeCloseTo(0.775, 12);
    expect(p.get('pinned-v2')).toBeCloseTo(0.775, 12);
  });

  it('does not count a drawn variant as pinned by a pin its arm had before the operator removed it', async () => {
    await open();
    await store.documents.put('experiments', hero({ pinned: 'a' }), { author: 'test', reason: 'v1' });
    await store.decisions.appendDecision(shoes('pinned-v1', T + DAY, 'pinned', { variant: 'a', propensity: 0.775 }));
    vi.setSystemTime(T + 2 * DAY);
    await store.documents.put('experiments', hero({}), { author: 'test', reason: 'v2 removes the pin' });
    await store.decisions.appendDecision(shoes('drawn-v2', T + 3 * DAY, 'pinned', { variant: 'a', propensity: 0.3875 }));
    const p = await read(T + 20 * DAY);
    expect(p.get('pinned-v1')).toBeCloseTo(0.775, 12);
    expect(p.get('drawn-v2')).toBeCloseTo(0.775, 12);
  });

  it('finds the version in force however many versions came after it', async () => {
    await open();
    await store.documents.put('experiments', hero({ pinned: 'a' }), { author: 'test', reason: 'v1' });
    await store.decisions.appendDecision(shoes('pinned-v1', T + DAY, 'pinned', { variant: 'a', propensity: 0.775 }));
    // 1,000 later changes that pin nothing: read as drawn, the pinned 0.775 came out 1.55.
    vi.setSystemTime(T + 2 * DAY);
    for (let v = 2; v <= 1001; v++) await store.documents.put('experiments', hero({}), { author: 'test', reason: `v${v}` });
    expect((await read(T + 20 * DAY)).get('pinned-v1')).toBeCloseTo(0.775, 12);
  });

  it('trusts the pin the decision recorded over the version dated before it (a process that had not yet reloaded a change)', async () => {
    await open();
    await store.documents.put('experiments', hero({ pinned: 'a' }), { author: 'test', reason: 'v1' });
    vi.setSystemTime(T + 2 * DAY);
    await store.documents.put('experiments', hero({}), { author: 'test', reason: 'v2 removes the pin' });
    // Made a moment after v2 by a process still on v1: it pinned "a" and recorded so.
    const late = shoes('late', T + 2 * DAY + 50, 'pinned', { variant: 'a', propensity: 0.775 });
    late.experiment = { id: 'hero', arm: 'pinned', variant: { action: 'shoes', variant: 'a' } };
    await store.decisions.appendDecision(late);
    // And one made under v1's dates by a process already on a version without the pin: drawn.
    const drawn = shoes('drawn-early', T + DAY, 'pinned', { variant: 'a', propensity: 0.3875 });
    drawn.experiment = { id: 'hero', arm: 'pinned', variant: null };
    await store.decisions.appendDecision(drawn);
    const p = await read(T + 20 * DAY);
    expect(p.get('late')).toBeCloseTo(0.775, 12);
    expect(p.get('drawn-early')).toBeCloseTo(0.775, 12);
  });

  it('reads a decision dated before every version (its clock behind the store\'s) under the oldest', async () => {
    await open();
    await store.documents.put('experiments', hero({ pinned: 'a' }), { author: 'test', reason: 'v1' });
    vi.setSystemTime(T + 2 * DAY);
    await store.documents.put('experiments', hero({}), { author: 'test', reason: 'v2 removes the pin' });
    await store.decisions.appendDecision(shoes('early', T - DAY, 'pinned', { variant: 'a', propensity: 0.775 }));
    expect((await read(T + 20 * DAY)).get('early')).toBeCloseTo(0.775, 12);
  });
});
