import { afterEach, describe, expect, it } from 'vitest';
import { Rng } from '../../learn/math/prng.js';
import { defaultBanditConfig } from '../../learn/bandit/thompson.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import type { DecisionRecord } from '../decision.js';
import type { OutcomeRecord } from '../records.js';
import { BANDIT_MODEL, PlacementBandits } from './placement-bandits.js';

const HOUR = 3_600_000;
const config = { ...defaultBanditConfig(1), standardize: true };
const home = [{ id: 'home', config }];

let stores: Store[] = [];
afterEach(async () => {
  for (const s of stores) await s.close();
  stores = [];
});

/** A process's bandits over the embedded store, with the log to catch up from, on a clock the test moves. */
function processOn(store: Store, clock: { t: number }) {
  return new PlacementBandits({ store: store.estimates, decisions: store.decisions, log: store.decisions, windowOf: () => HOUR, now: () => clock.t });
}

const decisionAt = (id: string, action: string, at: number, orders: number): DecisionRecord => ({
  id, at, profileKey: `p-${id}`, subject: `s-${id}`, placement: 'home', channel: 'web', context: {}, policyVersion: 1, catalogVersion: 1, modelVersion: 'bandit:home@0', arm: 'treatment',
  choices: [{ rank: 1, kind: 'action', action, score: 1, propensity: 0.5, why: '' }], scored: [], excluded: [], facts: {}, absentFacts: [], operator: '', customer: '', excludedByStage: {},
  bandit: { model: 'bandit:home@0', features: [orders] },
});
const outcomeOf = (d: DecisionRecord, at: number, success: boolean): OutcomeRecord => ({
  id: `o-${d.id}`, at, profileKey: d.profileKey, type: success ? 'conversion' : 'dismissal', value: null, decisionId: d.id, action: d.choices[0].action as string, credit: 1, reward: success ? 1 : 0, success, source: 'api',
});

/** What the server does: the decision logged, then the process told (and `also`, a twin that learns the same); the outcome likewise. */
async function decide(store: Store, b: PlacementBandits, d: DecisionRecord, also?: PlacementBandits): Promise<DecisionRecord> {
  for (const x of [b, also]) x?.stateFor('home', ['a', 'b'], config);
  await store.decisions.appendDecision(d);
  for (const x of [b, also]) x?.onDecision(d);
  return d;
}
async function record(store: Store, b: PlacementBandits, o: OutcomeRecord, also?: PlacementBandits): Promise<void> {
  await store.decisions.addOutcomes([o]);
  for (const x of [b, also]) x?.onOutcomes([o]);
}

/** `n` rounds, each a decision and its outcome, one clock tick apart. */
async function rounds(store: Store, b: PlacementBandits, clock: { t: number }, prefix: string, n: number, rng: Rng, also?: PlacementBandits): Promise<void> {
  for (let i = 0; i < n; i++) {
    clock.t += 7;
    const d = await decide(store, b, decisionAt(`${prefix}${i}`, i % 2 ? 'a' : 'b', clock.t, rng.int(40)), also);
    clock.t += 3;
    await record(store, b, outcomeOf(d, clock.t, rng.float() < 0.3), also);
  }
}

const beliefs = (b: PlacementBandits) => b.stateFor('home', [], config).actions.map((a) => ({ id: a.id, evidence: a.evidence, rewardSum: a.rewardSum })).sort((x, y) => x.id.localeCompare(y.id));

