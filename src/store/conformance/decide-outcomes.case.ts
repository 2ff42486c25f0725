import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestStore, openTwoStores, type StoreKind } from '../../../test/harness.js';
import type { DecisionRecord } from '../../decide/decision.js';
import type { OutcomePosition } from '../../decide/decision-store.js';
import type { OutcomeRecord } from '../../decide/records.js';
import type { Store } from '../store.js';

const T = 1_700_000_000_000;

function record(id: string, actions: string[]): DecisionRecord {
  return {
    id, at: T, profileKey: 'p1', subject: 'ana', placement: 'home', channel: 'web', context: {}, policyVersion: 1, catalogVersion: 1, modelVersion: 'm',
    arm: 'treatment', choices: actions.map((action, i) => ({ rank: i + 1, kind: 'action' as const, action, score: 1, propensity: 1, why: '' })),
    scored: [], excluded: [], facts: {}, absentFacts: [], operator: '', customer: '', excludedByStage: {},
  };
}

const success = (id: string, decisionId: string, action: string, at = T + 10): OutcomeRecord => ({
  id, decisionId, action, at, profileKey: 'p1', type: 'conversion', value: 5, credit: 1, reward: 5, success: true, source: 'api',
});

const stored = async (store: Store, decisionId: string) => (await store.decisions.outcomesOf(decisionId)).map((o) => [o.id, o.action, o.success]);
const counts = async (store: Store) => (await store.decisions.successCounts()).map((r) => [r.action, r.profileKey, Number(r.n)]).sort();

/**
 * A decision's action has one success, held by the store itself (a unique index on its successes):
 * a second success of it — from this process or another sharing the database — is stored as
 * not-a-success, and `addOutcomes` says so on the record it was given.
 */
