import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness, type Harness, type StoreKind } from '../../../test/harness.js';
import type { Choice, DecisionRecord } from '../../decide/decision.js';
import { shopConfig } from '../../decide/fixtures.js';

/** A logged decision at `at` whose first choice is `choice` (the rest of the record as a decision writes it). */
function record(id: string, at: number, choice: Partial<Choice> = {}, profileKey = 'p-log'): DecisionRecord {
  return {
    id, at, profileKey, subject: profileKey, placement: 'home', channel: 'web', context: {}, policyVersion: 1, catalogVersion: 1, modelVersion: 'm', arm: 'treatment',
    choices: [{ rank: 1, kind: 'action', action: 'newsletter', score: 0.1, propensity: 1, why: '', ...choice }],
    scored: [], excluded: [], facts: {}, absentFacts: [], operator: '', customer: '', excludedByStage: {},
  };
}

/** Reads the whole log matching `q` a page of `limit` at a time, each page after the last record of the one before. */
async function pages(h: Harness, q: { limit: number; from?: number; to?: number; action?: string }): Promise<string[][]> {
  const out: string[][] = [];
  let after: { at: number; id: string } | undefined;
  for (let i = 0; i < 50; i++) {
    const page = await h.store.decisions.queryDecisions({ ...q, after });
    out.push(page.map((d) => d.id));
    if (page.length < q.limit) return out;
    const last = page[page.length - 1];
    after = { at: last.at, id: last.id };
  }
  throw new Error('more than 50 pages');
}

/** The decision log's paging cursor and its index of held actions: the same on every store. */
export function decisionLogConformance(kind: StoreKind): void {
  describe(`the decision log's pages and held actions (${kind})`, () => {
    let h: Harness;
    beforeEach(async () => {
      h = await harness(kind, { config: shopConfig() });
    });
    afterEach(async () => h.close());

    it('pages newest first by (time, id) after a cursor, decisions made in the same millisecond included, none twice', async () => {
      const t = 1_800_000_000_000;
      // Five decisions in one millisecond (a batch run, or two processes), appended out of id order, between two others.
      const ids: [string, number][] = [['d-a', t - 1], ['d-c', t], ['d-e', t], ['d-b', t], ['d-f', t], ['d-d', t], ['d-g', t + 1]];
      for (const [id, at] of ids) await h.store.decisions.appendDecision(record(id, at));
      const all = ['d-g', 'd-f', 'd-e', 'd-d', 'd-c', 'd-b', 'd-a'];
      expect((await h.store.decisions.queryDecisions({ limit: 10 })).map((d) => d.id)).toEqual(all);
      for (const limit of [1, 2, 3]) expect((await pages(h, { limit })).flat(), `pages of ${limit}`).toEqual(all);
      expect(await pages(h, { limit: 2 })).toEqual([['d-g', 'd-f'], ['d-e', 'd-d'], ['d-c', 'd-b'], ['d-a']]);
      // With the other filters: a time range, an action.
      expect((await pages(h, { limit: 2, from: t, to: t + 1 })).flat()).toEqual(['d-f', 'd-e', 'd-d', 'd-c', 'd-b']);
      expect((await pages(h, { limit: 2, action: 'newsletter' })).flat()).toEqual(all);
      // Paging by time alone (`to` the last page's time) loses the rest of that millisecond: the cursor is what pages.
      const first = await h.store.decisions.queryDecisions({ limit: 2 });
      expect((await h.store.decisions.queryDecisions({ limit: 10, to: first[1].at })).map((d) => d.id)).toEqual(['d-a']);
      expect((await h.store.decisions.queryDecisions({ limit: 10, after: { at: first[1].at, id: first[1].id } })).map((d) => d.id)).toEqual(['d-e', 'd-d', 'd-c', 'd-b', 'd-a']);
    });

    it('finds, by action, the decisions in which the action was held for review, when asked to', async () => {
      const t = 1_800_000_000_000;
      // Held, the safe default shown in its place; held with nothing to show ("none"); chosen after approval; another action.
      await h.store.decisions.appendDecision(record('h-1', t, { action: 'newsletter', held: { action: 'loan-offer', reviewId: 'r-1' } }));
      await h.store.decisions.appendDecision(record('h-2', t + 1, { kind: 'none', action: undefined, held: { action: 'loan-offer', reviewId: 'r-1' } }));
      await h.store.decisions.appendDecision(record('h-3', t + 2, { action: 'loan-offer' }));
      await h.store.decisions.appendDecision(record('h-4', t + 3, { action: 'shoes-offer' }));
      const ids = async (q: { action: string; held?: boolean; profileKey?: string; placement?: string }) => (await h.store.decisions.queryDecisions({ ...q, limit: 10 })).map((d) => d.id);
      expect(await ids({ action: 'loan-offer', held: true })).toEqual(['h-3', 'h-2', 'h-1']);
      expect(await ids({ action: 'loan-offer', held: true, profileKey: 'p-log', placement: 'home' })).toEqual(['h-3', 'h-2', 'h-1']);
      // Without `held`: where it was shown, as before (the monitors' examples).
      expect(await ids({ action: 'loan-offer' })).toEqual(['h-3']);
      // The stand-in is found as shown, either way.
      expect(await ids({ action: 'newsletter' })).toEqual(['h-1']);
      expect(await ids({ action: 'newsletter', held: true })).toEqual(['h-1']);
      // `none`, the id no action may take, finds the decisions that chose to do nothing (until 2026-12-06
      // an empty page: their choice rows hold no action; QA).
      expect(await ids({ action: 'none' })).toEqual(['h-2']);
      // A held action is no contact: caps, volumes, trials and budgets never count it.
      expect((await h.store.decisions.contactsSince(0)).map((c) => [c.decisionId, c.action])).toEqual([['h-1', 'newsletter'], ['h-3', 'loan-offer'], ['h-4', 'shoes-offer']]);
      expect((await h.store.decisions.contactsOf(['p-log'], 0, t + 10)).map((c) => c.action)).toEqual(['newsletter', 'loan-offer', 'shoes-offer']);
      expect((await h.store.decisions.newestContactsOfKey('p-log', 0, t + 10, 10)).map((c) => c.action)).toEqual(['shoes-offer', 'loan-offer', 'newsletter']);
      await h.store.decisions.foldCounts();
      expect((await h.store.decisions.trialCounts()).map((r) => [r.action, Number(r.n)]).sort()).toEqual([['loan-offer', 1], ['newsletter', 1], ['shoes-offer', 1]]);
      expect((await h.store.decisions.contactVolumes(t - 60_000, t + 60_000)).map((v) => [v.action, Number(v.n)]).sort()).toEqual([['loan-offer', 1], ['newsletter', 1], ['shoes-offer', 1]]);
      // Retention deletes the held rows with their decisions.
      await h.store.decisions.prune(t + 2);
      expect(await ids({ action: 'loan-offer', held: true })).toEqual(['h-3']);
    });
  });
}
