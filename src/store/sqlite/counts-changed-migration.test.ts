import { describe, expect, it } from 'vitest';
import type { DecisionRecord } from '../../decide/decision.js';
import type { OutcomeRecord } from '../../decide/records.js';
import { migrate } from './database.js';
import { openSqliteStore } from './sqlite-store.js';

const T = 1_700_000_000_000;
const record = (id: string, at: number, profileKey: string, actions: string[]): DecisionRecord => ({
  id, at, profileKey, subject: profileKey, placement: 'home', channel: 'web', context: {}, policyVersion: 1, catalogVersion: 1, modelVersion: 'm', arm: 'treatment',
  choices: actions.map((action, i) => ({ rank: i + 1, kind: 'action' as const, action, score: 1, propensity: 1, why: '' })),
  scored: [], excluded: [], facts: {}, absentFacts: [], operator: '', customer: '', excludedByStage: {}, segment: 'vip', microSegment: null, microSegmentModel: null,
});
const success: OutcomeRecord = { id: 'o1', decisionId: 'd1', action: 'a', at: T + 500, profileKey: 'p1', type: 'conversion', value: 1, credit: 1, reward: 1, success: true, source: 'api' };

describe('migration decide-012: when the counts\' snapshot rows last changed', () => {
  it('dates each snapshot row by its newest choice or success the log still holds (none: NULL), and a start reads the log after the watermark on top', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    try {
      // The snapshot as it was before: folded without the column, one subject's rows since pruned from the log.
      store.db.exec(`ALTER TABLE decision_counts DROP COLUMN changed_at; ALTER TABLE decision_group_counts DROP COLUMN changed_at; DELETE FROM schema_migrations WHERE id = 'decide-012'`);
      await store.decisions.appendDecision(record('d0', T - 10_000, 'p2', ['c']));
      await store.decisions.appendDecision(record('d1', T, 'p1', ['a']));
      await store.decisions.appendDecision(record('d2', T + 100, 'p1', ['a', 'b']));
      await store.decisions.addOutcomes([success]);
      store.db.exec(`UPDATE decision_count_marks SET decisions_seq = (SELECT max(seq) FROM decisions), outcomes_seq = (SELECT max(seq) FROM decision_outcomes) WHERE id = 1;
        INSERT INTO decision_counts (action, profile_key, trials, successes) VALUES ('c', 'p2', 1, 0), ('a', 'p1', 2, 1), ('b', 'p1', 1, 0);
        INSERT INTO decision_group_counts (action, segment, micro_segment, micro_segment_model, trials, successes) VALUES ('c', 'vip', -1, '', 1, 0), ('a', 'vip', -1, '', 2, 1), ('b', 'vip', -1, '', 1, 0)`);
      expect(await store.decisions.prune(T - 1)).toEqual({ decisions: 1, outcomes: 0 });
      // One decision after the watermark.
      await store.decisions.appendDecision(record('d3', T + 1_000, 'p1', ['b']));
      expect(migrate(store.db)).toEqual(["decide-012 when the counts' snapshot rows last changed"]);
      expect(store.db.prepare('SELECT action, profile_key, changed_at FROM decision_counts ORDER BY 1').raw().all()).toEqual([['a', 'p1', T + 500], ['b', 'p1', T + 100], ['c', 'p2', null]]);
      expect(store.db.prepare('SELECT action, changed_at FROM decision_group_counts ORDER BY 1').raw().all()).toEqual([['a', T + 500], ['b', T + 100], ['c', null]]);
      const dated = (rows: { action: string; at: number | null }[]) => rows.map((r) => [r.action, r.at]).sort();
      expect(dated(await store.decisions.trialCounts())).toEqual([['a', T + 500], ['b', T + 1_000], ['c', null]]);
      expect(dated(await store.decisions.groupCounts())).toEqual([['a', T + 500], ['b', T + 1_000], ['c', null]]);
      // Folded on: the snapshot takes the newer time, and a NULL gives way to one.
      await store.decisions.appendDecision(record('d4', T + 2_000, 'p2', ['c']));
      await store.decisions.foldCounts();
      expect(store.db.prepare('SELECT action, changed_at FROM decision_counts ORDER BY 1').raw().all()).toEqual([['a', T + 500], ['b', T + 1_000], ['c', T + 2_000]]);
      expect(store.db.prepare('SELECT action, changed_at FROM decision_group_counts ORDER BY 1').raw().all()).toEqual([['a', T + 500], ['b', T + 1_000], ['c', T + 2_000]]);
    } finally {
      await store.close();
    }
  });
});
