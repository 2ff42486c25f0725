import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import { book, config, learn } from './fixtures.js';

let stores: Store[] = [];
afterEach(async () => {
  for (const s of stores) await s.close();
  stores = [];
});


describe('placement bandits: the range of contexts learned from', () => {
  it('is merged across processes: the stored action holds the contexts both learned from', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    stores.push(store);
    const one = book(store);
    const two = book(store);
    await one.load(['home']);
    await two.load(['home']);
    learn(one, 'x', [2, 3, 4]);
    learn(two, 'y', [10, 12]);
    await one.save();
    await two.save(); // merges with what one wrote
    const three = book(store);
    await three.load(['home']);
    const a = three.stateFor('home', ['a'], config).actions[0];
    expect(a.evidence).toBe(5);
    expect(a.range).toEqual({ min: [2], max: [12] });
    // and the process that merged adopted it
    expect(two.stateFor('home', ['a'], config).actions[0].range).toEqual({ min: [2], max: [12] });
  });
});
