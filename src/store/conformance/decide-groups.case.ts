import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestStore, type StoreKind } from '../../../test/harness.js';
import type { DecisionRecord } from '../../decide/decision.js';
import type { Store } from '../store.js';

function record(id: string, at: number, action: string, pos: Partial<Pick<DecisionRecord, 'segment' | 'microSegment' | 'microSegmentModel'>>): DecisionRecord {
  return {
    id, at, profileKey: `p-${id}`, subject: id, placement: 'home', channel: 'web', context: {}, policyVersion: 1, catalogVersion: 1, modelVersion: 'm',
    arm: 'treatment', choices: [{ rank: 1, kind: 'action', action, score: 1, propensity: 1, why: '' }], scored: [], excluded: [], facts: {}, absentFacts: [], operator: '', customer: '', excludedByStage: {},
    ...pos,
  };
}

/** Trials and successes per ladder group (segment, micro-segment at decision time): the same on every store. */
export function decideGroupsConformance(kind: StoreKind): void {
  describe(`decision group counts (${kind})`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    beforeEach(async () => ({ store, cleanup } = await openTestStore(kind)));
    afterEach(async () => cleanup());

    it('counts trials and successes per action, segment and micro-segment, leaving out decisions with no position; contacts carry the position', async () => {
      const at = Date.now();
      await store.decisions.appendDecision(record('d1', at, 'shoes', { segment: 'vip', microSegment: 2, microSegmentModel: 'micro-segments@3' }));
      await store.decisions.appendDecision(record('d2', at + 1, 'shoes', { segment: 'vip', microSegment: 2, microSegmentModel: 'micro-segments@3' }));
      await store.decisions.appendDecision(record('d3', at + 2, 'shoes', { segment: null, microSegment: 0, microSegmentModel: 'micro-segments@3' }));
      await store.decisions.appendDecision(record('d4', at + 3, 'shoes', {}));
      const success = { at: at + 10, profileKey: 'p-d1', type: 'conversion', value: null, action: 'shoes', credit: 1, reward: 1, success: true, source: 'api' as const };
      await store.decisions.addOutcomes([{ ...success, id: 'o1', decisionId: 'd1' }, { ...success, id: 'o2', decisionId: 'd4' }, { ...success, id: 'o3', decisionId: 'd2', success: false }]);
      const rows = (await store.decisions.groupCounts()).sort((a, b) => String(a.segment).localeCompare(String(b.segment)));
      const contacts = await store.decisions.contactsSince(at);
      expect(contacts.map((c) => [c.decisionId, c.segment, c.microSegment, c.microSegmentModel])).toEqual([
        ['d1', 'vip', 2, 'micro-segments@3'], ['d2', 'vip', 2, 'micro-segments@3'], ['d3', null, 0, 'micro-segments@3'], ['d4', null, null, null],
      ]);
      expect(rows).toEqual([
        { action: 'shoes', segment: null, microSegment: 0, microSegmentModel: 'micro-segments@3', trials: 1, successes: 0 },
        { action: 'shoes', segment: 'vip', microSegment: 2, microSegmentModel: 'micro-segments@3', trials: 2, successes: 1 },
      ]);
    });
  });
}