export function decideOutcomesConformance(kind: StoreKind): void {
  describe(`one success per decision's action (${kind})`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    beforeEach(async () => ({ store, cleanup } = await openTestStore(kind)));
    afterEach(async () => cleanup());

    it('stores a later success of a decision\'s action as not-a-success and marks its record so; another action\'s is its own; a duplicate is left as stored', async () => {
      await store.decisions.appendDecision(record('d1', ['a', 'b']));
      const first = success('o1', 'd1', 'a');
      await store.decisions.addOutcomes([first]);
      expect(first.success).toBe(true);
      // Any characters in an id (a client's messageId).
      const odd = 'o4 "é"\t\n\\';
      const later = [success('o2', 'd1', 'a', T + 20), success('o3', 'd1', 'b', T + 21), success(odd, 'd1', 'a', T + 22), { ...first }];
      await store.decisions.addOutcomes(later);
      expect(later.map((o) => [o.id, o.success])).toEqual([['o2', false], ['o3', true], [odd, false], ['o1', true]]);
      expect(await stored(store, 'd1')).toEqual([['o1', 'a', true], ['o2', 'a', false], ['o3', 'b', true], [odd, 'a', false]]);
      expect(await counts(store)).toEqual([['a', 'p1', 1], ['b', 'p1', 1]]);
      await store.decisions.foldCounts();
      expect(await counts(store)).toEqual([['a', 'p1', 1], ['b', 'p1', 1]]);
    });

    it('stores one outcome credited to several actions of one decision (even attribution) as a row each; a retry of it, or of an outcome without an action, adds nothing', async () => {
      await store.decisions.appendDecision(record('d2', ['shoes', 'socks']));
      const half = (action: string): OutcomeRecord => ({ ...success('buy-1', 'd2', action), credit: 0.5, reward: 2.5 });
      const rows = [half('shoes'), half('socks')];
      await store.decisions.addOutcomes(rows);
      expect(rows.map((o) => o.success)).toEqual([true, true]);
      // Retried (the same message again): nothing more is stored.
      await store.decisions.addOutcomes([half('shoes'), half('socks')]);
      // An outcome of a decision that chose no action (action null), sent twice.
      await store.decisions.appendDecision(record('d3', []));
      const seen: OutcomeRecord = { ...success('seen-1', 'd3', ''), action: null, type: 'impression', success: false, credit: 1, reward: 0 };
      await store.decisions.addOutcomes([seen]);
      await store.decisions.addOutcomes([{ ...seen }]);
      expect(await stored(store, 'd2')).toEqual([['buy-1', 'shoes', true], ['buy-1', 'socks', true]]);
      expect((await store.decisions.outcomesOf('d2')).map((o) => [o.credit, o.reward])).toEqual([[0.5, 2.5], [0.5, 2.5]]);
      expect(await stored(store, 'd3')).toEqual([['seen-1', null, false]]);
      expect(await counts(store)).toEqual([['shoes', 'p1', 1], ['socks', 'p1', 1]]);
    });

    it('keeps the item an outcome names (a recommendation\'s), beside a success written in the same call, and none on the others', async () => {
      await store.decisions.appendDecision({ ...record('d-recs', []), choices: [{ rank: 1, kind: 'item', item: 'sku-1', score: 1, propensity: 1, why: '' }] });
      await store.decisions.appendDecision(record('d1', ['a']));
      const click: OutcomeRecord = { ...success('i1', 'd-recs', ''), action: null, type: 'click', success: false, item: 'sku-1' };
      // Alone (no success: a plain insert), then with a success (the insert that judges successes).
      await store.decisions.addOutcomes([click]);
      await store.decisions.addOutcomes([{ ...click, id: 'i2', item: 'sku é 2' }, success('o1', 'd1', 'a')]);
      const items = (rows: OutcomeRecord[]) => rows.map((o) => [o.id, o.item ?? null]);
      expect(items(await store.decisions.outcomesOf('d-recs'))).toEqual([['i1', 'sku-1'], ['i2', 'sku é 2']]);
      expect(items(await store.decisions.outcomesSince(T))).toEqual([['i1', 'sku-1'], ['i2', 'sku é 2'], ['o1', null]]);
      expect(items(await store.measure.outcomesOfDecisions(['d-recs', 'd1']))).toEqual([['i1', 'sku-1'], ['i2', 'sku é 2'], ['o1', null]]);
    });

    it('keeps outcomes that are not successes, and those of no decision, as they were', async () => {
      await store.decisions.appendDecision(record('d1', ['a']));
      const click = { ...success('o1', 'd1', 'a'), type: 'click', success: false };
      const none = [{ ...success('n1', '', 'a'), decisionId: null }, { ...success('n2', '', 'a'), decisionId: null }];
      await store.decisions.addOutcomes([click, { ...click, id: 'o2' }, ...none]);
      await store.decisions.addOutcomes([success('o3', 'd1', 'a')]);
      expect(await stored(store, 'd1')).toEqual([['o1', 'a', false], ['o2', 'a', false], ['o3', 'a', true]]);
      expect(none.map((o) => o.success)).toEqual([true, true]);
    });
  });

  describe(`outcomes a page at a time (${kind})`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    beforeEach(async () => ({ store, cleanup } = await openTestStore(kind)));
    afterEach(async () => cleanup());

    /** Every page of `outcomesPage(at)` of `limit`, and the pages' sizes. */
    const paged = async (at: number, limit: number) => {
      const rows: OutcomeRecord[] = [];
      const sizes: number[] = [];
      let after: OutcomePosition | undefined;
      do {
        const page = await store.decisions.outcomesPage(at, { ...(after ? { after } : {}), limit });
        rows.push(...page.outcomes);
        sizes.push(page.outcomes.length);
        after = page.next;
      } while (after && sizes.length < 100);
      return { rows, sizes };
    };

    it('reads the rows of outcomesSince, in its order, whatever the page size: rows of one millisecond in the order written, across pages', async () => {
      const at = (id: string, t: number, type = 'click'): OutcomeRecord => ({ ...success(id, '', ''), decisionId: null, action: null, type, success: false, credit: 0, reward: 0, at: t });
      await store.decisions.addOutcomes([at('early', T - 1), at('b', T + 5)]);
      // Five in one millisecond, each written alone (the order written is not the ids' order), then one dated before them written after.
      for (const id of ['m3', 'm1', 'm5', 'm2', 'm4']) await store.decisions.addOutcomes([at(id, T + 7, id === 'm1' ? 'dismissal' : 'view')]);
      await store.decisions.addOutcomes([at('late', T + 6, 'conversion'), at('z', T + 9)]);
      await store.decisions.addOutcomes([at('a', T)]);
      const whole = await store.decisions.outcomesSince(T);
      expect(whole.map((o) => o.id)).toEqual(['a', 'b', 'late', 'm3', 'm1', 'm5', 'm2', 'm4', 'z']);
      for (const limit of [1, 2, 3, 4, 8, 9, 500]) {
        const { rows, sizes } = await paged(T, limit);
        expect(rows, `pages of ${limit}`).toEqual(whole);
        // Full pages but the last; a page that ends the log exactly is followed by an empty one.
        expect(sizes, `pages of ${limit}`).toEqual([...Array(Math.floor(9 / limit)).fill(limit), 9 % limit]);
      }
      // A time inside the millisecond's rows, and after every row.
      expect((await paged(T + 7, 2)).rows.map((o) => o.id)).toEqual(['m3', 'm1', 'm5', 'm2', 'm4', 'z']);
      expect(await store.decisions.outcomesPage(T + 10, { limit: 5 })).toEqual({ outcomes: [] });
    });
  });

  describe(`one success per decision's action, two processes on one database (${kind})`, () => {
    it('stores exactly one success of conversions written at the same moment by two processes', async () => {
      const { stores: [a, b], cleanup } = await openTwoStores(kind);
      try {
        for (let i = 0; i < 5; i++) await a.decisions.appendDecision(record(`d${i}`, ['a']));
        const written: OutcomeRecord[] = [];
        await Promise.all([0, 1, 2, 3, 4].flatMap((i) => [a, b, a, b].map((s, k) => {
          const o = success(`o${i}-${k}`, `d${i}`, 'a', T + 10 + k);
          written.push(o);
          return s.decisions.addOutcomes([o]);
        })));
        for (let i = 0; i < 5; i++) {
          const rows = await stored(a, `d${i}`);
          expect(rows).toHaveLength(4);
          expect(rows.filter((r) => r[2])).toHaveLength(1);
          // The one the store kept is the one whose writer was told so.
          expect(written.filter((o) => o.decisionId === `d${i}` && o.success).map((o) => o.id)).toEqual(rows.filter((r) => r[2]).map((r) => r[0]));
        }
        expect(await counts(b)).toEqual([['a', 'p1', 5]]);
      } finally {
        await cleanup();
      }
    });
  });
}
