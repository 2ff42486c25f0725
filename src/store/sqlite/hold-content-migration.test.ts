import { describe, expect, it } from 'vitest';
import type { Hold } from '../../decide/records.js';
import { migrate } from './database.js';
import { openSqliteStore } from './sqlite-store.js';

const hold: Hold = { id: 'r-old', decisionId: 'd1', profileKey: 'p1', subject: 'ana', placement: 'home', action: 'loan', variant: 'std', queue: 'review', status: 'approved', createdAt: 1, decidedAt: 2, reviewer: 'kim', note: null, deliveredIn: null };

describe('migration decide-007: the content a review is of', () => {
  it('reads a review stored before it without a fingerprint, and stores and reads one after it', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    try {
      // The table as it was before the migration, with a review approved then.
      store.db.exec(`ALTER TABLE decision_holds DROP COLUMN content_hash; DELETE FROM schema_migrations WHERE id = 'decide-007'`);
      store.db.prepare(`INSERT INTO decision_holds (id, decision_id, profile_key, subject, placement, action, variant, queue, status, created_at, decided_at, reviewer) VALUES ('r-old', 'd1', 'p1', 'ana', 'home', 'loan', 'std', 'review', 'approved', 1, 2, 'kim')`).run();
      expect(migrate(store.db)).toEqual(['decide-007 the content a review is of']);
      expect(await store.decisions.getHold('r-old')).toEqual(hold);
      expect((await store.decisions.getHold('r-old'))).not.toHaveProperty('contentHash');
      // Opened after r-old, as the PostgreSQL case: a review of the same subject and action opened before would read as superseded by it.
      const pinned = { ...hold, id: 'r-new', createdAt: 3, contentHash: 'a'.repeat(64) };
      await store.decisions.putHold(pinned);
      expect(await store.decisions.getHold('r-new')).toEqual(pinned);
      expect((await store.decisions.liveHolds({ pending: 0, approved: 0, rejected: 0 })).find((h) => h.id === 'r-new')).toEqual(pinned);
      expect((await store.decisions.listHolds({ limit: 10 })).map((h) => h.contentHash ?? null).sort()).toEqual(['a'.repeat(64), null]);
    } finally {
      await store.close();
    }
  });
});
