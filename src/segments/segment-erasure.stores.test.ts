import { describe, expect, it } from 'vitest';
import { openTwoStores, type StoreKind } from '../../test/harness.js';
import type { Store } from '../store/store.js';
import type { RecordedTransition, SegmentCount, SegmentTransition } from './segment-store.js';

const at = 1_764_000_000_000;
const move = (segment: string, profileId: string, kind: 'entry' | 'exit', version = 3): SegmentTransition => ({ segment, profileId, kind, at, seq: 41, version, reason: 'event' });
const numbers = (c: SegmentCount[]) => c.map((x) => ({ segment: x.segment, members: Number(x.members), entries: Number(x.entries), exits: Number(x.exits) })).sort((a, b) => a.segment.localeCompare(b.segment));
const brief = (e: RecordedTransition) => `${e.profileId} ${e.kind} ${e.reason}`;

/** A poller's feed of one segment after its cursor, oldest first (GET /v1/segments/{name}/events?after=). */
const feed = (store: Store, segment: string, after: number) => store.segments.transitionsAfter(segment, after, 1000);
const newest = async (store: Store, segment: string) => (await store.segments.transitions(segment, 1))[0]?.id ?? 0;

/**
 * Erasing a subject (SegmentStore.eraseSubject) must reach the audiences synced from the segment
 * events feed: a poller that knows the subject as a member gets its exit (reason `erased`), while
 * the subject's history of entries and exits is gone.
 */
describe.each<StoreKind>(['sqlite', 'postgres'])('erasing a subject from the segments (%s)', (kind) => {
  it('hands a poller one exit of reason `erased` per segment the subject was in, and keeps none of its entries', async () => {
    const { stores: [a, b], cleanup } = await openTwoStores(kind);
    try {
      await a.segments.apply([move('vip', 'p1', 'entry'), move('buyers', 'p1', 'entry'), move('vip', 'p2', 'entry')]);
      const cursor = { vip: await newest(a, 'vip'), buyers: await newest(a, 'buyers') };
      await b.segments.eraseSubject('p1', at + 5);
      const vip = await feed(a, 'vip', cursor.vip);
      expect(vip.map(brief)).toEqual(['p1 exit erased']);
      // Only what a sync needs: the profile id it knows; the time is the erasure's, no event caused it.
      expect(vip[0]).toMatchObject({ segment: 'vip', profileId: 'p1', kind: 'exit', at: at + 5, seq: 0, version: 3 });
      expect((await feed(a, 'buyers', cursor.buyers)).map(brief)).toEqual(['p1 exit erased']);
      // The subject's history is gone: from the first event, only the erasure's exit names it.
      expect((await feed(a, 'vip', 0)).map(brief)).toEqual(['p2 entry event', 'p1 exit erased']);
      expect(await a.segments.membershipsOf('p1')).toEqual([]);
      expect(numbers(await b.segments.counts())).toEqual([
        { segment: 'buyers', members: 0, entries: 0, exits: 1 },
        { segment: 'vip', members: 1, entries: 1, exits: 1 },
      ]);
    } finally {
      await cleanup();
    }
  });

  it('still tells a poller that read the entry but not yet the exit of a subject who left', async () => {
    const { stores: [a], cleanup } = await openTwoStores(kind);
    try {
      await a.segments.apply([move('vip', 'p1', 'entry')]);
      const cursor = await newest(a, 'vip');
      await a.segments.apply([move('vip', 'p1', 'exit')]);
      await a.segments.eraseSubject('p1', at + 5);
      // Its own exit is erased with the rest of its history; the poller still removes it.
      expect((await feed(a, 'vip', cursor)).map(brief)).toEqual(['p1 exit erased']);
    } finally {
      await cleanup();
    }
  });

  it('records nothing more when erased again, nor for a subject in no segment', async () => {
    const { stores: [a, b], cleanup } = await openTwoStores(kind);
    try {
      await a.segments.apply([move('vip', 'p1', 'entry')]);
      await a.segments.eraseSubject('p1', at + 5);
      const cursor = await newest(a, 'vip');
      await b.segments.eraseSubject('p1', at + 9);
      await b.segments.eraseSubject('nobody', at + 9);
      expect(await feed(a, 'vip', cursor)).toEqual([]);
      expect(numbers(await a.segments.counts())).toEqual([{ segment: 'vip', members: 0, entries: 0, exits: 1 }]);
    } finally {
      await cleanup();
    }
  });
});
