import { describe, expect, it } from 'vitest';
import type { SegmentTransition } from '../../segments/segment-store.js';
import { migrate } from './database.js';
import { openSqliteStore } from './sqlite-store.js';

const t = (profileId: string): SegmentTransition => ({ segment: 'vip', profileId, kind: 'entry', at: 1, seq: 1, version: 1, reason: 'event' });

describe('migration learn-004: segment event ids are never reused', () => {
  it('keeps the stored events and their ids, and numbers a new event after the largest even once the newest are erased', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    try {
      // The table as learn-001 made it (ids reused after a delete of the newest).
      store.db.exec(`DROP TABLE segment_events; DELETE FROM schema_migrations WHERE id = 'learn-004';
        CREATE TABLE segment_events (id INTEGER PRIMARY KEY, segment TEXT NOT NULL, profile_id TEXT NOT NULL, kind TEXT NOT NULL, at INTEGER NOT NULL, seq INTEGER NOT NULL, version INTEGER NOT NULL, reason TEXT NOT NULL);
        CREATE INDEX segment_events_segment ON segment_events(segment, id); CREATE INDEX segment_events_profile ON segment_events(profile_id);`);
      // The newest events deleted, as an erasure did before it recorded exits of reason `erased`.
      const dropNewest = () => store.db.exec('DELETE FROM segment_events WHERE id = (SELECT max(id) FROM segment_events)');
      await store.segments.apply([t('p1'), t('p2'), t('p3')]);
      dropNewest();
      expect(migrate(store.db)).toEqual(["learn-004 segment event ids are never reused (the events feed's cursor)"]);
      expect((await store.segments.transitionsAfter('vip', 0, 10)).map((x) => [x.id, x.profileId])).toEqual([[1, 'p1'], [2, 'p2']]);
      dropNewest();
      await store.segments.apply([t('p4')]);
      expect((await store.segments.transitionsAfter('vip', 1, 10)).map((x) => [x.id, x.profileId])).toEqual([[3, 'p4']]);
      // An erasure today: its exit of reason `erased` is numbered after every event, and so is the next one.
      await store.segments.eraseSubject('p1', 5);
      await store.segments.apply([t('p5')]);
      expect((await store.segments.transitionsAfter('vip', 3, 10)).map((x) => [x.id, x.profileId, x.reason])).toEqual([[4, 'p1', 'erased'], [5, 'p5', 'event']]);
    } finally {
      await store.close();
    }
  });
});
