import { afterEach, describe, expect, it } from 'vitest';
import { get, harness, send, twoHarnesses, type Harness } from '../../test/harness.js';
import { ingest, putConfig, track } from '../store/conformance/learn-helpers.js';
import type { Message } from '../collect/message.js';

const orders = { name: 'orders', kind: 'count', event: 'Order Completed' };
const config = { features: [orders], segments: { audiences: [{ name: 'buyers', when: 'features.orders >= 1.0' }] } };

const membersOf = async (h: Harness, segment: string) => ((await get(h.app, `/v1/segments/${segment}/members`)).json().members as { profileId: string }[]).map((m) => m.profileId);

/**
 * Keeps the log consumers of both harnesses from running on their own (each commit wakes them)
 * until the returned function is called: the order must reach no membership evaluation but the
 * test's own, or one that finished before the test's began leaves it nothing to find.
 */
function quietConsumers(...hs: Harness[]): () => void {
  const kept = hs.map((h) => [h, h.tact.consumers.notify] as const);
  for (const h of hs) h.tact.consumers.notify = () => {};
  return () => {
    for (const [h, notify] of kept) h.tact.consumers.notify = notify;
  };
}

/**
 * u-1 viewed a page (no buyer), then ordered; `evaluator`'s log consumer evaluates that order with
 * its evaluation held where it reads the stored membership (`read`) — after it judged the rule
 * under the features of that moment (orders = 1: a buyer) — or on its way to the store with the
 * entry it found, after every check made before the write (`write`). Meanwhile `changer` redefines `orders` to count
 * checkouts (u-1 has none): its backfill and the sweep after it find u-1 no buyer and change
 * nothing. Then the held evaluation goes on. Returns the buyers afterwards.
 */
async function raceWithSweep(changer: Harness, evaluator: Harness, holdAt: 'read' | 'write' = 'read'): Promise<string[]> {
  const at = Date.now() - 60_000;
  await ingest(changer, [track('u-1', 'Page Viewed', {}, at)]);
  const u1 = (await changer.store.profiles.findProfileId('userId', 'u-1')) as string;
  expect(await membersOf(changer, 'buyers')).toEqual([]);
  const order = track('u-1', 'Order Completed', {}, at + 1000);
  const wake = quietConsumers(changer, evaluator);
  expect((await send(changer.app, '/v1/batch', { batch: [order] })).json()).toEqual({ success: true });

  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const segments = evaluator.store.segments;
  const read = segments.membershipsOf.bind(segments);
  const write = segments.apply.bind(segments);
  let held = false;
  let heldWith: string[] = [];
  if (holdAt === 'read') {
    segments.membershipsOf = async (id: string) => {
      if (!held) {
        held = true;
        await gate;
      }
      return read(id);
    };
  } else {
    // Held on its way to the store with the entry it found, after every check made before it.
    segments.apply = async (changes, epoch) => {
      if (!held && changes.length) {
        heldWith = changes.map((c) => `${c.segment} ${c.kind}`);
        held = true;
        await gate;
      }
      return write(changes, epoch);
    };
  }
  try {
    const message = { ...order, messageId: 'order-1', context: {}, timestamp: at + 1000, receivedAt: Date.now() } as unknown as Message;
    const handling = evaluator.tact.learning.membership.consumer().handle([{ seq: 2, profileId: u1, message }]);
    for (let waited = 0; !held && waited < 5000; waited += 10) await Promise.race([handling, new Promise((r) => setTimeout(r, 10))]);
    expect(held, 'the evaluation reached the held step').toBe(true);
    if (holdAt === 'write') expect(heldWith).toEqual(['buyers entry']);

    const r = await putConfig(changer, 'features', [{ ...orders, event: 'Checkout Started' }]);
    expect(r.statusCode, r.body).toBe(200);
    await changer.tact.backfill.runAll();
    await changer.tact.learning.settled();

    release();
    await handling;
  } finally {
    segments.membershipsOf = read;
    segments.apply = write;
    wake();
  }
  return membersOf(changer, 'buyers');
}

/**
 * As raceWithSweep, for a sweep under the old definitions: u-1 ordered, and before any evaluation
 * of that order a sweep finds u-1 a buyer; its entry is held on its way to the store while
 * `changer` redefines `orders` (u-1 has no checkout), backfills it, and evaluates the order under
 * the new definition. Returns the buyers afterwards.
 */
async function sweepRace(changer: Harness, evaluator: Harness): Promise<string[]> {
  const at = Date.now() - 60_000;
  await ingest(changer, [track('u-1', 'Page Viewed', {}, at)]);
  const wake = quietConsumers(changer, evaluator);
  expect((await send(changer.app, '/v1/batch', { batch: [track('u-1', 'Order Completed', {}, at + 1000)] })).json()).toEqual({ success: true });
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const segments = evaluator.store.segments;
  const write = segments.apply.bind(segments);
  let heldWith: string[] | undefined;
  segments.apply = async (changes, epoch) => {
    if (!heldWith && changes.length) {
      heldWith = changes.map((c) => `${c.segment} ${c.kind} ${c.reason}`);
      await gate;
    }
    return write(changes, epoch);
  };
  try {
    const sweeping = evaluator.tact.learning.membership.sweep();
    for (let waited = 0; !heldWith && waited < 5000; waited += 10) await Promise.race([sweeping, new Promise((r) => setTimeout(r, 10))]);
    expect(heldWith).toEqual(['buyers entry sweep']);
    const r = await putConfig(changer, 'features', [{ ...orders, event: 'Checkout Started' }]);
    expect(r.statusCode, r.body).toBe(200);
    await changer.tact.backfill.runAll();
    await changer.tact.learning.settled();
    release();
    await sweeping;
  } finally {
    segments.apply = write;
    wake();
  }
  return membersOf(changer, 'buyers');
}

describe('segment membership across a change of the features', () => {
  const closing: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of closing.splice(0).reverse()) await c();
  });

  it('evaluates a batch again when the features changed before its changes were applied: an entry found under the old definition does not land after the sweep of the new one', async () => {
    const t = await harness('sqlite', { config });
    closing.push(() => t.close());
    expect(await raceWithSweep(t, t)).toEqual([]);
  });

  it('does so when another process changed them (PostgreSQL, two processes): the evaluation reads the configuration the store holds before it writes', async () => {
    const { a, b, close } = await twoHarnesses('postgres', { config });
    closing.push(close);
    expect(await raceWithSweep(a, b)).toEqual([]);
  });

  it('does so when the features changed after every check but before the write: the store applies the changes only under the epoch they were found at', async () => {
    const t = await harness('sqlite', { config });
    closing.push(() => t.close());
    expect(await raceWithSweep(t, t, 'write')).toEqual([]);
  });

  it('does so on PostgreSQL with the change made by another process while the write was on its way', async () => {
    const { a, b, close } = await twoHarnesses('postgres', { config });
    closing.push(close);
    expect(await raceWithSweep(a, b, 'write')).toEqual([]);
  });

  it('applies a sweep\'s changes only under the definitions it found them with: an entry found before the features changed does not land after', async () => {
    const t = await harness('sqlite', { config });
    closing.push(() => t.close());
    expect(await sweepRace(t, t)).toEqual([]);
  });

  it('does so on PostgreSQL when another process changed the features during the sweep', async () => {
    const { a, b, close } = await twoHarnesses('postgres', { config });
    closing.push(close);
    expect(await sweepRace(a, b)).toEqual([]);
  });
});
