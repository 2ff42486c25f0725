import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { harness, openTestStore, type StoreKind } from '../../test/harness.js';
import { testDir } from '../../test/tmp.js';
import { ingest, track } from '../store/conformance/learn-helpers.js';
import type { Store } from '../store/store.js';
import { openPostgresStore } from '../store/postgres/postgres-store.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';

const features = [{ name: 'orders', kind: 'count', event: 'Order Completed' }];
const buyers = { name: 'buyers', when: 'features.orders >= 1.0' };
const browsers = { name: 'browsers', when: 'features.orders < 1.0' };

/** Opens the same database again, as a restarted process does. */
async function reopen(kind: StoreKind, where: string): Promise<Store> {
  return kind === 'sqlite' ? openSqliteStore({ path: where }) : openPostgresStore({ connectionString: where, poolSize: 4 });
}

describe.each<StoreKind>(['sqlite', 'postgres'])('segments removed by the configuration file of a restart (%s)', (kind) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });

  async function firstRun(audiences: object[]): Promise<{ where: string }> {
    const path = join(testDir('tact-seg-restart-'), 'tact.db');
    const opened = kind === 'sqlite' ? { store: await openSqliteStore({ path }), url: path, cleanup: async () => {} } : await openTestStore('postgres');
    if (kind === 'postgres') cleanups.push(opened.cleanup);
    const h = await harness(kind, { store: opened.store, config: { features, segments: { audiences } } });
    const t = Date.now() - 10_000;
    await ingest(h, [track('u-1', 'Order Completed', {}, t), track('u-2', 'Order Completed', {}, t + 1), track('u-3', 'Page Viewed', {}, t + 2)]);
    expect((await h.store.segments.counts()).filter((c) => c.members > 0).map((c) => `${c.segment}:${c.members}`).sort()).toEqual(
      audiences.length === 2 ? ['browsers:1', 'buyers:2'] : ['buyers:2'],
    );
    await h.close();
    if (kind === 'sqlite') await opened.store.close();
    return { where: opened.url as string };
  }

  async function restart(where: string, audiences: object[]) {
    const store = await reopen(kind, where);
    const h = await harness(kind, { store, config: { features, segments: { audiences } } });
    cleanups.push(async () => {
      await h.close();
      await store.close();
    });
    await h.tact.learning.settled();
    await h.tact.consumers.runAll();
    return h;
  }

  it('leaves no member rows when the file defines no segment any more', async () => {
    const { where } = await firstRun([buyers]);
    const h = await restart(where, []);
    expect(await h.store.segments.members('buyers', '', 10)).toEqual([]);
    expect((await h.store.segments.counts()).find((c) => c.segment === 'buyers')).toMatchObject({ members: 0, exits: 2 });
    expect((await h.store.segments.transitions('buyers', 10)).filter((t) => t.kind === 'exit').map((t) => t.reason)).toEqual(['removed', 'removed']);
  });

  it('leaves no member rows of a removed segment when others remain', async () => {
    const { where } = await firstRun([buyers, browsers]);
    const h = await restart(where, [browsers]);
    expect(await h.store.segments.members('buyers', '', 10)).toEqual([]);
    expect((await h.store.segments.members('browsers', '', 10)).length).toBe(1);
  });
});
