import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestStore, type StoreKind } from '../../../test/harness.js';
import type { DecisionRecord } from '../../decide/decision.js';
import type { OutcomeRecord } from '../../decide/records.js';
import type { Store } from '../store.js';

const T = Date.UTC(2026, 5, 1);

function record(id: string, at: number, placement = 'home', profileKey = `p-${id}`): DecisionRecord {
  return {
    id, at, profileKey, subject: profileKey, placement, channel: 'web', context: {}, policyVersion: 1, catalogVersion: 1, modelVersion: 'm',
    arm: 'treatment', experiment: { id: 'x', arm: 'a' }, choices: [{ rank: 1, kind: 'action', action: 'shoes', score: 1, propensity: 0.9, why: '' }],
    scored: [], excluded: [], facts: {}, absentFacts: [], operator: '', customer: '', excludedByStage: {},
  };
}

function outcome(id: string, at: number, profileKey: string, decisionId: string | null, reward = 1): OutcomeRecord {
  return { id, at, profileKey, type: 'conversion', value: 10, decisionId, action: decisionId ? 'shoes' : null, credit: decisionId ? 1 : 0, reward, success: false, source: 'api' };
}

/** Measurement's paged reads of the decision log: the same on every store. */
export function measureConformance(kind: StoreKind): void {
  describe(`measure reads (${kind})`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ store, cleanup } = await openTestStore(kind));
    });
    afterEach(async () => cleanup());

    it('pages one placement in (at, id) order without losing or repeating decisions that share a time', async () => {
      const ids = ['d5', 'd1', 'd3', 'd2', 'd4', 'd6'];
      const ats = [T + 2, T, T + 1, T + 1, T + 1, T + 3];
      for (let i = 0; i < ids.length; i++) await store.decisions.appendDecision(record(ids[i], ats[i]));
      await store.decisions.appendDecision(record('other', T + 1, 'email'));
      const seen: string[] = [];
      let after: { at: number; id: string } | undefined;
      for (;;) {
        const page = await store.measure.decisionsPage({ placement: 'home', after, limit: 2 });
        seen.push(...page.map((d) => d.id));
        if (page.length < 2) break;
        after = { at: page[1].at, id: page[1].id };
      }
      expect(seen).toEqual(['d1', 'd2', 'd3', 'd4', 'd5', 'd6']);
      const ranged: string[] = [];
      let cursor: { at: number; id: string } | undefined;
      for (let page = await store.measure.decisionsPage({ placement: 'home', from: T + 1, to: T + 3, limit: 1 }); page.length; page = await store.measure.decisionsPage({ placement: 'home', from: T + 1, to: T + 3, after: cursor, limit: 1 })) {
        ranged.push(page[0].id);
        cursor = { at: page[0].at, id: page[0].id };
      }
      expect(ranged).toEqual(['d2', 'd3', 'd4', 'd5']);
      expect((await store.measure.decisionsPage({ placement: 'home', from: T + 1, to: T + 2, limit: 10 })).map((d) => d.id)).toEqual(['d2', 'd3', 'd4']);
      expect((await store.measure.decisionsPage({ limit: 10 })).length).toBe(7);
      expect((await store.measure.decisionsPage({ limit: 1 }))[0].experiment).toEqual({ id: 'x', arm: 'a' });
    });

    it('pages every placement (the global holdout readout) in (at, id) order, with the arm kept', async () => {
      await store.decisions.appendDecision(record('b', T + 1, 'email'));
      await store.decisions.appendDecision(record('a', T + 1, 'home'));
      await store.decisions.appendDecision({ ...record('c', T + 1, 'home'), arm: 'holdout' });
      await store.decisions.appendDecision(record('z', T, 'push'));
      const seen: string[] = [];
      let after: { at: number; id: string } | undefined;
      for (;;) {
        const page = await store.measure.decisionsPage({ after, to: T + 2, limit: 1 });
        if (!page.length) break;
        seen.push(`${page[0].id}:${page[0].arm}`);
        after = { at: page[0].at, id: page[0].id };
      }
      expect(seen).toEqual(['z:treatment', 'a:treatment', 'b:treatment', 'c:holdout']);
    });

    it("reads subjects' outcomes from a time on, and the outcomes credited to decisions", async () => {
      await store.decisions.appendDecision(record('d1', T, 'home', 'ana'));
      await store.decisions.appendDecision(record('d2', T, 'home', 'bob'));
      await store.decisions.addOutcomes([outcome('o1', T - 5, 'ana', null, 3), outcome('o2', T + 5, 'ana', 'd1'), outcome('o3', T + 6, 'bob', 'd2', 2), outcome('o4', T + 7, 'cy', null)]);
      const subjects = await store.measure.outcomesOfSubjects(['ana', 'bob'], T - 10);
      expect(subjects.map((o) => o.id)).toEqual(['o1', 'o2', 'o3']);
      expect(subjects[0]).toMatchObject({ decisionId: null, reward: 3, value: 10 });
      expect((await store.measure.outcomesOfSubjects(['ana'], T)).map((o) => o.id)).toEqual(['o2']);
      const credited = await store.measure.outcomesOfDecisions(['d1', 'd2', 'nope']);
      expect(credited.map((o) => [o.id, o.decisionId, o.reward])).toEqual([['o2', 'd1', 1], ['o3', 'd2', 2]]);
      expect(await store.measure.outcomesOfDecisions([])).toEqual([]);
    });
  });
}
