import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTwoStores, type StoreKind } from '../../../test/harness.js';
import type { RecordedTransition, SegmentTransition } from '../../segments/segment-store.js';
import type { Store } from '../store.js';

const t = (profileId: string, kind: 'entry' | 'exit'): SegmentTransition => ({ segment: 'vip', profileId, kind, at: 1, seq: 1, version: 1, reason: 'event' });

/** Reads the feed from `after` to its end, `limit` at a time; answers the events and the last id. */
async function drain(store: Store, after: number, limit: number): Promise<{ events: RecordedTransition[]; after: number }> {
  const events: RecordedTransition[] = [];
  for (let page = await store.segments.transitionsAfter('vip', after, limit); page.length; page = await store.segments.transitionsAfter('vip', after, limit)) {
    events.push(...page);
    after = page[page.length - 1].id;
  }
  return { events, after };
}

/**
 * The segment events feed (GET /v1/segments/{name}/events?after=): a poller that keeps the last id
 * it read sees every entry and exit once, on every store, whatever the writers do meanwhile.
 */
export function segmentEventCases(kind: StoreKind): void {
  describe(`segment events feed (${kind})`, () => {
    let stores: [Store, Store];
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ stores, cleanup } = await openTwoStores(kind));
    });
    afterEach(async () => cleanup());

    it('hands a poller with a small limit every entry and exit exactly once, in commit order, while two processes add them', async () => {
      const [a, b] = stores;
      let writing = true;
      // Each writer enters and then exits its own subjects: many small transactions at once.
      const writer = (store: Store, name: string) => Promise.all(Array.from({ length: 4 }, async (_, w) => {
        for (let i = 0; i < 10; i++) {
          const p = `${name}-${w}-${i}`;
          await store.segments.apply([t(p, 'entry'), t(`${p}-b`, 'entry')]);
          await store.segments.apply([t(p, 'exit')]);
        }
      }));
      const writers = Promise.all([writer(a, 'a'), writer(b, 'b')]).finally(() => { writing = false; });
      const read: RecordedTransition[] = [];
      let after = 0;
      while (writing) {
        const page = await drain(a, after, 3);
        read.push(...page.events);
        after = page.after;
        await new Promise((r) => setImmediate(r));
      }
      await writers;
      read.push(...(await drain(a, after, 3)).events);

      const all = await a.segments.transitions('vip', 1000);
      expect(all).toHaveLength(2 * 4 * 10 * 3);
      expect(read.map((x) => x.id)).toEqual(all.map((x) => x.id).reverse());
      // An exit is read after the entry it ends.
      const seen = new Set<string>();
      for (const x of read) {
        if (x.kind === 'exit') expect(seen.has(x.profileId)).toBe(true);
        seen.add(x.profileId);
      }
    });

    it('keeps the counts exact while two processes enter and exit the same subjects at once: members = entries − exits, each subject entries and exits in turn', async () => {
      const [a, b] = stores;
      const subjects = Array.from({ length: 8 }, (_, i) => `s-${i}`);
      // Both processes apply the same flips (as a sweep and the log consumer evaluating one subject
      // would): each change is recorded by one of them only.
      const flips = (store: Store) => Promise.all(subjects.map(async (p) => {
        for (let i = 0; i < 6; i++) await store.segments.apply([t(p, i % 2 ? 'exit' : 'entry')]);
      }));
      await Promise.all([flips(a), flips(b), flips(a)]);
      const [count] = await b.segments.counts();
      const members = await a.segments.members('vip', '', 100);
      expect(Number(count.members)).toBe(members.length);
      expect(Number(count.entries) - Number(count.exits)).toBe(members.length);
      const events = (await a.segments.transitions('vip', 10_000)).reverse();
      expect(events.length).toBe(Number(count.entries) + Number(count.exits));
      for (const p of subjects) {
        const kinds = events.filter((x) => x.profileId === p).map((x) => x.kind);
        kinds.forEach((k, i) => expect(k, `${p}: ${kinds.join(',')}`).toBe(i % 2 ? 'exit' : 'entry'));
        expect(members.some((m) => m.profileId === p)).toBe(kinds.length % 2 === 1);
      }
    });

    it('gives an event recorded after the newest ones were erased an id larger than theirs', async () => {
      const [a] = stores;
      await a.segments.apply([t('p1', 'entry'), t('p2', 'entry')]);
      const { after } = await drain(a, 0, 10);
      await a.segments.eraseSubject('p2');
      await a.segments.apply([t('p3', 'entry')]);
      // The erasure records p2's exit (reason `erased`: a poller drops them), then p3's entry: both after what was read.
      expect((await drain(a, after, 10)).events.map((x) => `${x.profileId} ${x.kind} ${x.reason}`)).toEqual(['p2 exit erased', 'p3 entry event']);
    });

    it('numbers the newest-first answer with the same ids, so its newest id is where a poller starts', async () => {
      const [a] = stores;
      await a.segments.apply([t('p1', 'entry'), t('p2', 'entry'), t('p1', 'exit')]);
      const newest = await a.segments.transitions('vip', 2);
      expect(newest.map((x) => [x.profileId, x.kind])).toEqual([['p1', 'exit'], ['p2', 'entry']]);
      expect(await a.segments.transitionsAfter('vip', newest[1].id, 10)).toEqual([newest[0]]);
      await a.segments.apply([t('p3', 'entry')]);
      expect((await a.segments.transitionsAfter('vip', newest[0].id, 10)).map((x) => x.profileId)).toEqual(['p3']);
      expect(await a.segments.transitionsAfter('other', 0, 10)).toEqual([]);
    });
  });
}
