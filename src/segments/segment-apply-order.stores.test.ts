import { describe, expect, it } from 'vitest';
import { openTwoStores, type StoreKind } from '../../test/harness.js';
import type { Store } from '../store/store.js';
import type { SegmentCount, SegmentTransition } from './segment-store.js';

const SEGMENTS = ['buyers', 'lapsed', 'vip'];
const SUBJECTS = Array.from({ length: 6 }, (_, i) => `s-${i}`);
const move = (segment: string, profileId: string, kind: 'entry' | 'exit'): SegmentTransition => ({ segment, profileId, kind, at: 1_764_000_000_000, seq: 1, version: 1, reason: 'event' });
const numbers = (c: SegmentCount[]) => c.map((x) => ({ segment: x.segment, members: Number(x.members), entries: Number(x.entries), exits: Number(x.exits) })).sort((a, b) => a.segment.localeCompare(b.segment));

/**
 * The reference: the SegmentStore contract (segment-store.ts) applied one batch after the other —
 * an entry of a non-member or an exit of a member is recorded, anything else changes nothing.
 */
class Reference {
  readonly members = new Map<string, Set<string>>(SEGMENTS.map((s) => [s, new Set()]));
  readonly recorded = new Map<string, { entries: number; exits: number }>(SEGMENTS.map((s) => [s, { entries: 0, exits: 0 }]));

  apply(ts: SegmentTransition[]): void {
    for (const t of ts) {
      const m = this.members.get(t.segment)!;
      if (t.kind === 'entry' ? m.has(t.profileId) : !m.has(t.profileId)) continue;
      if (t.kind === 'entry') m.add(t.profileId);
      else m.delete(t.profileId);
      this.recorded.get(t.segment)![t.kind === 'entry' ? 'entries' : 'exits'] += 1;
    }
  }

  counts(): SegmentCount[] {
    return SEGMENTS.map((segment) => ({ segment, members: this.members.get(segment)!.size, ...this.recorded.get(segment)! })).filter((c) => c.members || c.entries || c.exits);
  }
}

/** Every member of a segment, paged. */
async function allMembers(store: Store, segment: string): Promise<string[]> {
  const out: string[] = [];
  for (let page = await store.segments.members(segment, '', 4); page.length; page = await store.segments.members(segment, out[out.length - 1], 4)) out.push(...page.map((m) => m.profileId));
  return out;
}

/** Runs every write at once and answers the reasons of those that failed (none expected). */
async function failures(writes: Promise<unknown>[]): Promise<string[]> {
  return (await Promise.allSettled(writes)).flatMap((r) => (r.status === 'rejected' ? [`${(r.reason as { code?: string }).code ?? ''} ${String(r.reason)}`] : []));
}

describe.each<StoreKind>(['sqlite', 'postgres'])('segment membership batches written at once in opposite orders (%s)', (kind) => {
  it('all succeed, and the counts, members and events feed equal the batches applied one after the other', async () => {
    const { stores: [a, b], cleanup } = await openTwoStores(kind);
    try {
      const ref = new Reference();
      // Every subject in every segment, segment by segment; the other process names them backwards.
      const pairs = SEGMENTS.flatMap((s) => SUBJECTS.map((p) => [s, p] as const));
      const rounds = 15;
      const failed: string[] = [];
      for (let round = 0; round < rounds; round++) {
        const batch = pairs.map(([s, p]) => move(s, p, round % 2 ? 'exit' : 'entry'));
        const backwards = [...batch].reverse();
        failed.push(...(await failures([a.segments.apply(batch), b.segments.apply(backwards)])).map((f) => `round ${round}: ${f}`));
        // Both name the same changes: whichever comes first makes them, the other changes nothing.
        ref.apply(batch);
        ref.apply(backwards);
      }
      expect(failed).toEqual([]);
      // 8 entry rounds and 7 exit rounds of 6 subjects: 6 members, 48 entries and 42 exits a segment.
      expect(ref.counts()).toEqual(SEGMENTS.map((segment) => ({ segment, members: 6, entries: 48, exits: 42 })));
      expect(numbers(await a.segments.counts())).toEqual(ref.counts());
      expect(numbers(await b.segments.counts())).toEqual(ref.counts());
      for (const segment of SEGMENTS) {
        expect(await allMembers(b, segment)).toEqual([...ref.members.get(segment)!].sort());
        const feed = await a.segments.transitionsAfter(segment, 0, 1000);
        expect(feed.length).toBe(48 + 42);
        // Per subject the feed alternates entry, exit, entry…: nothing recorded twice, nothing lost.
        for (const p of SUBJECTS) expect(feed.filter((e) => e.profileId === p).map((e) => e.kind)).toEqual(Array.from({ length: rounds }, (_, i) => (i % 2 ? 'exit' : 'entry')));
      }
    } finally {
      await cleanup();
    }
  });

  it('all succeed while one process erases the subjects the other moves between segments', async () => {
    const { stores: [a, b], cleanup } = await openTwoStores(kind);
    try {
      const failed: string[] = [];
      for (let round = 0; round < 15; round++) {
        // The subject enters its segments one at a time, last to first (the order its rows are
        // stored in, which a plain DELETE of them follows); the exits then name them first to last.
        const p = `e-${round}`;
        for (const s of [...SEGMENTS].reverse()) await a.segments.apply([move(s, p, 'entry')]);
        const exits = SEGMENTS.map((s) => move(s, p, 'exit'));
        failed.push(...(await failures([a.segments.apply(exits), b.segments.eraseSubject(p)])).map((f) => `round ${round}: ${f}`));
      }
      expect(failed).toEqual([]);
      // Exits then erasure, or erasure then exits that change nothing: either way nothing of the
      // subjects remains but one exit of reason `erased` each, in every segment.
      expect(numbers(await a.segments.counts())).toEqual(SEGMENTS.map((segment) => ({ segment, members: 0, entries: 0, exits: 15 })));
      for (const segment of SEGMENTS) {
        const feed = await a.segments.transitionsAfter(segment, 0, 1000);
        expect(feed.map((e) => `${e.profileId} ${e.kind} ${e.reason}`).sort()).toEqual(Array.from({ length: 15 }, (_, r) => `e-${r} exit erased`).sort());
      }
    } finally {
      await cleanup();
    }
  });

  it('record a batch\'s entries and exits in the order the batch names them', async () => {
    const { stores: [a], cleanup } = await openTwoStores(kind);
    try {
      await a.segments.apply([move('vip', 's-2', 'entry'), move('buyers', 's-1', 'entry'), move('vip', 's-1', 'entry'), move('vip', 's-2', 'exit'), move('vip', 's-0', 'entry')]);
      expect((await a.segments.transitionsAfter('vip', 0, 10)).map((e) => `${e.profileId} ${e.kind}`)).toEqual(['s-2 entry', 's-1 entry', 's-2 exit', 's-0 entry']);
      expect(await allMembers(a, 'vip')).toEqual(['s-0', 's-1']);
    } finally {
      await cleanup();
    }
  });
});
