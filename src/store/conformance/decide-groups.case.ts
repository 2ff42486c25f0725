import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestStore, type StoreKind } from '../../../test/harness.js';
import { DecideState } from '../../decide/decide-state.js';
import type { DecisionRecord } from '../../decide/decision.js';
import type { Store } from '../store.js';

/** An hour in milliseconds. */
const H = 3_600_000;

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
      // `at`: when each last changed — its newest choice, or credited success (o3 was not one).
      const expected = [
        { action: 'shoes', segment: null, microSegment: 0, microSegmentModel: 'micro-segments@3', trials: 1, successes: 0, at: at + 2 },
        { action: 'shoes', segment: 'vip', microSegment: 2, microSegmentModel: 'micro-segments@3', trials: 2, successes: 1, at: at + 10 },
      ];
      expect(rows).toEqual(expected);
      // The same from the counts' snapshot.
      await store.decisions.foldCounts();
      expect((await store.decisions.groupCounts()).sort((a, b) => String(a.segment).localeCompare(String(b.segment)))).toEqual(expected);
    });

    it('answers the choices decided since a time per action, group and hour, and a start counts them open until their windows end (ADR 0007)', async () => {
      const t = Math.floor(Date.now() / H) * H - 30 * H;
      const vip = { segment: 'vip', microSegment: 2, microSegmentModel: 'micro-segments@3' };
      await store.decisions.appendDecision(record('old', t - 10 * 24 * H, 'shoes', vip));
      await store.decisions.appendDecision(record('e1', t + 5, 'shoes', vip));
      await store.decisions.appendDecision(record('e2', t + H - 1, 'shoes', vip));
      await store.decisions.appendDecision(record('e3', t + H, 'shoes', vip));
      await store.decisions.appendDecision(record('e4', t + 2 * H, 'socks', { segment: null, microSegment: 0, microSegmentModel: 'micro-segments@3' }));
      await store.decisions.appendDecision(record('e5', t + 2 * H, 'socks', {}));
      // Read from the log's rows after the counts' watermark, then from its snapshot — and with a fold
      // begun while the read pauses, which moves rows from the one to the other: each counted once.
      const read = async (foldMeanwhile: boolean) => {
        const sums = new Map<string, number>();
        let folding: Promise<unknown> | undefined;
        await store.decisions.readOpenChoices!(t - H, t + 3 * H, (rows) => {
          for (const r of rows) {
            const k = JSON.stringify([r.action, r.segment, r.microSegment, r.microSegmentModel, Number(r.hour)]);
            sums.set(k, (sums.get(k) ?? 0) + Number(r.n));
          }
        }, async () => {
          if (foldMeanwhile) folding ??= store.decisions.foldCounts();
        });
        await folding;
        return [...sums].map(([k, n]) => [...JSON.parse(k), n]).sort();
      };
      const expected = [
        ['shoes', 'vip', 2, 'micro-segments@3', t / H, 2],
        ['shoes', 'vip', 2, 'micro-segments@3', t / H + 1, 1],
        ['socks', null, 0, 'micro-segments@3', t / H + 2, 1],
        ['socks', null, null, null, t / H + 2, 1],
      ].sort();
      expect(await read(true)).toEqual(expected);
      expect(await read(false)).toEqual(expected);
      // A start reads them (from the snapshot now) in the background, and counts them open.
      const state = new DecideState(30 * 24 * H, false, 7 * 24 * H);
      const now = t + 3 * H;
      await state.rebuild(store.decisions, () => [], now);
      expect((await state.openRead).error).toBeUndefined();
      const open = (action: string, group: string | null) => state.counts.openTrials(action, group, now, 7 * 24 * H);
      expect([open('shoes', null), open('shoes', 'segment:vip'), open('shoes', 'micro-segment:3:2'), open('socks', null), open('socks', 'micro-segment:3:0')]).toEqual([3, 3, 3, 2, 1]);
      // The one of ten days before is counted, not open; a day's window leaves only the last hours'.
      expect(state.counts.population('shoes').trials).toBe(4);
      expect(state.counts.openTrials('shoes', null, t + 25 * H + 1, 24 * H)).toBe(1);
    });

    it('reads the open choices up to a decision number: the later ones left out, also when a fold has taken them into the snapshot', async () => {
      const t = Math.floor(Date.now() / H) * H - 10 * H;
      await store.decisions.appendDecision(record('a', t, 'shoes', {}));
      await store.decisions.foldCounts();
      // The next decision's number: one after the snapshot's (one writer here).
      const upTo = (await store.decisions.countMarks()).decisions + 1;
      await store.decisions.appendDecision(record('b', t + H, 'shoes', {}));
      await store.decisions.appendDecision(record('c', t + 2 * H, 'shoes', {}));
      const read = async (bound?: number) => {
        const n = new Map<number, number>();
        await store.decisions.readOpenChoices!(t - H, t + 5 * H, (rows) => rows.forEach((r) => n.set(Number(r.hour), (n.get(Number(r.hour)) ?? 0) + Number(r.n))), async () => {}, bound);
        return [...n].filter(([, k]) => k !== 0).sort((x, y) => x[0] - y[0]);
      };
      expect(await read()).toEqual([[t / H, 1], [t / H + 1, 1], [t / H + 2, 1]]);
      expect(await read(upTo)).toEqual([[t / H, 1], [t / H + 1, 1]]);
      await store.decisions.foldCounts();
      expect(await read(upTo)).toEqual([[t / H, 1], [t / H + 1, 1]]);
      expect(await read()).toEqual([[t / H, 1], [t / H + 1, 1], [t / H + 2, 1]]);
    });

    it.runIf(kind === 'postgres')('counts once a choice another process logs as this one starts, dated before the start: in the syncs, not the start\'s read too', async () => {
      const now = Date.now();
      let open!: () => void;
      const gate = new Promise<void>((resolve) => (open = resolve));
      // The start's background read waits until the other process has logged its decision.
      const held = new Proxy(store.decisions, {
        get: (target, key) => (key === 'readOpenChoices' ? async (...args: Parameters<NonNullable<typeof target.readOpenChoices>>) => (await gate, target.readOpenChoices!(...args)) : Reflect.get(target, key, target)),
      });
      const state = new DecideState(30 * 24 * H, true, 7 * 24 * H);
      await state.rebuild(held, () => [], now);
      await store.decisions.appendDecision(record('elsewhere', now - 60_000, 'shoes', {}));
      open();
      expect((await state.openRead).error).toBeUndefined();
      await state.sync(store.decisions, () => [], Date.now());
      // Until 2026-12-07: 2 (the read and the sync each counted it).
      expect(state.counts.openTrials('shoes', null, Date.now(), 7 * 24 * H)).toBe(1);
    });

    it('names the actions a success was credited to among given decisions, once each (what a start reads of a subject\'s kept choices)', async () => {
      const at = Date.now();
      await store.decisions.appendDecision(record('s1', at, 'shoes', {}));
      await store.decisions.appendDecision(record('s2', at + 1, 'socks', {}));
      await store.decisions.appendDecision(record('s3', at + 2, 'shoes', {}));
      const outcome = { at: at + 10, type: 'conversion', value: null, credit: 1, reward: 1, success: true, source: 'api' as const };
      await store.decisions.addOutcomes([
        { ...outcome, id: 'w1', decisionId: 's1', profileKey: 'p-s1', action: 'shoes' },
        // A second conversion of the same choice is not a success (one success per decision's action).
        { ...outcome, id: 'w2', decisionId: 's1', profileKey: 'p-s1', action: 'shoes' },
        { ...outcome, id: 'w3', decisionId: 's2', profileKey: 'p-s2', action: 'socks', success: false },
        { ...outcome, id: 'w4', decisionId: 's3', profileKey: 'p-s3', action: 'shoes' },
      ]);
      const won = (await store.decisions.successesOf!(['s1', 's2', 'unknown'])).map((w) => [w.decisionId, w.action]);
      expect(won).toEqual([['s1', 'shoes']]);
      expect(await store.decisions.successesOf!([])).toEqual([]);
    });

    /** Choices 100 and 80 days old, and the hours of the choices a start would read from `t` − 121 days. */
    const oldChoices = async () => {
      const t = Math.floor(Date.now() / H) * H;
      await store.decisions.appendDecision(record('ancient', t - 100 * 24 * H, 'shoes', {}));
      await store.decisions.appendDecision(record('recent', t - 80 * 24 * H, 'shoes', {}));
      const read = async () => {
        const hours: number[] = [];
        await store.decisions.readOpenChoices!(t - 121 * 24 * H, t, (rows) => hours.push(...rows.map((r) => Number(r.hour))), async () => {});
        return hours.sort();
      };
      return { t, read };
    };

    it('keeps 90 days of hours in the snapshot: a fold lets older ones go', async () => {
      const { t, read } = await oldChoices();
      // Before a fold both are the log's, after the watermark.
      expect(await read()).toEqual([t / H - 100 * 24, t / H - 80 * 24]);
      await store.decisions.foldCounts();
      expect(await read()).toEqual([t / H - 80 * 24]);
    });

    it('keeps a longer attribution window\'s hours when a fold is given it (a 120-day window), and lets them go at a fold given less', async () => {
      const { t, read } = await oldChoices();
      await store.decisions.foldCounts(undefined, undefined, undefined, 120 * 24 * H + 2 * H);
      expect(await read()).toEqual([t / H - 100 * 24, t / H - 80 * 24]);
      // A window shortened: the next fold keeps the 90 days (never less).
      await store.decisions.appendDecision(record('new', t - H, 'shoes', {}));
      await store.decisions.foldCounts(undefined, undefined, undefined, 7 * 24 * H);
      expect(await read()).toEqual([t / H - 80 * 24, t / H - 1]);
    });

    it('hands a start the successes of an hour\'s choices logged up to an outcome number, with their choices\' times (the delays the estimates learn)', async () => {
      const t = Math.floor(Date.now() / H) * H - 10 * 24 * H;
      expect(await store.decisions.lastOutcomeSeq!()).toBe(0);
      // Choices of 'shoes' every hour for nine days, each converting 1–5 hours on.
      const success = { profileKey: '', type: 'conversion', value: null, action: 'shoes', credit: 1, reward: 1, success: true, source: 'api' as const };
      const outcomes = [];
      for (let i = 0; i < 9 * 24; i++) {
        // Every other one in a segment: a start credits the segment's successes among its open choices too.
        await store.decisions.appendDecision(record(`d${i}`, t + i * H, 'shoes', i % 2 ? {} : { segment: 'vip' }));
        outcomes.push({ ...success, id: `o${i}`, decisionId: `d${i}`, profileKey: `p-d${i}`, at: t + i * H + (1 + (i % 5)) * H });
      }
      // A goal outcome that is not a success (a second conversion) is not a delay.
      outcomes.push({ ...success, id: 'again', decisionId: 'd50', profileKey: 'p-d50', at: t + 53 * H, success: false });
      await store.decisions.addOutcomes(outcomes);
      const upTo = await store.decisions.lastOutcomeSeq!();
      expect(upTo).toBeGreaterThan(0);
      // One more choice in hour 50, converting after the number read: counted as it comes, not read.
      await store.decisions.appendDecision(record('late', t + 50 * H + 60_000, 'shoes', {}));
      await store.decisions.addOutcomes([{ ...success, id: 'o-late', decisionId: 'late', profileKey: 'p-late', at: t + 52 * H }]);
      expect(await store.decisions.lastOutcomeSeq!()).toBeGreaterThan(upTo);
      const read = async (from: number, to: number, until: number) => (await store.decisions.successDelays!(from, to, until)).map((r) => [r.action, Number(r.decidedAt), Number(r.at)]).sort();
      expect(await read(t + 48 * H, t + 51 * H, upTo)).toEqual([48, 49, 50].map((i) => ['shoes', t + i * H, t + i * H + (1 + (i % 5)) * H]).sort());
      expect(await read(t + 50 * H, t + 51 * H, await store.decisions.lastOutcomeSeq!())).toEqual([['shoes', t + 50 * H, t + 51 * H], ['shoes', t + 50 * H + 60_000, t + 52 * H]].sort());
      expect((await store.decisions.successDelays!(t + 48 * H, t + 50 * H, upTo)).map((r) => [Number(r.decidedAt), r.segment, r.microSegment, r.microSegmentModel]).sort()).toEqual([[t + 48 * H, 'vip', null, null], [t + 49 * H, null, null, null]]);

      // A start learns them, with the choices of a 3-day window (and two hours more, for the life table).
      const state = new DecideState(30 * 24 * H, false, 72 * H);
      const now = t + 9 * 24 * H + H / 2;
      await state.rebuild(store.decisions, () => [], now, { openMs: 72 * H });
      expect((await state.openRead).error).toBeUndefined();
      // Every success comes 1–5 hours on (hours of delay 1…5): a choice of two hours before has had part of them, one of seven hours before all.
      const curve = state.counts.delays.curve('shoes', 72 * H, now, state.counts.open) as Float64Array;
      expect(curve[2]).toBeGreaterThan(0);
      expect(curve[2]).toBeLessThan(1);
      expect(curve[7]).toBe(1);
      // The open hours (the 72 before the current one): 72 successes, 36 of them the segment's
      // choices' — which its highest reading leaves out with their choices (ADR 0007).
      expect(state.counts.openSuccesses('shoes', now, 72 * H)).toBe(72);
      expect(state.counts.openGroupSuccesses('shoes', 'segment:vip', now, 72 * H)).toBe(36);
      expect(state.counts.openTrials('shoes', 'segment:vip', now, 72 * H)).toBe(36);
    });
  });
}
