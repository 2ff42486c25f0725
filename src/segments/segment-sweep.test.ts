import { afterEach, describe, expect, it, vi } from 'vitest';
import { harness, type Harness } from '../../test/harness.js';
import { ingest, track } from '../store/conformance/learn-helpers.js';

const HOUR = 3_600_000;
const config = { segments: { audiences: [{ name: 'lapsed', when: 'lastSeen < now - duration("1h")' }] } };

describe('the segment sweep', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
    vi.useRealTimers();
  });

  it('does not undo an event that arrives while it runs: a subject active again is not entered as lapsed', async () => {
    // The rule changes with time: the store's and the rules' clock is set.
    const T = Date.UTC(2026, 5, 1, 12);
    vi.useFakeTimers({ now: T, toFake: ['Date'] });
    const t = (h = await harness('sqlite', { config }));
    await ingest(t, [track('u-a', 'Page Viewed', {}, T - 30 * 60_000), track('u-b', 'Page Viewed', {}, T - 30 * 60_000 + 1)]);
    const idOf = async (userId: string) => (await t.store.profiles.findProfileId('userId', userId)) as string;
    const [a, b] = [await idOf('u-a'), await idOf('u-b')];
    expect(await t.store.segments.counts()).toEqual([]);
    // An hour later both have lapsed; while the sweep reads b (after a, in log order), a comes back.
    vi.setSystemTime(T + HOUR);
    const getProfile = t.store.profiles.getProfile.bind(t.store.profiles);
    let returned = false;
    t.store.profiles.getProfile = async (id: string) => {
      if (id === b && !returned) {
        returned = true;
        await ingest(t, [track('u-a', 'Product Viewed', {}, T + HOUR - 1000)]);
      }
      return getProfile(id);
    };
    const swept = await t.tact.learning.membership.sweep();
    expect(returned).toBe(true);
    expect(swept.subjects).toBe(2);
    const members = (await t.store.segments.members('lapsed', '', 10)).map((m) => m.profileId);
    // b lapsed; a was seen a second ago, and its event's evaluation stands.
    expect(members).toEqual([b]);
    expect(members).not.toContain(a);
  });

  it('does not undo an event of the very subject it is evaluating: the profile the sweep read is older than the event', async () => {
    const T = Date.UTC(2026, 5, 1, 12);
    vi.useFakeTimers({ now: T, toFake: ['Date'] });
    const t = (h = await harness('sqlite', { config }));
    await ingest(t, [track('u-a', 'Page Viewed', {}, T - 30 * 60_000)]);
    const a = (await t.store.profiles.findProfileId('userId', 'u-a')) as string;
    vi.setSystemTime(T + HOUR);
    // The sweep has read a (lapsed an hour ago) and is evaluating it when a comes back: the event's
    // evaluation finds a outside the segment and changes nothing.
    const membershipsOf = t.store.segments.membershipsOf.bind(t.store.segments);
    let returned = false;
    t.store.segments.membershipsOf = async (id: string) => {
      if (id === a && !returned) {
        returned = true;
        await ingest(t, [track('u-a', 'Product Viewed', {}, T + HOUR - 1000)]);
      }
      return membershipsOf(id);
    };
    await t.tact.learning.membership.sweep();
    expect(returned).toBe(true);
    expect(await t.store.segments.members('lapsed', '', 10)).toEqual([]);
    expect(await t.store.segments.counts()).toEqual([]);
  });
});
