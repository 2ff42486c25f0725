import { afterEach, describe, expect, it } from 'vitest';
import { Rng } from '../../learn/math/prng.js';
import { defaultBanditConfig } from '../../learn/bandit/thompson.js';
import type { Store } from '../../store/store.js';
import { openTwoStores, type StoreKind } from '../../../test/harness.js';
import { decision, dismissal } from './fixtures.js';
import { BANDIT_MODEL, PlacementBandits } from './placement-bandits.js';

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

const config = defaultBanditConfig(1);
const book = (estimates: Store['estimates']) => new PlacementBandits({ store: estimates, decisions: { outcomesOf: async () => [] }, windowOf: () => 3_600_000, now: () => 0 });

/** `n` outcomes learned at placement `home`, half for each action. */
function learn(b: PlacementBandits, prefix: string, n: number, seed: number): void {
  const rng = new Rng(seed);
  b.stateFor('home', ['a', 'b'], config);
  for (let i = 0; i < n; i++) {
    const action = i % 2 ? 'a' : 'b';
    b.onDecision(decision(`${prefix}${i}`, action, rng.int(3)));
    b.onOutcomes([dismissal(`${prefix}${i}`, action)]);
  }
}

/** Estimates whose next read of the bandit's row stalls after reading, until `wake` (a GC pause, a slow disk). */
function stalling(estimates: Store['estimates']) {
  let stall = false;
  let stalled!: () => void;
  const at = new Promise<void>((r) => (stalled = r));
  let wake!: () => void;
  const woken = new Promise<void>((r) => (wake = r));
  const getMany = estimates.getMany.bind(estimates);
  const store = Object.assign(Object.create(estimates) as Store['estimates'], {
    getMany: async (keys: Parameters<typeof getMany>[0]) => {
      const rows = await getMany(keys);
      if (stall && keys.some((k) => k.model === BANDIT_MODEL)) {
        stall = false;
        stalled();
        await woken;
      }
      return rows;
    },
  });
  return { store, arm: () => (stall = true), stalledAt: at, wake };
}

describe.each(['sqlite', 'postgres'] as StoreKind[])('a bandit save that stalled between reading the stored bandit and writing it (%s)', (kind) => {
  it.each([
    ['fewer', 20, 30],
    ['more', 30, 20],
  ])('loses no outcome another process saved meanwhile, its own having %s updates', async (_, mine, theirs) => {
    const two = await openTwoStores(kind);
    cleanups.push(two.cleanup);
    const a = stalling(two.stores[0].estimates);
    const one = book(a.store);
    const other = book(two.stores[1].estimates);
    learn(one, 'x', mine, 1);
    learn(other, 'y', theirs, 2);
    a.arm();
    const saving = one.save();
    await a.stalledAt;
    await other.save();
    a.wake();
    await saving;
    // Each process saves again (as every 5 s): both hold every outcome, and so does the row.
    await one.save();
    await other.save();
    await one.save();
    const total = mine + theirs;
    expect(one.versionOf('home')).toBe(`bandit:home@${total}`);
    expect(other.versionOf('home')).toBe(`bandit:home@${total}`);
    expect(one.stateFor('home', [], config).actions.map((x) => x.evidence)).toEqual([total / 2, total / 2]);
    expect(other.stateFor('home', [], config).actions.map((x) => x.evidence)).toEqual([total / 2, total / 2]);
    const fresh = book(two.stores[1].estimates);
    await fresh.load(['home']);
    expect(fresh.versionOf('home')).toBe(`bandit:home@${total}`);
  });
});
