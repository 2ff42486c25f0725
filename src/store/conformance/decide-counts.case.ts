import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestStore, type StoreKind } from '../../../test/harness.js';
import type { DecisionRecord } from '../../decide/decision.js';
import type { GroupCountRow, OutcomeRecord } from '../../decide/decision-store.js';
import { createRng } from '../../measure/stats/prng.js';
import type { Store } from '../store.js';

const T = Date.parse('2026-12-01T00:00:00Z');
const ACTIONS = ['a', 'b', 'c'];
const SEGMENTS: Pick<DecisionRecord, 'segment' | 'microSegment' | 'microSegmentModel'>[] = [
  {}, { segment: 'vip' }, { segment: 'vip', microSegment: 1, microSegmentModel: 'micro-segments@2' }, { segment: null, microSegment: 0, microSegmentModel: 'micro-segments@2' },
];

function record(id: string, at: number, profileKey: string, actions: string[], pos: Pick<DecisionRecord, 'segment' | 'microSegment' | 'microSegmentModel'>): DecisionRecord {
  const choices = actions.map((action, i) => ({ rank: i + 1, kind: 'action' as const, action, score: 1, propensity: 1, why: '' }));
  return {
    id, at, profileKey, subject: profileKey, placement: 'home', channel: 'web', context: {}, policyVersion: 1, catalogVersion: 1, modelVersion: 'm', arm: 'treatment',
    choices: [...choices, { rank: actions.length + 1, kind: 'none', score: 0, propensity: 1, why: '' }], scored: [], excluded: [], facts: {}, absentFacts: [], operator: '', customer: '', excludedByStage: {},
    ...pos,
  } as DecisionRecord;
}

/**
 * What the counts must be: every action choice and success logged (each outcome id and decision
 * once), and when each (action, subject) and (action, group) last changed — its newest choice or success.
 */
class Expected {
  readonly trials = new Map<string, number>();
  readonly successes = new Map<string, number>();
  readonly changed = new Map<string, number>();
  readonly groups = new Map<string, GroupCountRow>();

  decision(d: DecisionRecord): void {
    for (const c of d.choices) if (c.kind === 'action' && c.action) {
      bump(this.trials, `${c.action}|${d.profileKey}`);
      newest(this.changed, `${c.action}|${d.profileKey}`, d.at);
      const g = this.group(c.action, d);
      if (g) (g.trials++, (g.at = Math.max(g.at ?? 0, d.at)));
    }
  }

  success(o: OutcomeRecord, d: DecisionRecord): void {
    bump(this.successes, `${o.action}|${o.profileKey}`);
    // Dated when recorded; an outcome stored before 2026-12-07 has no such time, and is read as recorded when it happened.
    const at = o.recordedAt ?? o.at;
    newest(this.changed, `${o.action}|${o.profileKey}`, at);
    const g = this.group(o.action as string, d);
    if (g) (g.successes++, (g.at = Math.max(g.at ?? 0, at)));
  }

  private group(action: string, d: DecisionRecord): GroupCountRow | undefined {
    if (d.segment == null && d.microSegment == null) return undefined;
    const key = groupKey({ action, segment: d.segment ?? null, microSegment: d.microSegment ?? null, microSegmentModel: d.microSegmentModel ?? null });
    let g = this.groups.get(key);
    if (!g) this.groups.set(key, (g = { action, segment: d.segment ?? null, microSegment: d.microSegment ?? null, microSegmentModel: d.microSegmentModel ?? null, trials: 0, successes: 0, at: null }));
    return g;
  }
}

const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
const newest = (m: Map<string, number>, k: string, at: number) => m.set(k, Math.max(m.get(k) ?? 0, at));
const groupKey = (g: Pick<GroupCountRow, 'action' | 'segment' | 'microSegment' | 'microSegmentModel'>) => `${g.action}|${g.segment}|${g.microSegment}|${g.microSegmentModel}`;

/** The store's counts; `changed` is the newest `at` its trial and success rows give each (action, subject), as a start reads them (loadCounts). */
async function countsOf(store: Store): Promise<{ trials: Map<string, number>; successes: Map<string, number>; changed: Map<string, number>; groups: Map<string, GroupCountRow> }> {
  const rows = (r: { action: string; profileKey: string; n: number | string }[]) => new Map(r.map((x) => [`${x.action}|${x.profileKey}`, Number(x.n)]));
  const groups = new Map((await store.decisions.groupCounts()).map((g) => [groupKey(g), { ...g, trials: Number(g.trials), successes: Number(g.successes) }]));
  const [trials, successes] = [await store.decisions.trialCounts(), await store.decisions.successCounts()];
  const changed = new Map<string, number>();
  for (const r of [...trials, ...successes]) if (r.at !== null) newest(changed, `${r.action}|${r.profileKey}`, Number(r.at));
  return { trials: rows(trials), successes: rows(successes), changed, groups };
}

