import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { freshPostgresDatabase } from '../../../test/postgres.js';
import type { DecisionRecord } from '../../decide/decision.js';
import type { OutcomeRecord } from '../../decide/records.js';
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

describe('PostgreSQL migration decide-008 (one success per decision\'s action)', () => {
  const success = (id: string, decisionId: string, action: string, at: number): OutcomeRecord => ({
    id, decisionId, action, at, profileKey: 'p1', type: 'conversion', value: 1, credit: 1, reward: 1, success: true, source: 'api',
  });
  const twoActions = (id: string, segment: string | null): DecisionRecord => {
    const d = record(id, 1_000, segment, null);
    return { ...d, microSegmentModel: null, choices: [...d.choices, { rank: 2, kind: 'action', action: 'b', score: 0.1, propensity: 1, why: '' }] };
  };

  it('keeps the earliest of successes stored twice, sets the others to 0, gives the snapshot back what it folded of them, and holds the rule after', async () => {
    const db = await freshPostgresDatabase();
    const store = await openPostgresStore({ connectionString: db.url, poolSize: 2 });
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    try {
      // The log as two processes could leave it before the rule: three successes of d1's `promo`.
      await pool.query(`DROP INDEX decision_outcomes_one_success; DELETE FROM schema_migrations WHERE id = 'decide-008'`);
      await store.decisions.appendDecision(twoActions('d1', 'vip'));
      await store.decisions.appendDecision(twoActions('d2', null));
      // o2 is stored after o1 but happened before it: the earliest is o2.
      await store.decisions.addOutcomes([success('o1', 'd1', 'promo', 1_010), success('o2', 'd1', 'promo', 1_005), success('o3', 'd1', 'promo', 1_020), success('o4', 'd2', 'promo', 1_010), success('o5', 'd2', 'b', 1_001)]);
      expect(await store.decisions.foldCounts()).toEqual({ decisions: 2, outcomes: 5 });
      await store.decisions.addOutcomes([success('o6', 'd2', 'promo', 1_030)]); // after the watermark
      expect(await migratePostgres(pool)).toEqual(["decide-008 one success per decision's action"]);
      const successes = async (d: string) => (await store.decisions.outcomesOf(d)).map((o) => [o.id, o.success]);
      expect(await successes('d1')).toEqual([['o2', true], ['o1', false], ['o3', false]]);
      expect(await successes('d2')).toEqual([['o5', true], ['o4', true], ['o6', false]]);
      const counts = async () => (await store.decisions.successCounts()).map((r) => [r.action, Number(r.n)]).sort();
      expect(await counts()).toEqual([['b', 1], ['promo', 2]]);
      expect((await store.decisions.groupCounts()).map((g) => [g.action, g.segment, g.trials, g.successes]).sort()).toEqual([['b', 'vip', 1, 0], ['promo', 'vip', 1, 1]]);
      await store.decisions.foldCounts();
      expect(await counts()).toEqual([['b', 1], ['promo', 2]]);
      const late = success('o7', 'd1', 'promo', 1_040);
      await store.decisions.addOutcomes([late]);
      expect(late.success).toBe(false);
      expect(await counts()).toEqual([['b', 1], ['promo', 2]]);
    } finally {
      await pool.end();
      await store.close();
      await db.drop();
    }
  });
});

