import { afterEach, describe, expect, it } from 'vitest';
import { get, harness, send, type Harness } from '../../test/harness.js';
import { ingest, putConfig, track } from '../store/conformance/learn-helpers.js';
import type { Message } from '../collect/message.js';

const orders = { name: 'orders', kind: 'count', event: 'Order Completed' };
const config = { features: [orders], segments: { audiences: [{ name: 'buyers', when: 'features.orders >= 1.0' }] } };

const membersOf = async (h: Harness, segment: string) => ((await get(h.app, `/v1/segments/${segment}/members`)).json().members as { profileId: string }[]).map((m) => m.profileId);

describe('segment membership across a change of the features', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('evaluates a batch again when the features changed before its changes were applied: an entry found under the old definition does not land after the sweep of the new one', async () => {
    const t = (h = await harness('sqlite', { config }));
    const at = Date.now() - 60_000;
    await ingest(t, [track('u-1', 'Page Viewed', {}, at)]);
    const u1 = (await t.store.profiles.findProfileId('userId', 'u-1')) as string;
    expect(await membersOf(t, 'buyers')).toEqual([]);

    // u-1 orders; the log consumer's evaluation of that event is held where it reads the stored
    // membership, after it judged the rule under the features of that moment (orders = 1: a buyer).
    const order = track('u-1', 'Order Completed', {}, at + 1000);
    expect((await send(t.app, '/v1/batch', { batch: [order] })).json()).toEqual({ success: true });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const segments = t.store.segments;
    const read = segments.membershipsOf.bind(segments);
    let held = false;
    segments.membershipsOf = async (id: string) => {
      if (!held) {
        held = true;
        await gate;
      }
      return read(id);
    };
    const message = { ...order, messageId: 'order-1', context: {}, timestamp: at + 1000, receivedAt: Date.now() } as unknown as Message;
    const handling = t.tact.learning.membership.consumer().handle([{ seq: 2, profileId: u1, message }]);
    await new Promise((r) => setTimeout(r, 20));
    expect(held).toBe(true);

    // Meanwhile `orders` is redefined to count checkouts (u-1 has none): its backfill and the
    // sweep after it find u-1 no buyer, and change nothing.
    const r = await putConfig(t, 'features', [{ ...orders, event: 'Checkout Started' }]);
    expect(r.statusCode, r.body).toBe(200);
    await t.tact.backfill.runAll();
    await t.tact.learning.settled();

    release();
    await handling;
    segments.membershipsOf = read;
    expect(await membersOf(t, 'buyers')).toEqual([]);
  });
});
