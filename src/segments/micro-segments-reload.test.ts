import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Harness, StoreKind } from '../../test/harness.js';
import { putConfig } from '../store/conformance/learn-helpers.js';
import { orders, placedIn, revenue, twoClusters } from './two-clusters-fixture.js';

/**
 * Settings.reload reads the kinds one after another, awaiting the store between them: a segment
 * rule evaluated meanwhile (a consumer's batch on PostgreSQL, whose queries let the PUT's reload run
 * in between) once saw the new features with the old segments and the old epoch, and applied the
 * live version's old status to them. These tests stop the reload there, after the features are
 * read, and read the micro-segments: the settings before the change, whole, until it is in force.
 */
describe.each<StoreKind>(['sqlite', 'postgres'])('the live micro-segments read while a features change is reloaded (%s)', (kind) => {
  let h: Harness | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await h?.close();
    h = undefined;
  });

  const trained = () => twoClusters(kind, (t) => (h = t));
  const placed = placedIn;

  /**
   * Runs `probe` inside the reload of the next change, once it has read the features and waits on
   * the next kind. That reload may be another process's part than the PUT's (a consumer noticing
   * the change on PostgreSQL), which the PUT's answer does not wait for: `ran` waits for the probe.
   */
  function duringReload(t: Harness, probe: () => Promise<void>): { ran: () => Promise<boolean> } {
    const docs = t.store.documents;
    const latest = docs.latest.bind(docs);
    let featuresRead = false;
    let probed: Promise<void> | undefined;
    vi.spyOn(docs, 'latest').mockImplementation(async (k: string) => {
      if (k === 'features') featuresRead = true;
      else if (featuresRead && !probed) await (probed = probe());
      return latest(k);
    });
    return { ran: async () => (probed ? (await probed, true) : false) };
  }

  const changesOf = async (t: Harness, ids: string[]) => {
    let n = 0;
    for (const id of ids) n += (await t.tact.learning.membership.changes((await t.store.profiles.getProfile(id))!, { seq: 0, reason: 'event', now: Date.now() })).length;
    return n;
  };

  it('a clustered feature redefined: no micro-segment (the version needs retraining), and every subject leaves the segments on it', async () => {
    const { t, ids, before } = await trained();
    expect(new Set(before).size).toBe(2);
    let midway: (number | null)[] = [];
    let changes = -1;
    const r = duringReload(t, async () => {
      midway = await placed(t, ids);
      changes = await changesOf(t, ids);
    });
    expect((await putConfig(t, 'features', [{ ...revenue, property: 'amount' }, orders])).statusCode).toBe(200);
    expect(await r.ran()).toBe(true);
    // Midway, the settings before the change are in force, whole: everyone as before, nothing to change.
    expect(midway).toEqual(before);
    expect(changes).toBe(0);
    // Once it is in force: the version is no longer applied, and the rules on it hold for no one.
    expect(await placed(t, ids)).toEqual(ids.map(() => null));
  });

  it('a clustered feature renamed (the old name removed): every subject keeps its micro-segment, read under the new name', async () => {
    const { t, ids, before } = await trained();
    const spend = { ...revenue, name: 'spend' };
    expect((await putConfig(t, 'features', [revenue, spend, orders])).statusCode).toBe(200);
    await t.tact.backfill.runAll();
    const segments = (await t.store.documents.latest('segments'))!.body as { microSegments: object };
    expect((await putConfig(t, 'segments', { ...segments, microSegments: { ...segments.microSegments, features: ['spend', 'orders'] } })).statusCode).toBe(200);
    await t.tact.learning.settled();
    // Midway through the rename `revenue` is still read (and the lookup has judged the version so).
    expect(await placed(t, ids)).toEqual(before);
    let midway: (number | null)[] = [];
    let changes = -1;
    const r = duringReload(t, async () => {
      midway = await placed(t, ids);
      changes = await changesOf(t, ids);
    });
    expect((await putConfig(t, 'features', [spend, orders])).statusCode).toBe(200);
    expect(await r.ran()).toBe(true);
    // Not `revenue` read as no longer defined and filled with its mean: that put the big spenders with the others.
    expect(midway).toEqual(before);
    expect(changes).toBe(0);
    expect(await placed(t, ids)).toEqual(before);
    expect(await changesOf(t, ids)).toBe(0);
  });
});