describe('PostgreSQL migration decide-015 (when the counts\' snapshot rows last changed)', () => {
  const T = 1_700_000_000_000;
  const decision = (id: string, at: number, profileKey: string, actions: string[]): DecisionRecord => {
    const d = record(id, at, 'vip', null);
    return { ...d, profileKey, choices: actions.map((action, i) => ({ rank: i + 1, kind: 'action' as const, action, score: 1, propensity: 1, why: '' })) };
  };

  it('dates each snapshot row by its newest choice or success the log still holds (none: NULL), and a start reads the log after the watermark on top', async () => {
    const db = await freshPostgresDatabase();
    const store = await openPostgresStore({ connectionString: db.url, poolSize: 2 });
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    try {
      // The snapshot as it was before: folded without the column, one subject's rows since pruned from the log.
      await pool.query(`ALTER TABLE decision_counts DROP COLUMN changed_at; ALTER TABLE decision_group_counts DROP COLUMN changed_at; DELETE FROM schema_migrations WHERE id = 'decide-015'`);
      await store.decisions.appendDecision(decision('d0', T - 10_000, 'p2', ['c']));
      await store.decisions.appendDecision(decision('d1', T, 'p1', ['a']));
      await store.decisions.appendDecision(decision('d2', T + 100, 'p1', ['a', 'b']));
      await store.decisions.addOutcomes([{ id: 'o1', decisionId: 'd1', action: 'a', at: T + 500, profileKey: 'p1', type: 'conversion', value: 1, credit: 1, reward: 1, success: true, source: 'api' }]);
      await pool.query(`UPDATE decision_count_marks SET decisions_seq = (SELECT max(seq) FROM decisions), outcomes_seq = (SELECT max(seq) FROM decision_outcomes) WHERE id = 1;
        INSERT INTO decision_counts (action, profile_key, trials, successes) VALUES ('c', 'p2', 1, 0), ('a', 'p1', 2, 1), ('b', 'p1', 1, 0);
        INSERT INTO decision_group_counts (action, segment, micro_segment, micro_segment_model, trials, successes) VALUES ('c', 'vip', -1, '', 1, 0), ('a', 'vip', -1, '', 2, 1), ('b', 'vip', -1, '', 1, 0)`);
      expect(await store.decisions.prune(T - 1)).toEqual({ decisions: 1, outcomes: 0 });
      await store.decisions.appendDecision(decision('d3', T + 1_000, 'p1', ['b']));
      expect(await migratePostgres(pool)).toEqual(["decide-015 when the counts' snapshot rows last changed"]);
      const column = async (table: string) => (await pool.query(`SELECT action, changed_at::float8 AS at FROM ${table} ORDER BY 1`)).rows.map((r) => [r.action, r.at]);
      expect(await column('decision_counts')).toEqual([['a', T + 500], ['b', T + 100], ['c', null]]);
      expect(await column('decision_group_counts')).toEqual([['a', T + 500], ['b', T + 100], ['c', null]]);
      const dated = (rows: { action: string; at: number | null }[]) => rows.map((r) => [r.action, r.at]).sort();
      expect(dated(await store.decisions.trialCounts())).toEqual([['a', T + 500], ['b', T + 1_000], ['c', null]]);
      expect(dated(await store.decisions.groupCounts())).toEqual([['a', T + 500], ['b', T + 1_000], ['c', null]]);
      // Folded on: the snapshot takes the newer time, and a NULL gives way to one.
      await store.decisions.appendDecision(decision('d4', T + 2_000, 'p2', ['c']));
      await store.decisions.foldCounts();
      expect(await column('decision_counts')).toEqual([['a', T + 500], ['b', T + 1_000], ['c', T + 2_000]]);
      expect(await column('decision_group_counts')).toEqual([['a', T + 500], ['b', T + 1_000], ['c', T + 2_000]]);
    } finally {
      await pool.end();
      await store.close();
      await db.drop();
    }
  });
});

describe('PostgreSQL migration decide-016 (when an outcome was recorded)', () => {
  const T = 1_700_000_000_000;

  it('reads the outcomes stored before as recorded when they happened, and dates the counts by the recording time of those after', async () => {
    const db = await freshPostgresDatabase();
    const store = await openPostgresStore({ connectionString: db.url, poolSize: 2 });
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    try {
      // The table as it was before, with a success stored then.
      await pool.query(`ALTER TABLE decision_outcomes DROP COLUMN recorded_at; DELETE FROM schema_migrations WHERE id = 'decide-016'`);
      await store.decisions.appendDecision({ ...record('d1', T, 'vip', null), choices: [{ rank: 1, kind: 'action', action: 'a', score: 1, propensity: 1, why: '' }] });
      await store.decisions.appendDecision({ ...record('d2', T + 100, 'vip', null), choices: [{ rank: 1, kind: 'action', action: 'b', score: 1, propensity: 1, why: '' }] });
      await pool.query(`INSERT INTO decision_outcomes (id, decision_id, profile_key, action, type, value, credit, reward, success, source, at) VALUES ('o1', 'd1', 'p1', 'a', 'conversion', 1, 1, 1, 1, 'api', $1)`, [T + 500]);
      expect(await migratePostgres(pool)).toEqual(['decide-016 when an outcome was recorded']);
      const [old] = await store.decisions.outcomesOf('d1');
      expect(old).toMatchObject({ id: 'o1', at: T + 500, success: true });
      expect('recordedAt' in old).toBe(false);
      // A success that happened at T + 600, reported an hour on.
      const late: OutcomeRecord = { id: 'o2', decisionId: 'd2', action: 'b', at: T + 600, recordedAt: T + 3_600_000, profileKey: 'p1', type: 'conversion', value: 1, credit: 1, reward: 1, success: true, source: 'api' };
      await store.decisions.addOutcomes([late]);
      expect(await store.decisions.outcomesOf('d2')).toEqual([late]);
      const dated = (rows: { action: string; at: number | string | null }[]) => rows.map((r) => [r.action, r.at === null ? null : Number(r.at)]).sort();
      expect(dated(await store.decisions.successCounts())).toEqual([['a', T + 500], ['b', T + 3_600_000]]);
      expect(dated(await store.decisions.groupCounts())).toEqual([['a', T + 500], ['b', T + 3_600_000]]);
      // Folded into the snapshot: the same dates.
      await store.decisions.foldCounts();
      const column = async (table: string) => (await pool.query(`SELECT action, changed_at::float8 AS at FROM ${table} ORDER BY 1`)).rows.map((r) => [r.action, r.at]);
      expect(await column('decision_counts')).toEqual([['a', T + 500], ['b', T + 3_600_000]]);
      expect(await column('decision_group_counts')).toEqual([['a', T + 500], ['b', T + 3_600_000]]);
      expect(dated(await store.decisions.successCounts())).toEqual([['a', T + 500], ['b', T + 3_600_000]]);
    } finally {
      await pool.end();
      await store.close();
      await db.drop();
    }
  });
});
