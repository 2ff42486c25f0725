import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { DocumentKind } from './document-kind.js';
import { Settings } from './settings.js';

/** A kind whose compiled form is its body's `n` (0 when none is stored). */
const kind = (name: string): DocumentKind<{ n: number }, number> => ({
  kind: name,
  configKey: name,
  description: `test kind ${name}`,
  check: () => [],
  compile: (body) => body.n,
  empty: { n: 0 },
});

describe('a reload of the settings', () => {
  it('swaps every kind at once: a reader while it reads the store sees the settings before it, never some kinds new and others old', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    await store.migrate();
    const first = kind('first');
    const second = kind('second');
    await store.documents.put('first', { n: 1 }, { author: 't', reason: 'v1' });
    await store.documents.put('second', { n: 1 }, { author: 't', reason: 'v1' });
    const settings = new Settings(store.documents, [first, second]);
    await settings.reload();
    expect([settings.get(first), settings.get(second)]).toEqual([1, 1]);

    // Another process changes both (one change each); this one reloads, and is read meanwhile:
    // the reload's read of the second kind waits until the reader has looked.
    await store.documents.put('first', { n: 2 }, { author: 't', reason: 'v2' });
    await store.documents.put('second', { n: 2 }, { author: 't', reason: 'v2' });
    const latest = store.documents.latest.bind(store.documents);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let paused!: () => void;
    const reached = new Promise<void>((r) => (paused = r));
    (store.documents as { latest: typeof latest }).latest = async (k) => {
      if (k === 'second') {
        paused();
        await held;
      }
      return latest(k);
    };
    const reloading = settings.reload();
    await reached;
    expect([settings.get(first), settings.get(second)], 'read while the reload reads the store').toEqual([1, 1]);
    expect(settings.version('first')).toBe(1);
    release();
    await reloading;
    expect([settings.get(first), settings.get(second)]).toEqual([2, 2]);
    expect(settings.version('first')).toBe(2);
    await store.close();
  });

  it('never puts part of a change of several kinds in force: one committed while the kinds are read is read again whole', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    await store.migrate();
    const first = kind('first');
    const second = kind('second');
    await store.documents.putAll([{ kind: 'first', body: { n: 1 } }, { kind: 'second', body: { n: 1 } }], { author: 't', reason: 'v1' });
    const settings = new Settings(store.documents, [first, second]);
    await settings.reload();
    // Another process changes both as one change after this reload read the first kind, before it reads the second.
    const latest = store.documents.latest.bind(store.documents);
    let changed = false;
    (store.documents as { latest: typeof latest }).latest = async (k) => {
      if (k === 'second' && !changed) {
        changed = true;
        await store.documents.putAll([{ kind: 'first', body: { n: 2 } }, { kind: 'second', body: { n: 2 } }], { author: 't', reason: 'v2' });
      }
      return latest(k);
    };
    await settings.reload();
    expect([settings.get(first), settings.get(second), settings.version('first'), settings.version('second')]).toEqual([2, 2, 2, 2]);
    expect(settings.epoch).toBe(await store.documents.epoch());
    await store.close();
  });
});
