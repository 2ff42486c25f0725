import { afterEach, describe, expect, it } from 'vitest';
import { afterTraining, get, harness, type Harness } from '../../test/harness.js';
import { ingest, track } from '../store/conformance/learn-helpers.js';

const config = {
  features: [{ name: 'revenue', kind: 'sum', event: 'Order Completed', property: 'revenue' }],
  segments: {
    audiences: [
      { name: 'not_0', when: 'microSegment != 0' },
      { name: 'not_0_or_big', when: 'microSegment != 0 || features.revenue >= 500.0' },
      { name: 'big', when: 'features.revenue >= 500.0' },
    ],
    microSegments: { features: ['revenue'], k: 2, minSubjects: 4 },
  },
};

type Listed = { segments: { name: string; members: number; errors: number }[] };

describe('a segment rule on `microSegment` while no micro-segment applies', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('holds only where it holds whatever the micro-segment: `microSegment != 0` admits no one, not everyone, and counts no failure', async () => {
    const t = (h = await harness('sqlite', { config }));
    const at = Date.now() - 60_000;
    await ingest(t, Array.from({ length: 12 }, (_, i) => track(`u-${i}`, 'Order Completed', { revenue: i % 2 ? 1000 : 10 }, at + i)));
    await t.tact.learning.settled();
    const listed = async () => ((await get(t.app, '/v1/segments')).json() as Listed).segments.map((s) => `${s.name}: ${s.members} members, ${s.errors} errors`);
    // No version trained: nobody is in a micro-segment other than 0 — nor in 0.
    expect(await listed()).toEqual(['not_0: 0 members, 0 errors', 'not_0_or_big: 6 members, 0 errors', 'big: 6 members, 0 errors']);
    const small = (await t.store.profiles.getProfile((await t.store.profiles.findProfileId('userId', 'u-0'))!))!;
    const large = (await t.store.profiles.getProfile((await t.store.profiles.findProfileId('userId', 'u-1'))!))!;
    // What a decision reads says the same.
    expect((await t.tact.learning.ladderPosition(small, Date.now())).segments).toEqual([]);
    expect((await t.tact.learning.ladderPosition(large, Date.now())).segments).toEqual(['not_0_or_big', 'big']);

    // Once a version is live, the rule reads the subject's micro-segment: the large spenders' cluster is not 0 or is.
    const [v1] = await t.tact.learning.train(['micro-segments']);
    await afterTraining();
    expect(v1.promotion).toMatchObject({ promoted: true });
    await t.tact.learning.settled();
    const members = ((await get(t.app, '/v1/segments')).json() as Listed).segments.map((s) => s.members);
    expect(members[0]).toBe(6);
    expect((await t.tact.learning.ladderPosition(small, Date.now())).microSegment).not.toBeNull();
  });
});
