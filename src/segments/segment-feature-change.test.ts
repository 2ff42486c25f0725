import { afterEach, describe, expect, it } from 'vitest';
import { get, harness, type Harness, type StoreKind } from '../../test/harness.js';
import { ingest, putConfig, track } from '../store/conformance/learn-helpers.js';

const orders = { name: 'orders', kind: 'count', event: 'Order Completed' };
const views = { name: 'views', kind: 'count', event: 'Page Viewed' };
const config = {
  features: [orders, views],
  segments: { audiences: [{ name: 'buyers', when: 'features.orders >= 2.0' }, { name: 'browsers', when: 'features.views >= 1.0' }] },
};

const membersOf = async (h: Harness, segment: string) => ((await get(h.app, `/v1/segments/${segment}/members`)).json().members as { profileId: string }[]).map((m) => m.profileId).sort();
const eventsOf = async (h: Harness, segment: string) => (await get(h.app, `/v1/segments/${segment}/events`)).json().events as { profileId: string; kind: string; reason: string }[];
const idOf = async (h: Harness, userId: string) => (await h.store.profiles.findProfileId('userId', userId)) as string;

describe.each<StoreKind>(['sqlite', 'postgres'])('a feature a segment rule reads, redefined (%s)', (kind) => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('re-evaluates the members of the rules that read it once its backfill is over, with reason `feature`, and leaves the other rules alone', async () => {
    const t = (h = await harness(kind, { config }));
    const at = Date.now() - 60_000;
    // u-1 ordered twice; u-2 checked out twice (and viewed a page); u-3 viewed a page.
    await ingest(t, [
      track('u-1', 'Order Completed', {}, at), track('u-1', 'Order Completed', {}, at + 1000),
      track('u-2', 'Checkout Started', {}, at + 2), track('u-2', 'Checkout Started', {}, at + 1002), track('u-2', 'Page Viewed', {}, at + 3),
      track('u-3', 'Page Viewed', {}, at + 4),
    ]);
    const [u1, u2, u3] = [await idOf(t, 'u-1'), await idOf(t, 'u-2'), await idOf(t, 'u-3')];
    expect(await membersOf(t, 'buyers')).toEqual([u1]);
    expect(await membersOf(t, 'browsers')).toEqual([u2, u3].sort());

    // `orders` now counts checkouts: u-2 has two, u-1 none. No event arrives, no sweep runs.
    const redefined = { ...config.features[0], event: 'Checkout Started' };
    const r = await putConfig(t, 'features', [redefined, views]);
    expect(r.statusCode, r.body).toBe(200);
    await t.tact.backfill.runAll();
    await t.tact.learning.settled();

    expect(await membersOf(t, 'buyers')).toEqual([u2]);
    const events = await eventsOf(t, 'buyers');
    expect(events.slice(0, 2).map((e) => `${e.kind}:${e.profileId === u1 ? 'u1' : 'u2'}:${e.reason}`).sort()).toEqual(['entry:u2:feature', 'exit:u1:feature']);
    // A rule on a feature that did not change records nothing.
    expect(await membersOf(t, 'browsers')).toEqual([u2, u3].sort());
    expect((await eventsOf(t, 'browsers')).every((e) => e.reason === 'event')).toBe(true);
  });
});
