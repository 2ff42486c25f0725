import { afterEach, describe, expect, it, vi } from 'vitest';
import { harness, openTestStore, type Harness } from '../../test/harness.js';
import { featuresKind } from '../profiles/features/features-kind.js';
import { ingest, track } from '../store/conformance/learn-helpers.js';
import type { Store } from '../store/store.js';

const HOUR = 3_600_000;
const SUBJECTS = 400;
/** Each subject's stored membership read this long: a sweep over SUBJECTS takes 4 s or more. */
const SLOW_MS = 10;
/** The grace the tests give (the server's is TRAINING_STOP_GRACE_MS), and what a stop may take beyond it. */
const GRACE_MS = 200;
const SLACK_MS = 1_000;
const features = [{ name: 'views', kind: 'count', event: 'Page Viewed' }];
const config = { features, segments: { audiences: [{ name: 'lapsed', when: 'features.views >= 1.0 && lastSeen < now - duration("1h")' }] } };

/** Makes the store's membership reads slow, counting them; `fast()` undoes it. */
function slowMemberships(store: Store) {
  const read = store.segments.membershipsOf.bind(store.segments);
  const counted = { reads: 0 };
  store.segments.membershipsOf = async (id: string) => {
    counted.reads++;
    await new Promise((r) => setTimeout(r, SLOW_MS));
    return read(id);
  };
  return { counted, fast: () => (store.segments.membershipsOf = read) };
}

const until = async (ok: () => boolean) => {
  while (!ok()) await new Promise((r) => setTimeout(r, 5));
};

/** Every stored fact of the segment agrees: its count is its members, one entry each, no exit. */
async function consistent(store: Store): Promise<number> {
  const members = await store.segments.members('lapsed', '', 10_000);
  const count = (await store.segments.counts()).find((c) => c.segment === 'lapsed');
  expect(count?.members ?? 0).toBe(members.length);
  const events = await store.segments.transitions('lapsed', 10_000);
  expect(events.filter((e) => e.kind === 'entry').length).toBe(members.length);
  expect(new Set(events.map((e) => e.profileId)).size).toBe(members.length);
  return members.length;
}

// Until 2026-12-06 a shutdown waited for a segment sweep with no bound: the sweep below held it 4 s
// and more (Learning.stop raced the trainings against its grace, then awaited the sweep whole).
describe('stopping the server while a segment sweep runs', () => {
  let h: Harness | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
    await cleanup?.();
    cleanup = undefined;
    vi.useRealTimers();
  });

  async function lapsedSubjects(store?: Store): Promise<Harness> {
    const T = Date.UTC(2026, 5, 1, 12);
    // The rule changes with time: the store's and the rules' clock is set (timers stay real).
    vi.useFakeTimers({ now: T, toFake: ['Date'] });
    const t = await harness('sqlite', { config, store });
    await ingest(t, Array.from({ length: SUBJECTS }, (_, u) => track(`u-${u}`, 'Page Viewed', {}, T - 30 * 60_000 + u)));
    expect(await t.store.segments.counts()).toEqual([]);
    // An hour later everyone has lapsed; only a sweep finds it.
    vi.setSystemTime(T + HOUR);
    return t;
  }

  it('stops the scheduled sweep within the grace, stores only whole subjects, and leaves it due for the next start, which completes it', async () => {
    const opened = await openTestStore('sqlite');
    cleanup = opened.cleanup;
    const t = (h = await lapsedSubjects(opened.store));
    const slow = slowMemberships(t.store);
    const logged: string[] = [];
    const log = (t.tact.learning as unknown as { log: (msg: string) => void }).log;
    (t.tact.learning as unknown as { log: (msg: string) => void }).log = (msg: string) => (logged.push(msg), log(msg));
    (t.tact.learning.schedule as unknown as { ctx: { log: (msg: string) => void } }).ctx.log = (msg: string) => void logged.push(msg);
    const run = t.tact.learning.schedule.tick();
    await until(() => slow.counted.reads >= 5);
    const t0 = performance.now();
    await t.tact.learning.stop(GRACE_MS);
    const took = performance.now() - t0;
    expect(took).toBeLessThan(GRACE_MS + SLACK_MS);
    await run;
    slow.fast();
    const reached = await consistent(t.store);
    expect(reached).toBeGreaterThan(0);
    expect(reached).toBeLessThan(SUBJECTS);
    expect(logged).toContain('scheduled segment sweep stopped by the shutdown; it runs again, due, at the next start');
    // Not recorded done nor failed, and its lease given back: the next start (any process) runs it at its first tick.
    const job = await t.store.documents.getJob('segments:sweep');
    expect(job?.progress.lastAt).toBeUndefined();
    expect(job?.progress.failedAt).toBeUndefined();
    await h.close();
    h = undefined;
    const next = (h = await harness('sqlite', { config, store: opened.store }));
    await next.tact.learning.schedule.tick();
    expect(await consistent(next.store)).toBe(SUBJECTS);
    expect((await next.store.documents.getJob('segments:sweep'))?.progress.lastAt).toBeDefined();
  });

  it('stops a sweep a change started (a feature\'s backfill over) within the grace; a later sweep completes the work', async () => {
    const t = (h = await lapsedSubjects());
    const slow = slowMemberships(t.store);
    const hash = t.tact.settings.get(featuresKind).find((f) => f.def.name === 'views')!.hash;
    t.tact.learning.afterBackfill('views', hash);
    await until(() => slow.counted.reads >= 5);
    const t0 = performance.now();
    await t.tact.learning.stop(GRACE_MS);
    expect(performance.now() - t0).toBeLessThan(GRACE_MS + SLACK_MS);
    slow.fast();
    const reached = await consistent(t.store);
    expect(reached).toBeLessThan(SUBJECTS);
    // A sweep asked for while stopped does nothing; once resumed (the next start), a sweep does it all.
    await expect(t.tact.learning.membership.sweep()).rejects.toThrow(/stopped by the server's shutdown after 0 subjects/);
    t.tact.learning.membership.resumeSweeps();
    const swept = await t.tact.learning.membership.sweep();
    expect(swept).toMatchObject({ subjects: SUBJECTS, entries: SUBJECTS - reached, exits: 0 });
    expect(await consistent(t.store)).toBe(SUBJECTS);
  });
});