const sorted = <V>(m: Map<string, V>) => [...m.entries()].sort(([a], [b]) => a.localeCompare(b));

/** Action choices in [from, to) per channel, action and minute, counted from the records. */
function volumesIn(logged: readonly DecisionRecord[], from: number, to: number): [string, number][] {
  const out = new Map<string, number>();
  for (const d of logged) if (d.at >= from && d.at < to) for (const c of d.choices) if (c.kind === 'action') bump(out, `${d.channel}|${c.action}|${Math.floor(d.at / 60_000)}`);
  return sorted(out);
}

async function storeVolumes(store: Store, from: number, to: number): Promise<[string, number][]> {
  return sorted(new Map((await store.decisions.contactVolumes(from, to)).map((v) => [`${v.channel}|${v.action}|${Number(v.minute)}`, Number(v.n)])));
}

/** Ranges a start's budgets could ask for: within a minute, across minutes, on and off their edges. */
function ranges(rng: () => number, logged: readonly DecisionRecord[]): [number, number][] {
  const end = logged[logged.length - 1].at;
  const at = () => T + Math.floor(rng() * (end - T + 60_000));
  const edge = () => T + Math.floor(rng() * 6) * 60_000 + [0, -1, 1][Math.floor(rng() * 3)];
  const logTime = () => logged[Math.floor(rng() * logged.length)].at; // a decision's own time
  const pick = () => [at, edge, logTime][Math.floor(rng() * 3)]();
  const out: [number, number][] = [[T, end + 1], [T - 60_000, end + 60_000], [logTime(), logTime() + 120_000]];
  for (let i = 0; i < 4; i++) {
    const [a, b] = [pick(), pick()].sort((x, y) => x - y);
    out.push([a, rng() < 0.3 ? b + Math.floor(rng() * 40_000) : b]);
  }
  // A range from one decision's time to another's, over a whole minute.
  const [a, b] = [logTime(), logTime()].sort((x, y) => x - y);
  out.push([a, Math.max(b, a + 61_000)]);
  return out;
}

/**
 * The estimates' counts from a snapshot and the log after its watermark
 * (docs/adr/0005-decision-counts-snapshot.md): the same numbers as the whole log, on every store.
 */
