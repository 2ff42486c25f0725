import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { openTestStore, openTwoStores, type StoreKind } from '../../test/harness.js';
import { documentKinds } from '../server/tact.js';
import type { Store } from '../store/store.js';
import { Settings } from './settings.js';

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

const settingsOf = async (store: Store) => {
  const s = new Settings(store.documents, documentKinds);
  await s.reload();
  return s;
};
const file = (sections: Record<string, unknown>) => ({ path: 'tact.config.yaml', sections });
const rules = { limits: { userId: 1, email: 5 }, priority: ['userId', 'email', 'anonymousId'] };
const reordered = { priority: ['userId', 'email', 'anonymousId'], limits: { email: 5, userId: 1 } };

describe('a config file applied at a later start', () => {
  it('does not take a section whose keys were only reordered for a change, so an edit made through the API stays', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    cleanups.push(cleanup);
    const settings = await settingsOf(store);
    expect(await settings.applyFile(file({ mergeRules: rules }))).toEqual(['merge-rules']);
    await settings.put('merge-rules', { limits: { userId: 1, email: 3 }, priority: ['userId', 'email', 'anonymousId'] }, { author: 'ops', reason: 'tighter' });
    // Until 2026-12-05 the section's hash followed the file's key order: this start re-applied it over the edit.
    expect(await settings.applyFile(file({ mergeRules: reordered }))).toEqual([]);
    expect(await store.documents.latest('merge-rules')).toMatchObject({ version: 2, author: 'ops', body: { limits: { email: 3 } } });
  });

  it('takes a mark written before 2026-12-05 (the JSON in the file\'s key order) as it was', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    cleanups.push(cleanup);
    const settings = await settingsOf(store);
    await settings.put('merge-rules', rules, { author: 'config-file', reason: 'loaded' });
    await store.documents.put('config-file', { 'merge-rules': createHash('sha256').update(JSON.stringify(rules)).digest('hex') }, { author: 'config-file', reason: 'applied merge-rules' });
    await settings.put('merge-rules', { ...rules, limits: { userId: 1, email: 3 } }, { author: 'ops', reason: 'tighter' });
    expect(await settings.applyFile(file({ mergeRules: rules }))).toEqual([]);
    expect((await store.documents.latest('merge-rules'))?.author).toBe('ops');
  });

  it('writes no version of a changed section whose document is already in force (the API wrote it), and marks it', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    cleanups.push(cleanup);
    const settings = await settingsOf(store);
    await settings.put('merge-rules', reordered, { author: 'ops', reason: 'by hand' });
    expect(await settings.applyFile(file({ mergeRules: rules }))).toEqual([]);
    expect((await store.documents.latest('merge-rules'))?.version).toBe(1);
    await settings.put('merge-rules', { ...rules, limits: { userId: 1, email: 2 } }, { author: 'ops', reason: 'again' });
    expect(await settings.applyFile(file({ mergeRules: rules }))).toEqual([]);
    expect((await store.documents.latest('merge-rules'))?.version).toBe(2);
  });
});

describe.each(['sqlite', 'postgres'] as StoreKind[])('two processes starting at once with the same changed config file (%s)', (kind) => {
  it('write one version of each changed section, not one each', async () => {
    const two = await openTwoStores(kind);
    cleanups.push(two.cleanup);
    const [a, b] = await Promise.all(two.stores.map(settingsOf));
    const sections = { mergeRules: rules, features: [{ name: 'orders', kind: 'count', event: 'Order Completed' }] };
    const applied = await Promise.all([a.applyFile(file(sections)), b.applyFile(file(sections))]);
    expect(applied.flat().sort()).toEqual(['features', 'merge-rules']);
    expect((await two.stores[0].documents.history('merge-rules', 10)).length).toBe(1);
    expect((await two.stores[0].documents.history('features', 10)).length).toBe(1);
  });
});
