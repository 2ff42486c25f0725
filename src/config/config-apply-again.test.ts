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

const catalog = {
  actions: [{ id: 'a1', name: 'A1', channels: ['web'], value: 1 }, { id: 'a2', name: 'A2', channels: ['web'], value: 2 }],
  placements: [{ id: 'home', name: 'Home', channel: 'web', slots: 1 }],
};

describe('a config file is applied as a whole', () => {
  it('changes nothing when a start is refused, also when a section is already in force as the file has it (QA, 2026-12-05: the lifecycle before the failing experiments was stored)', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    cleanups.push(cleanup);
    const settings = await settingsOf(store);
    expect(await settings.applyFile(file({ catalog, policy: { exploration: { budget: 0.1 } } }))).toEqual(['catalog', 'policy']);
    await settings.put('policy', { exploration: { budget: 0.2 } }, { author: 'ops', reason: 'api edit' });
    // The file now has the policy the API wrote (no new version), a lifecycle, and an experiment pinning a policy version that will not exist.
    const refused = file({
      catalog,
      policy: { exploration: { budget: 0.2 } },
      lifecycle: { stages: [{ name: 'everyone', when: 'true' }] },
      experiments: { t1: { placement: 'home', arms: [{ id: 'control', weight: 0.5, policy: 1 }, { id: 'new', weight: 0.5, policy: 3 }] } },
    });
    await expect(settings.applyFile(refused)).rejects.toThrow(/The `experiments` section of tact\.config\.yaml is not valid: .*policy version 3/);
    expect(await store.documents.latest('lifecycle')).toBeUndefined();
    expect(await store.documents.latest('policy')).toMatchObject({ version: 2, author: 'ops' });
  });

  it('removes a feature and changes the rule that read it in one file (the start said "change that first", though the file did)', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    cleanups.push(cleanup);
    const settings = await settingsOf(store);
    const features = [{ name: 'orders', kind: 'count', event: 'Order Completed' }, { name: 'visits', kind: 'count', event: 'Page Viewed' }];
    expect(await settings.applyFile(file({ features, lifecycle: { stages: [{ name: 'buyer', when: 'features.orders > 0.0' }, { name: 'other', when: 'true' }] } }))).toEqual(['features', 'lifecycle']);
    const next = file({ features: [features[1]], lifecycle: { stages: [{ name: 'visitor', when: 'features.visits > 0.0' }, { name: 'other', when: 'true' }] } });
    expect(await settings.applyFile(next)).toEqual(['features', 'lifecycle']);
    expect((await store.documents.latest<{ stages: { name: string }[] }>('lifecycle'))?.body.stages[0].name).toBe('visitor');
  });
});

describe.each(['sqlite', 'postgres'] as StoreKind[])('a config file applied while another process reloads (%s)', (kind) => {
  it('is never in force in part: its changed sections are one change, one epoch', async () => {
    const two = await openTwoStores(kind);
    cleanups.push(two.cleanup);
    const [a, b] = await Promise.all(two.stores.map(settingsOf));
    const features = [{ name: 'orders', kind: 'count', event: 'Order Completed' }];
    await a.applyFile(file({ features, lifecycle: { stages: [{ name: 'buyer', when: 'features.orders > 0.0' }, { name: 'other', when: 'true' }] } }));
    // The other process reloads after every write of documents this one makes, and notes what it has in force.
    const seen: string[] = [];
    const docs = two.stores[0].documents;
    const putAll = docs.putAll.bind(docs);
    docs.putAll = async (...args: Parameters<typeof putAll>) => {
      const r = await putAll(...args);
      await b.reload();
      seen.push(`${b.version('features')}/${b.version('lifecycle')}`);
      return r;
    };
    const epoch = await docs.epoch();
    const renamed = file({ features: [{ name: 'purchases', kind: 'count', event: 'Order Completed' }], lifecycle: { stages: [{ name: 'buyer', when: 'features.purchases > 0.0' }, { name: 'other', when: 'true' }] } });
    expect(await a.applyFile(renamed)).toEqual(['features', 'lifecycle']);
    // Both sections at once (then the file's marks): never the new features with the old lifecycle.
    expect(seen).toEqual(['2/2', '2/2']);
    expect(await docs.epoch()).toBe(epoch + 2);
  });
});

describe('servers sharing one database started with different config files', () => {
  it('say that the section in force was another file\'s, when they replace it and when their own file has no such section (it was called one "this file no longer has")', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    cleanups.push(cleanup);
    const settings = await settingsOf(store);
    const said: string[] = [];
    const warn = (_: Record<string, unknown>, msg: string) => void said.push(msg);
    const a = { path: '/etc/tact/a.yaml', sections: { lifecycle: { stages: [{ name: 'fromA', when: 'true' }] } } };
    const b = { path: '/etc/tact/b.yaml', sections: { lifecycle: { stages: [{ name: 'fromB', when: 'true' }] }, mergeRules: { limits: { userId: 1 } } } };
    await settings.applyFile(a, warn);
    await settings.applyFile(b, warn);
    expect(said).toEqual([expect.stringMatching(/^The `lifecycle` section in force \(`lifecycle` version 1\) was written by another config file, \/etc\/tact\/a\.yaml, not this one \(\/etc\/tact\/b\.yaml\); this start replaces it/)]);
    said.length = 0;
    await settings.applyFile(a, warn);
    expect(said).toEqual([
      expect.stringMatching(/^The `lifecycle` section in force \(`lifecycle` version 2\) was written by another config file, \/etc\/tact\/b\.yaml, not this one \(\/etc\/tact\/a\.yaml\); this start replaces it/),
      expect.stringMatching(/^The `mergeRules` section in force \(`merge-rules` version 1\) was written by another config file, \/etc\/tact\/b\.yaml, not this one \(\/etc\/tact\/a\.yaml\), and this file has no such section: it stays in force\./),
    ]);
    // Its own file's section taken out is told as before.
    said.length = 0;
    await settings.applyFile({ path: '/etc/tact/a.yaml', sections: {} }, warn);
    expect(said.find((m) => m.includes('`lifecycle`'))).toMatch(/^The config file \/etc\/tact\/a\.yaml no longer has the `lifecycle` section/);
  });
});
