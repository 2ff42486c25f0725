import { describe, expect, it } from 'vitest';
import type { DecisionRecord } from '../../decide/decision.js';
import type { OutcomeRecord } from '../../decide/records.js';
import { migrate } from './database.js';
import { openSqliteStore } from './sqlite-store.js';

const T = 1_700_000_000_000;
const record = (id: string, segment: string | null): DecisionRecord => ({
  id, at: T, profileKey: 'p1', subject: 'ana', placement: 'home', channel: 'web', context: {}, policyVersion: 1, catalogVersion: 1, modelVersion: 'm',
  arm: 'treatment', choices: [{ rank: 1, kind: 'action', action: 'a', score: 1, propensity: 1, why: '' }, { rank: 2, kind: 'action', action: 'b', score: 1, propensity: 1, why: '' }],
  scored: [], excluded: [], facts: {}, absentFacts: [], operator: '', customer: '', excludedByStage: {}, segment, microSegment: null, microSegmentModel: null,
});
const success = (id: string, decisionId: string, action: string, at: number): OutcomeRecord => ({
  id, decisionId, action, at, profileKey: 'p1', type: 'conversion', value: 1, credit: 1, reward: 1, success: true, source: 'api',
});

describe('migration decide-005: one success per decision\'s action', () => {
  it('keeps the earliest of successes stored twice, sets the others to 0, gives the snapshot back what it folded of them, and holds the rule after', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    try {
      // The log as two processes could leave it before the rule: three successes of d1's `a`.
      store.db.exec(`DROP INDEX decision_outcomes_one_success; DELETE FROM schema_migrations WHERE id = 'decide-005'`);
      await store.decisions.appendDecision(record('d1', 'vip'));
      await store.decisions.appendDecision(record('d2', null));
      // o2 is stored after o1 but happened before it: the earliest is o2.
      await store.decisions.addOutcomes([success('o1', 'd1', 'a', T + 10), success('o2', 'd1', 'a', T + 5), success('o3', 'd1', 'a', T + 20), success('o4', 'd2', 'a', T + 10), success('o5', 'd2', 'b', T + 1)]);
      expect(await store.decisions.foldCounts()).toEqual({ decisions: 2, outcomes: 5 });
      // One more after the watermark (not folded yet).
      await store.decisions.addOutcomes([success('o6', 'd2', 'a', T + 30)]);
      expect(migrate(store.db)).toEqual(["decide-005 one success per decision's action"]);
      const successes = async (d: string) => (await store.decisions.outcomesOf(d)).map((o) => [o.id, o.success]);
      expect(await successes('d1')).toEqual([['o2', true], ['o1', false], ['o3', false]]);
      expect(await successes('d2')).toEqual([['o5', true], ['o4', true], ['o6', false]]);
      const counts = async () => (await store.decisions.successCounts()).map((r) => [r.action, Number(r.n)]).sort();
      expect(await counts()).toEqual([['a', 2], ['b', 1]]);
      expect((await store.decisions.groupCounts()).map((g) => [g.action, g.segment, g.trials, g.successes]).sort()).toEqual([['a', 'vip', 1, 1], ['b', 'vip', 1, 0]]);
      await store.decisions.foldCounts();
      expect(await counts()).toEqual([['a', 2], ['b', 1]]);
      // From now on the store holds the rule.
      const late = success('o7', 'd1', 'a', T + 40);
      await store.decisions.addOutcomes([late]);
      expect(late.success).toBe(false);
      expect(await counts()).toEqual([['a', 2], ['b', 1]]);
    } finally {
      await store.close();
    }
  });
});
