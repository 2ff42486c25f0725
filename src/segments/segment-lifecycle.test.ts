import { afterEach, describe, expect, it } from 'vitest';
import { get, harness, type Harness } from '../../test/harness.js';
import { ingest, putConfig, track } from '../store/conformance/learn-helpers.js';

const features = [{ name: 'orders', kind: 'count', event: 'Order Completed' }];
const lifecycle = {
  stages: [{ name: 'new', when: 'features.orders == 0.0' }, { name: 'loyal', when: 'features.orders >= 2.0' }, { name: 'active', when: 'true' }],
  valueTiers: [{ name: 'gold', when: 'features.orders >= 3.0' }],
};

const membersOf = async (h: Harness, segment: string) => ((await get(h.app, `/v1/segments/${segment}/members`)).json().members as { profileId: string }[]).map((m) => m.profileId).sort();
const idOf = async (h: Harness, userId: string) => (await h.store.profiles.findProfileId('userId', userId)) as string;

describe('a segment rule on the lifecycle stage', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('is taken, holds for the profiles in that stage, and follows a change of the lifecycle without an event (reason `lifecycle`)', async () => {
    const t = (h = await harness('sqlite', { config: { features, lifecycle } }));
    const r = await putConfig(t, 'segments', { audiences: [{ name: 'loyal', when: 'lifecycle.stage == "loyal"' }, { name: 'tiered', when: 'lifecycle.valueTier != null' }] });
    expect(r.statusCode, r.body).toBe(200);
    const at = Date.now() - 60_000;
    await ingest(t, [
      track('u-1', 'Order Completed', {}, at), track('u-1', 'Order Completed', {}, at + 1),
      track('u-2', 'Order Completed', {}, at + 2),
      track('u-3', 'Page Viewed', {}, at + 3),
    ]);
    const [u1, u2] = [await idOf(t, 'u-1'), await idOf(t, 'u-2')];
    expect((await get(t.app, '/v1/profiles/u-1')).json().lifecycle).toEqual({ stage: 'loyal', valueTier: null });
    expect(await membersOf(t, 'loyal')).toEqual([u1]);
    expect(await membersOf(t, 'tiered')).toEqual([]);
    // No rule failed on a profile: `lifecycle` is there for every one.
    const segments = (await get(t.app, '/v1/segments')).json().segments as { name: string; errors: number }[];
    expect(segments.map((s) => s.errors)).toEqual([0, 0]);

    // One order is loyal now: u-2 enters with no event of its own.
    const changed = await putConfig(t, 'lifecycle', { ...lifecycle, stages: [lifecycle.stages[0], { name: 'loyal', when: 'features.orders >= 1.0' }, lifecycle.stages[2]] });
    expect(changed.statusCode, changed.body).toBe(200);
    await t.tact.learning.settled();
    expect(await membersOf(t, 'loyal')).toEqual([u1, u2].sort());
    const events = (await get(t.app, '/v1/segments/loyal/events')).json().events as { profileId: string; kind: string; reason: string }[];
    expect(events[0]).toMatchObject({ profileId: u2, kind: 'entry', reason: 'lifecycle' });
  });

  it('is refused when it compares the stage with one the lifecycle does not define, or with a value of another type', async () => {
    const t = (h = await harness('sqlite', { config: { features, lifecycle } }));
    const typo = await putConfig(t, 'segments', { audiences: [{ name: 'loyal', when: 'features.orders >= 1.0 && lifecycle.stage == "loyl"' }] });
    expect(typo.statusCode, typo.body).toBe(400);
    expect(typo.json().problems).toEqual([{
      field: 'audiences[0].when',
      message: 'The rule in `audiences[0].when` compares `lifecycle.stage` with `"loyl"`, which is not a lifecycle stage: did you mean `"loyal"`? The stages are new, loyal, active. As written, `==` would be false for every subject.',
    }]);
    const listed = await putConfig(t, 'segments', { audiences: [{ name: 'x', when: 'lifecycle.valueTier in ["gold", "silver"]' }] });
    expect(listed.json().problems[0].message).toMatch(/compares `lifecycle\.valueTier` with `"silver"`, which is not a value tier\. The value tiers are gold\. As written, that entry of the list never matches\.$/);
    const typed = await putConfig(t, 'segments', { audiences: [{ name: 'x', when: 'lifecycle.stage > 2.0' }] });
    expect(typed.json().problems[0].message).toMatch(/compares `lifecycle\.stage`, a string \(the lifecycle stage, null when no stage holds\), with `2\.0`, a number: the two cannot be ordered/);
    const field = await putConfig(t, 'segments', { audiences: [{ name: 'x', when: 'lifecycle.tier == "gold"' }] });
    expect(field.json().problems[0].message).toMatch(/reads `lifecycle\.tier`, which is not a field of the lifecycle.* The fields of the lifecycle are stage, valueTier\./);
    // A stage that reads `lifecycle` would be computed from itself.
    const itself = await putConfig(t, 'lifecycle', { stages: [{ name: 'again', when: 'lifecycle.valueTier == "gold"' }] });
    expect(itself.statusCode).toBe(400);
    expect(itself.json().problems).toEqual([{ field: 'stages[0].when', message: expect.stringMatching(/^The rule in `stages\[0\]\.when` reads `lifecycle`, which a stage or value tier cannot read/) }]);
  });
});