describe('a restart after kill -9 (embedded store): the bandit catches up from the decision log', () => {
  it('learns what was acknowledged after the last save, once: the version is every credited outcome', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    stores.push(store);
    const clock = { t: Date.UTC(2026, 11, 5, 12) };
    const rng = new Rng(3);
    const first = processOn(store, clock);
    await first.load(home);
    await rounds(store, first, clock, 'x', 20, rng);
    // Decided before the save, its outcome recorded after it: open at the save, learned after.
    const early = await decide(store, first, decisionAt('early', 'a', ++clock.t, 5));
    // An outcome dated ahead of the process's clock (a caller's clock, the same millisecond), learned before the save.
    const ahead = await decide(store, first, decisionAt('ahead', 'b', ++clock.t, 7));
    await record(store, first, outcomeOf(ahead, clock.t + 60_000, true));
    clock.t += 5;
    await first.save();
    expect(first.versionOf('home')).toBe('bandit:home@21');
    const [row] = await store.estimates.getMany([{ subjectId: 'population', model: BANDIT_MODEL, key: 'home' }]);
    expect((row.state as { learnedAhead?: Record<string, number> }).learnedAhead).toEqual({ 'ahead|b': clock.t - 5 + 60_000 });

    // A twin that reads the row now and learns what the process learns next (its posteriors, read
    // from a row, start their refit windows afresh: what a catch-up's must equal).
    const twin = new PlacementBandits({ store: store.estimates, decisions: store.decisions, windowOf: () => HOUR, now: () => clock.t });
    await twin.load(home);
    twin.onDecision(early);

    clock.t += 2000;
    await rounds(store, first, clock, 'y', 30, rng, twin);
    await record(store, first, outcomeOf(early, ++clock.t, true), twin);
    // Decided after the save and still open at the kill: open again after the restart.
    const open = await decide(store, first, decisionAt('open', 'a', ++clock.t, 9), twin);
    expect(first.versionOf('home')).toBe('bandit:home@52');
    const learned = beliefs(first);

    // kill -9: no save. The next process reads the row of 21 and the log after it.
    clock.t += 1500;
    const second = processOn(store, clock);
    await second.load(home);
    // Until 2026-12-05: bandit:home@21, the 31 outcomes acknowledged since never learned.
    expect(second.versionOf('home')).toBe('bandit:home@52');
    expect(beliefs(second)).toEqual(learned);
    expect(second.openTrials()).toBe(1);
    const posterior = (b: PlacementBandits) => b.stateFor('home', [], config).actions.map((a) => ({ id: a.id, mean: [...a.mean], cov: [...a.cov] })).sort((x, y) => x.id.localeCompare(y.id));
    expect(posterior(second)).toEqual(posterior(twin));
    // The trial left open resolves as any other.
    await record(store, second, outcomeOf(open, ++clock.t, true));
    expect(second.versionOf('home')).toBe('bandit:home@53');

    // Saved, and restarted again (killed or not): nothing is learned twice.
    clock.t += 10;
    await second.save();
    clock.t += 1000;
    const third = processOn(store, clock);
    await third.load(home);
    expect(third.versionOf('home')).toBe('bandit:home@53');
    expect(third.openTrials()).toBe(0);
  });

  it('learns a placement never saved from its decisions of the last hour (the process was killed before its first save)', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    stores.push(store);
    const clock = { t: Date.UTC(2026, 11, 5, 12) };
    const first = processOn(store, clock);
    await first.load(home);
    await rounds(store, first, clock, 'x', 12, new Rng(8));
    const learned = beliefs(first);
    clock.t += 1000;
    const second = processOn(store, clock);
    await second.load(home);
    expect(second.versionOf('home')).toBe('bandit:home@12');
    expect(beliefs(second)).toEqual(learned);
  });

  it('after a clean shutdown reads the row as it is: nothing in the log after it', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    stores.push(store);
    const clock = { t: Date.UTC(2026, 11, 5, 12) };
    const first = processOn(store, clock);
    await first.load(home);
    await rounds(store, first, clock, 'x', 12, new Rng(8));
    clock.t += 1;
    await first.save();
    clock.t += 1000;
    const second = processOn(store, clock);
    await second.load(home);
    expect(second.versionOf('home')).toBe('bandit:home@12');
    expect(second.openTrials()).toBe(0);
  });
});
