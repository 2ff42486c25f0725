import { describe, expect, it } from 'vitest';
import type { DecisionRecord } from '../../decide/decision.js';
import type { OutcomeRecord } from '../../decide/records.js';
import { migrate } from './database.js';
import { openSqliteStore } from './sqlite-store.js';

const T = 1_700_000_000_000;
const record = (id: string, at: number, action: string): DecisionRecord => ({
  id, at, profileKey: 'p1', subject: 'p1', placement: 'home', channel: 'web', context: {}, policyVersion: 1, catalogVersion: 1, modelVersion: 'm', arm: 'treatment',
  choices: [{ rank: 1, kind: 'action', action, score: 1, propensity: 1, why: '' }],
  scored: [], excluded: [], facts: {}, absentFacts: [], operator: '', customer: '', excludedByStage: {}, segment: 'vip', microSegment: null, microSegmentModel: null,
});

describe('migration decide-013: when an outcome was recorded', () => {
  it('reads the outcomes stored before as recorded when they happened, and dates the counts by the recording time of those after', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    try {
      // The table as it was before, with a success stored then.
      store.db.exec(`ALTER TABLE decision_outcomes DROP COLUMN recorded_at; DELETE FROM schema_migrations WHERE id = 'decide-013'`);
      await store.decisions.appendDecision(record('d1', T, 'a'));
      await store.decisions.appendDecision(record('d2', T + 100, 'b'));
      store.db.prepare(`INSERT INTO decision_outcomes (id, decision_id, profile_key, action, type, value, credit, reward, success, source, at) VALUES ('o1', 'd1', 'p1', 'a', 'conversion', 1, 1, 1, 1, 'api', ?)`).run(T + 500);
      expect(migrate(store.db)).toEqual(['decide-013 when an outcome was recorded']);
      const [old] = await store.decisions.outcomesOf('d1');
      expect(old).toMatchObject({ id: 'o1', at: T + 500, success: true });
      expect('recordedAt' in old).toBe(false);
      // A success that happened at T + 600, reported an hour on.
      const late: OutcomeRecord = { id: 'o2', decisionId: 'd2', action: 'b', at: T + 600, recordedAt: T + 3_600_000, profileKey: 'p1', type: 'conversion', value: 1, credit: 1, reward: 1, success: true, source: 'api' };
      await store.decisions.addOutcomes([late]);
      expect(await store.decisions.outcomesOf('d2')).toEqual([late]);
      const dated = (rows: { action: string; at: number | null }[]) => rows.map((r) => [r.action, r.at]).sort();
      expect(dated(await store.decisions.successCounts())).toEqual([['a', T + 500], ['b', T + 3_600_000]]);
      expect(dated(await store.decisions.groupCounts())).toEqual([['a', T + 500], ['b', T + 3_600_000]]);
      // Folded into the snapshot: the same dates.
      await store.decisions.foldCounts();
      expect(store.db.prepare('SELECT action, changed_at FROM decision_counts ORDER BY 1').raw().all()).toEqual([['a', T + 500], ['b', T + 3_600_000]]);
      expect(store.db.prepare('SELECT action, changed_at FROM decision_group_counts ORDER BY 1').raw().all()).toEqual([['a', T + 500], ['b', T + 3_600_000]]);
      expect(dated(await store.decisions.successCounts())).toEqual([['a', T + 500], ['b', T + 3_600_000]]);
    } finally {
      await store.close();
    }
  });
});
