import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { freshPostgresDatabase } from '../../../test/postgres.js';
import type { DecisionRecord } from '../../decide/decision.js';
import { migratePostgres } from './database.js';
import { openPostgresStore } from './postgres-store.js';

const record = (id: string, at: number, segment: string | null, microSegment: number | null): DecisionRecord => ({
  id, at, profileKey: 'p1', subject: 'ana', placement: 'home', channel: 'web', context: {}, policyVersion: 1, catalogVersion: 1, modelVersion: 'm',
  arm: 'treatment', choices: [{ rank: 1, kind: 'action', action: 'promo', score: 0.1, propensity: 1, why: '' }], scored: [], excluded: [], facts: {}, absentFacts: [], operator: '', customer: '', excludedByStage: {},
  segment, microSegment, microSegmentModel: microSegment === null ? null : 'micro-segments@2',
});

describe('PostgreSQL migration decide-004 (ladder group columns)', () => {
  it('fills the columns of decisions logged before it from their bodies, and the counts and contacts read them', async () => {
    const db = await freshPostgresDatabase();
    const store = await openPostgresStore({ connectionString: db.url, poolSize: 2 });
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    try {
      // The table as it was before the migration, with two decisions logged then.
      await pool.query(`ALTER TABLE decisions DROP COLUMN segment, DROP COLUMN micro_segment, DROP COLUMN micro_segment_model; DELETE FROM schema_migrations WHERE id = 'decide-004'`);
      for (const d of [record('d-old-1', 1_000, 'vip', 3), record('d-old-2', 2_000, null, null)]) {
        await pool.query('INSERT INTO decisions (id, profile_key, placement, at, body) VALUES ($1, $2, $3, $4, $5)', [d.id, d.profileKey, d.placement, d.at, JSON.stringify(d)]);
        await pool.query(`INSERT INTO decision_choices (decision_id, rank, kind, action, channel, placement, profile_key, at) VALUES ($1, 1, 'action', 'promo', 'web', 'home', 'p1', $2)`, [d.id, d.at]);
      }
      expect(await migratePostgres(pool)).toEqual(['decide-004 ladder group columns']);
      await store.decisions.appendDecision(record('d-new', 3_000, 'vip', 3));
      const rows = (await pool.query('SELECT id, segment, micro_segment, micro_segment_model FROM decisions ORDER BY at')).rows;
      expect(rows).toEqual([
        { id: 'd-old-1', segment: 'vip', micro_segment: 3, micro_segment_model: 'micro-segments@2' },
        { id: 'd-old-2', segment: null, micro_segment: null, micro_segment_model: null },
        { id: 'd-new', segment: 'vip', micro_segment: 3, micro_segment_model: 'micro-segments@2' },
      ]);
      expect((await store.decisions.groupCounts()).map((g) => [g.action, g.segment, g.microSegment, Number(g.trials)])).toEqual([['promo', 'vip', 3, 2]]);
      expect((await store.decisions.contactsSince(0)).map((c) => [c.decisionId, c.segment, c.microSegment])).toEqual([['d-old-1', 'vip', 3], ['d-old-2', null, null], ['d-new', 'vip', 3]]);
    } finally {
      await pool.end();
      await store.close();
      await db.drop();
    }
  });
});

describe('PostgreSQL migration decide-007 (channel volumes in the snapshot)', () => {
  it('fills the volumes of what the watermark already covers, so a store folded before it reads the same volumes as its log', async () => {
    const db = await freshPostgresDatabase();
    const store = await openPostgresStore({ connectionString: db.url, poolSize: 2 });
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    const m = 29_000_000;
    try {
      await pool.query(`DROP TABLE decision_volumes; DELETE FROM schema_migrations WHERE id = 'decide-007'`);
      // Three decisions over two minutes, the first two folded before the migration.
      for (const [i, minute] of [m, m, m + 1].entries()) await store.decisions.appendDecision(record(`d${i}`, minute * 60_000 + i * 1_000, null, null));
      await pool.query('UPDATE decision_count_marks SET decisions_seq = (SELECT min(seq) + 1 FROM decisions) WHERE id = 1');
      expect(await migratePostgres(pool)).toEqual(["decide-007 channel volumes per minute in the counts' snapshot"]);
      expect((await pool.query('SELECT (minute - $1)::int AS minute, channel, action, n::int AS n FROM decision_volumes', [m])).rows).toEqual([{ minute: 0, channel: 'web', action: 'promo', n: 2 }]);
      const volumes = (await store.decisions.contactVolumes(m * 60_000, (m + 2) * 60_000)).map((v) => [Number(v.minute) - m, v.channel, v.action, Number(v.n)]);
      expect(volumes.sort()).toEqual([[0, 'web', 'promo', 2], [1, 'web', 'promo', 1]]);
    } finally {
      await pool.end();
      await store.close();
      await db.drop();
    }
  });
});
