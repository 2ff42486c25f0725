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
      await store.segments.apply([t('p1'), t('p2'), t('p3')]);
      await store.segments.eraseSubject('p3');
      expect(migrate(store.db)).toEqual(["learn-004 segment event ids are never reused (the events feed's cursor)"]);
      expect((await store.segments.transitionsAfter('vip', 0, 10)).map((x) => [x.id, x.profileId])).toEqual([[1, 'p1'], [2, 'p2']]);
      await store.segments.eraseSubject('p2');
      await store.segments.apply([t('p4')]);
      expect((await store.segments.transitionsAfter('vip', 1, 10)).map((x) => [x.id, x.profileId])).toEqual([[3, 'p4']]);
    } finally {
      await store.close();
    }
  });
});
