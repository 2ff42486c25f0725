import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { freshPostgresDatabase } from '../../../test/postgres.js';
import type { DecisionRecord } from '../../decide/decision.js';
import { openPostgresStore } from './postgres-store.js';

const record = (id: string, at: number): DecisionRecord => ({
  id, at, profileKey: 'p1', subject: 'ana', placement: 'home', channel: 'web', context: {}, policyVersion: 1, catalogVersion: 1, modelVersion: 'm',
  arm: 'treatment', choices: [{ rank: 1, kind: 'action', action: 'promo', score: 0.1, propensity: 1, why: '' }], scored: [], excluded: [], facts: {}, absentFacts: [], operator: '', customer: '', excludedByStage: {},
});

describe('PostgreSQL decision counts snapshot', () => {
  it('folds a decision whose lower seq commits after a higher one: the fold waits for it', async () => {
    const db = await freshPostgresDatabase();
    const store = await openPostgresStore({ connectionString: db.url, poolSize: 4 });
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    const open = await pool.connect();
    try {
      // Another process's decision: numbered first, committed last.
      await open.query('BEGIN');
      await open.query(`INSERT INTO decisions (id, profile_key, placement, at, body) VALUES ('late', 'p1', 'home', 1000, '{}')`);
      await open.query(`INSERT INTO decision_choices (decision_id, rank, kind, action, channel, placement, profile_key, at) VALUES ('late', 1, 'action', 'promo', 'web', 'home', 'p1', 1000)`);
      await store.decisions.appendDecision(record('early', 2_000));
      let folded = false;
      const fold = store.decisions.foldCounts().then((r) => ((folded = true), r));
      await new Promise((r) => setTimeout(r, 300));
      expect(folded).toBe(false); // waiting for the open transaction, not folding past it
      await open.query('COMMIT');
      expect(await fold).toEqual({ decisions: 2, outcomes: 0 });
      expect(await store.decisions.countMarks()).toEqual({ decisions: 2, outcomes: 0 });
      expect((await store.decisions.trialCounts()).map((r) => [r.action, r.profileKey, Number(r.n)])).toEqual([['promo', 'p1', 2]]);
      const snap = (await open.query('SELECT action, profile_key, trials::int FROM decision_counts')).rows;
      expect(snap).toEqual([{ action: 'promo', profile_key: 'p1', trials: 2 }]);
    } finally {
      open.release();
      await pool.end();
      await store.close();
      await db.drop();
    }
  });
});