export function decideCountsConformance(kind: StoreKind): void {
  describe(`decision counts snapshot (${kind})`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    beforeEach(async () => ({ store, cleanup } = await openTestStore(kind)));
    afterEach(async () => cleanup());

    it('answers what the whole log counts, before, between and after folds of any step, with folds running beside appends (seeded)', async () => {
      const rng = createRng(kind === 'sqlite' ? 5_101 : 5_102);
      const expected = new Expected();
      const logged: DecisionRecord[] = [];
      const succeeded = new Set<string>();
      let checks = 0;
      let folded = 0;
      for (let i = 0; i < 240; i++) {
        const r = rng();
        if (r < 0.5 || !logged.length) {
          const actions = ACTIONS.filter(() => rng() < 0.5);
          const d = { ...record(`d${i}`, T + i * 1_000, `p${Math.floor(rng() * 12)}`, actions.length ? actions : ['a'], SEGMENTS[Math.floor(rng() * SEGMENTS.length)]), channel: rng() < 0.7 ? 'web' : 'email' };
          const append = store.decisions.appendDecision(d);
          // A fold beside the append: what it reads is folded once, by it or by the next.
          // Some folds paced, as a running server's are (a pause after each step).
          if (rng() < 0.2) await Promise.all([append, store.decisions.foldCounts(1 + Math.floor(rng() * 7), undefined, rng() < 0.5 ? 0.5 : undefined)]);
          else await append;
          expected.decision(d);
          logged.push(d);
        } else if (r < 0.8) {
          const d = logged[Math.floor(rng() * logged.length)];
          const action = d.choices[0].action as string;
          const success = rng() < 0.6;
          // Recorded now (this step's time), though it happened just after its decision — often many
          // steps back: a late report; or, as stored before 2026-12-07, with no recording time.
          const o: OutcomeRecord = { id: `o${i}`, decisionId: d.id, at: d.at + 500, profileKey: d.profileKey, type: success ? 'conversion' : 'click', value: null, action, credit: 1, reward: success ? 1 : 0, success, source: 'api', ...(rng() < 0.8 ? { recordedAt: T + i * 1_000 } : {}) };
          // The same outcome twice (a client's retry) is stored, and counted, once; a decision's
          // action has one success, its first (a later one is stored as not-a-success).
          await store.decisions.addOutcomes(rng() < 0.2 ? [o, o] : [o]);
          const first = success && !succeeded.has(d.id);
          expect(o.success).toBe(first);
          if (first) (expected.success(o, d), succeeded.add(d.id));
        } else if (r < 0.92) {
          const moved = await store.decisions.foldCounts(1 + Math.floor(rng() * 12), undefined, rng() < 0.5 ? 0.5 : undefined);
          folded += moved.decisions + moved.outcomes;
        } else {
          const got = await countsOf(store);
          expect(sorted(got.trials)).toEqual(sorted(expected.trials));
          expect(sorted(got.successes)).toEqual(sorted(expected.successes));
          expect(sorted(got.changed)).toEqual(sorted(expected.changed));
          expect(sorted(got.groups)).toEqual(sorted(expected.groups));
          // The channel volumes a start's budgets read: the snapshot's whole minutes, the log's after the watermark and at the edges.
          for (const [from, to] of ranges(rng, logged)) expect(await storeVolumes(store, from, to), `${from - T}..${to - T}`).toEqual(volumesIn(logged, from, to));
          checks++;
        }
      }
      await store.decisions.foldCounts();
      const got = await countsOf(store);
      expect(sorted(got.trials)).toEqual(sorted(expected.trials));
      expect(sorted(got.successes)).toEqual(sorted(expected.successes));
      expect(sorted(got.changed)).toEqual(sorted(expected.changed));
      expect(sorted(got.groups)).toEqual(sorted(expected.groups));
      for (const [from, to] of ranges(rng, logged)) expect(await storeVolumes(store, from, to), `${from - T}..${to - T}`).toEqual(volumesIn(logged, from, to));
      expect(checks).toBeGreaterThan(5);
      expect(folded).toBeGreaterThan(50);
      expect(await store.decisions.foldCounts()).toEqual({ decisions: 0, outcomes: 0 });
      expect((await store.decisions.countMarks()).decisions).toBe(logged.length);
    });

    it('keeps what it folded through a retention pass, and counts the rows logged after it (even when the pass emptied the log)', async () => {
      const expected = new Expected();
      for (let i = 0; i < 3; i++) {
        const d = record(`old${i}`, T + i, 'p1', ['a', 'b'], SEGMENTS[2]);
        await store.decisions.appendDecision(d);
        expected.decision(d);
      }
      const success: OutcomeRecord = { id: 'o1', decisionId: 'old0', at: T + 10, profileKey: 'p1', type: 'conversion', value: 3, action: 'a', credit: 1, reward: 3, success: true, source: 'api' };
      await store.decisions.addOutcomes([success]);
      expected.success(success, record('old0', T, 'p1', ['a', 'b'], SEGMENTS[2]));
      expect(await store.decisions.foldCounts()).toEqual({ decisions: 3, outcomes: 1 });
      expect(await store.decisions.prune(T + 1_000)).toEqual({ decisions: 3, outcomes: 1 });
      // The log is empty; what it counted stays in the snapshot (all-time evidence).
      for (let i = 0; i < 2; i++) {
        const d = record(`new${i}`, T + 2_000 + i, 'p1', ['a'], SEGMENTS[2]);
        await store.decisions.appendDecision(d);
        expected.decision(d);
      }
      const got = await countsOf(store);
      expect(sorted(got.trials)).toEqual(sorted(expected.trials));
      expect(got.trials.get('a|p1')).toBe(5);
      expect(sorted(got.successes)).toEqual([['a|p1', 1]]);
      // When each last changed stays with the snapshot too: b's newest choice was pruned from the log.
      expect(sorted(got.changed)).toEqual([['a|p1', T + 2_001], ['b|p1', T + 2]]);
      expect(sorted(got.groups)).toEqual(sorted(expected.groups));
      await store.decisions.foldCounts();
      expect((await countsOf(store)).trials.get('a|p1')).toBe(5);
      // The channel volumes are the budgets' use, not all-time evidence: a retention pass takes the
      // snapshot's minutes wholly before its cut with the choices they counted.
      const later = record('later', T + 3 * 60_000 + 5, 'p1', ['b'], {});
      await store.decisions.appendDecision(later);
      await store.decisions.foldCounts();
      await store.decisions.prune(T + 2 * 60_000 + 30_000);
      expect(await storeVolumes(store, T - 60_000, T + 10 * 60_000)).toEqual(volumesIn([later], T, T + 10 * 60_000));
    });

    it('folds once when two folds run together', async () => {
      for (let i = 0; i < 20; i++) await store.decisions.appendDecision(record(`d${i}`, T + i, `p${i % 3}`, ['a'], {}));
      await Promise.all([store.decisions.foldCounts(3), store.decisions.foldCounts(5), store.decisions.foldCounts(7)]);
      await store.decisions.foldCounts();
      const trials = (await countsOf(store)).trials;
      expect(sorted(trials)).toEqual([['a|p0', 7], ['a|p1', 7], ['a|p2', 6]]);
      expect(await store.decisions.countMarks()).toEqual({ decisions: 20, outcomes: 0 });
    });
  });
}
