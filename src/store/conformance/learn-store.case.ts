import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestStore, type StoreKind } from '../../../test/harness.js';
import type { Store } from '../store.js';

const estimate = { value: 0.3, low: -Infinity, high: 0.5, level: 0.9, evidence: 4, source: 'personal' as const, status: 'learning' as const, modelVersion: 'rates@default', updatedAt: '2026-01-01T00:00:00.000Z' };

/** The learn stores (estimates, segments, models) behave the same on every store. */
export function learnStoreCases(kind: StoreKind): void {
  describe(`learn stores (${kind})`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ store, cleanup } = await openTestStore(kind));
    });
    afterEach(async () => cleanup());

    it('keeps estimates apart, round-trips an unbounded interval, and records anomalies and points once', async () => {
      const row = { subjectId: 'p1', model: 'rate', key: 'email_open', estimate, state: { successes: 1, trials: 3, open: [] }, modelVersion: 'rates@default', seq: 7, updatedAt: 1000 };
      const anomaly = { subjectId: 'p1', metric: 'spend', seq: 7, at: 5, value: 900, low: 10, high: 80, level: 0.98, modelVersion: 'baseline@1', recordedAt: 6 };
      const point = { model: 'rates', key: 'email_open', subjectId: 'p1', seq: 7, at: 5, alpha: 2, beta: 8, deadline: 100, outcome: null, modelVersion: 'rates@default' };
      await store.estimates.write({ estimates: [row], anomalies: [anomaly], points: [point] });
      await store.estimates.write({ estimates: [{ ...row, seq: 8 }], anomalies: [anomaly], points: [point], outcomes: [{ model: 'rates', key: 'email_open', subjectId: 'p1', seq: 7, outcome: 1 }] });
      const [got] = await store.estimates.forSubject('p1');
      expect(got).toMatchObject({ model: 'rate', key: 'email_open', seq: 8, state: { successes: 1, trials: 3 } });
      expect(got.estimate!.low).toBe(-Infinity);
      expect(got.estimate!.high).toBe(0.5);
      expect(await store.estimates.anomalies({ metric: 'spend', limit: 10 })).toHaveLength(1);
      expect(await store.estimates.points('rates', 'email_open', 10)).toMatchObject([{ outcome: 1, alpha: 2, beta: 8 }]);
      // A point may keep when it was recorded and what its prediction was made from.
      const inputs = { population: { successes: 30, trials: 100 }, personal: { successes: 1, trials: 4 } };
      await store.estimates.write({ points: [{ ...point, seq: 9, recordedAt: 50, inputs }, { ...point, seq: 10, recordedAt: 40, inputs }, { ...point, seq: 11, recordedAt: 60 }] });
      expect(await store.estimates.heldOutPoints('rates', 'email_open', 45, 10)).toMatchObject([{ seq: 9, recordedAt: 50, inputs }]);
      expect((await store.estimates.heldOutPoints('rates', 'email_open', 0, 10)).map((q) => q.seq)).toEqual([10, 9]);
      expect(await store.estimates.heldOutPoints('rates', 'other', 0, 10)).toEqual([]);
      expect(await store.estimates.getMany([{ subjectId: 'p1', model: 'rate', key: 'email_open' }, { subjectId: 'p2', model: 'rate', key: 'x' }])).toHaveLength(1);
      await store.estimates.write({ estimates: [{ ...row, subjectId: 'p0' }, { ...row, subjectId: 'p2' }] });
      expect((await store.estimates.scan('rate', 'email_open', 'p0', 10)).map((r) => r.subjectId)).toEqual(['p1', 'p2']);
      await store.estimates.eraseSubject('p1');
      expect(await store.estimates.forSubject('p1')).toEqual([]);
      expect(await store.estimates.anomalies({ subjectId: 'p1', limit: 10 })).toEqual([]);
      expect(await store.estimates.points('rates', undefined, 10)).toEqual([]);
    });

    it('reads the newest points whose window has closed, and counts the open ones apart', async () => {
      const point = (seq: number, at: number, deadline: number, outcome: number | null) => ({ model: 'rates', key: 'email_open', subjectId: `p${seq}`, seq, at, alpha: 2, beta: 8, deadline, outcome, modelVersion: 'rates@1' });
      // Three closed (deadline ≤ 100), then four still open at 100 — one of them a success already.
      await store.estimates.write({ points: [point(1, 10, 40, null), point(2, 20, 50, 1), point(3, 30, 100, null), point(4, 60, 130, 1), point(5, 70, 140, null), point(6, 80, 150, null), point(7, 90, 160, null)] });
      await store.estimates.write({ points: [{ ...point(8, 95, 165, null), key: 'email_click' }] });
      // Newest first among the closed: the open ones take none of the limit.
      expect((await store.estimates.points('rates', 'email_open', 2, { closedBy: 100 })).map((q) => q.seq)).toEqual([3, 2]);
      expect((await store.estimates.points('rates', 'email_open', 10)).map((q) => q.seq)).toEqual([7, 6, 5, 4, 3, 2, 1]);
      expect(await store.estimates.openPoints('rates', 'email_open', 100)).toBe(4);
      expect(await store.estimates.openPoints('rates', 'email_open', 160)).toBe(0);
      expect(await store.estimates.openPoints('rates', undefined, 100)).toBe(5);
    });

    it('records an entry or exit only when membership really changes', async () => {
      const t = { segment: 'vip', profileId: 'p1', at: 1, seq: 3, version: 1, reason: 'event' };
      await store.segments.apply([{ ...t, kind: 'entry' }]);
      await store.segments.apply([{ ...t, kind: 'entry' }, { ...t, profileId: 'p2', kind: 'exit' }]);
      expect(await store.segments.membershipsOf('p1')).toMatchObject([{ segment: 'vip', since: 1 }]);
      expect(await store.segments.counts()).toEqual([{ segment: 'vip', members: 1, entries: 1, exits: 0 }]);
      await store.segments.apply([{ ...t, kind: 'exit', at: 2 }]);
      await store.segments.apply([{ ...t, kind: 'exit', at: 3 }]);
      expect(await store.segments.counts()).toEqual([{ segment: 'vip', members: 0, entries: 1, exits: 1 }]);
      expect((await store.segments.transitions('vip', 10)).map((x) => x.kind)).toEqual(['exit', 'entry']);
      await store.segments.apply(['a', 'b', 'c'].map((p) => ({ ...t, profileId: p, kind: 'entry' as const })));
      expect((await store.segments.members('vip', 'a', 10)).map((m) => m.profileId)).toEqual(['b', 'c']);
    });

    it('applies entries and exits under a configuration epoch only while the store is still at it', async () => {
      const t = { segment: 'vip', profileId: 'p1', at: 1, seq: 3, version: 1, reason: 'event' };
      const found = await store.documents.epoch();
      expect(await store.segments.apply([{ ...t, kind: 'entry' }], found)).toBe(true);
      await store.documents.put('segments', { audiences: [] }, { author: 'test', reason: 'moves the epoch on' });
      // Found under the old epoch: neither the exit nor the new entry lands, and nothing is recorded.
      expect(await store.segments.apply([{ ...t, kind: 'exit', at: 2 }, { ...t, profileId: 'p2', kind: 'entry', at: 2 }], found)).toBe(false);
      expect((await store.segments.members('vip', '', 10)).map((m) => m.profileId)).toEqual(['p1']);
      expect(await store.segments.counts()).toEqual([{ segment: 'vip', members: 1, entries: 1, exits: 0 }]);
      expect(await store.segments.apply([], found)).toBe(false);
      const now = await store.documents.epoch();
      expect(now).toBeGreaterThan(found);
      expect(await store.segments.apply([{ ...t, kind: 'exit', at: 3 }], now)).toBe(true);
      expect(await store.segments.apply([{ ...t, profileId: 'p2', kind: 'entry', at: 3 }])).toBe(true);
      expect((await store.segments.members('vip', '', 10)).map((m) => m.profileId)).toEqual(['p2']);
      expect((await store.segments.transitions('vip', 10)).map((x) => `${x.profileId} ${x.kind} ${x.at}`)).toEqual(['p2 entry 3', 'p1 exit 3', 'p1 entry 1']);
    });

    it('numbers model versions per name and keeps the live one with its history', async () => {
      const v = { name: 'send-time', trainedAt: 1, dataFrom: null, dataTo: 2, metrics: { subjects: 3 }, state: { share: [1] }, trainedBy: 'cli' };
      expect(await store.models.addVersion(v)).toBe(1);
      expect(await store.models.addVersion(v)).toBe(2);
      expect(await store.models.addVersion({ ...v, name: 'rates' })).toBe(1);
      expect((await store.models.getVersion('send-time', 2))?.state).toEqual({ share: [1] });
      expect((await store.models.versions('send-time', 10)).map((x) => x.version)).toEqual([2, 1]);
      expect(await store.models.names()).toEqual(['rates', 'send-time']);
      await store.models.setLive('send-time', 2, { name: 'send-time', version: 2, action: 'promoted', reason: 'r', actor: 'a', at: 9, comparison: { better: true }, previous: null });
      expect(await store.models.live('send-time')).toEqual({ name: 'send-time', version: 2, since: 9 });
      expect((await store.models.events('send-time', 5))[0]).toMatchObject({ action: 'promoted', comparison: { better: true } });
    });

    it('changes the live model only from the version it was read as, and leases training to one holder at a time', async () => {
      const e = (version: number, previous: number | null, at: number) => ({ name: 'm', version, action: 'promoted' as const, reason: 'r', actor: 'a', at, comparison: null, previous });
      expect(await store.models.setLive('m', 1, e(1, null, 1))).toBe(true);
      expect(await store.models.setLive('m', 2, e(2, null, 2))).toBe(false);
      expect(await store.models.setLive('m', 3, e(3, 2, 3))).toBe(false);
      expect(await store.models.setLive('m', 2, e(2, 1, 4))).toBe(true);
      expect(await store.models.live('m')).toEqual({ name: 'm', version: 2, since: 4 });
      expect((await store.models.events('m', 5)).map((x) => x.version)).toEqual([2, 1]);

      const lease = { name: 'm', token: 't1', holder: 'process 1 on a', actor: 'schedule', since: 100, until: 200 };
      expect(await store.models.takeTraining(lease)).toEqual(lease);
      expect(await store.models.takeTraining({ ...lease, token: 't2', since: 150, until: 250 })).toEqual(lease);
      expect(await store.models.renewTraining('m', 't2', 300)).toBe(false);
      expect(await store.models.renewTraining('m', 't1', 300)).toBe(true);
      // Lapsed (300 < 301): taken over.
      expect(await store.models.takeTraining({ ...lease, token: 't2', since: 301, until: 400 })).toMatchObject({ token: 't2' });
      await store.models.releaseTraining('m', 't1');
      expect(await store.models.takeTraining({ ...lease, token: 't3', since: 302, until: 400 })).toMatchObject({ token: 't2' });
      await store.models.releaseTraining('m', 't2');
      expect(await store.models.takeTraining({ ...lease, token: 't3', since: 303, until: 400 })).toMatchObject({ token: 't3' });
    });
  });
}
