import { afterEach, describe, expect, it } from 'vitest';
import { get, harness, twoHarnesses, type Harness } from '../../test/harness.js';
import { ingest, putConfig, track } from '../store/conformance/learn-helpers.js';

const orders = { name: 'orders', kind: 'count', event: 'Order Completed' };
const buyers = { name: 'buyers', when: 'features.orders >= 1.0' };
const config = { features: [orders], segments: { audiences: [buyers] } };

const membersOf = async (h: Harness, segment: string) => ((await get(h.app, `/v1/segments/${segment}/members`)).json().members as { profileId: string }[]).map((m) => m.profileId);

/**
 * u-1 is a buyer. `remover` removes the segment, and its exits of the members are held on their way
 * to the store while `definer` defines the segment again and evaluates the log under it (u-1 still
 * a member: nothing to enter). Then the exits go on. Returns the buyers afterwards.
 */
async function removedThenDefinedAgain(remover: Harness, definer: Harness): Promise<{ members: string[]; u1: string }> {
  await ingest(definer, [track('u-1', 'Order Completed', {}, Date.now() - 60_000)]);
  const u1 = (await definer.store.profiles.findProfileId('userId', 'u-1')) as string;
  expect(await membersOf(definer, 'buyers')).toEqual([u1]);

  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const segments = remover.store.segments;
  const write = segments.apply.bind(segments);
  let heldWith: string[] | undefined;
  segments.apply = async (changes, epoch) => {
    if (!heldWith && changes.some((c) => c.reason === 'removed')) {
      heldWith = changes.map((c) => `${c.segment} ${c.kind} ${c.reason}`);
      await gate;
    }
    return write(changes, epoch);
  };
  try {
    const r = await putConfig(remover, 'segments', { audiences: [] });
    expect(r.statusCode, r.body).toBe(200);
    const removing = remover.tact.learning.settled();
    for (let waited = 0; !heldWith && waited < 5000; waited += 10) await Promise.race([removing, new Promise((res) => setTimeout(res, 10))]);
    expect(heldWith).toEqual(['buyers exit removed']);

    await definer.tact.settings.refreshIfStale();
    const again = await putConfig(definer, 'segments', { audiences: [buyers] });
    expect(again.statusCode, again.body).toBe(200);
    // Its log consumer replays the log under the new version (learning.settled would wait for
    // the held removal too, when both are one process).
    await definer.tact.consumers.runAll();

    release();
    await removing;
  } finally {
    segments.apply = write;
  }
  return { members: await membersOf(definer, 'buyers'), u1 };
}

describe('a segment removed, then defined again before its members were let go', () => {
  const closing: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of closing.splice(0).reverse()) await c();
  });

  it('keeps the members the new definition holds: the exits of the removal are applied only under the configuration they were found with', async () => {
    const t = await harness('sqlite', { config });
    closing.push(() => t.close());
    const { members, u1 } = await removedThenDefinedAgain(t, t);
    expect(members).toEqual([u1]);
  });

  it('does so when another process defined it again (PostgreSQL, two processes)', async () => {
    const { a, b, close } = await twoHarnesses('postgres', { config });
    closing.push(close);
    const { members, u1 } = await removedThenDefinedAgain(a, b);
    expect(members).toEqual([u1]);
  });
});
