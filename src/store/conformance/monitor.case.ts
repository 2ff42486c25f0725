import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestStore, type StoreKind } from '../../../test/harness.js';
import type { MonitorState } from '../../measure/monitors/monitor.js';
import type { MonitorStepWrite, StoredAlert } from '../../monitor/monitor-store.js';
import type { Store } from '../store.js';

const T = Date.UTC(2026, 5, 1);

function alert(id: string, over: Partial<StoredAlert> = {}): StoredAlert {
  const counts = { exposures: 120, responses: 6, negatives: 15, predicted: 0 };
  return {
    id, status: 'open', action: 'b', placement: 'home', segment: 'all', metric: 'negative-rate', direction: 'high',
    observed: 0.125, expected: { low: 0, high: 0.05, center: 0.01 }, pValue: 1e-9,
    evidence: { current: counts, baseline: { ...counts, exposures: 600, negatives: 6 }, window: { from: T - 3_600_000, to: T } },
    message: 'Negative-outcome rate is above its expected band.', examples: { decisions: ['d1'], outcomes: ['o1'] },
    raisedAt: T, resolvedAt: null, resolvedReason: null, resolution: null, acknowledgedAt: null, acknowledgedBy: null, reopenedAt: null, reopenCount: 0,
    delivery: { state: 'pending', attempts: 0, nextAttemptAt: T, lastError: null, deliveredAt: null }, resolvedDelivery: null,
    ...over,
  };
}

const tracksWith = (n: number): MonitorState['tracks'] => ({ [`k#${n}`]: { active: true, direction: 'high', firedAt: n, lastFiredAt: n } });
const counts = (exposures: number, predicted = 0.5) => ({ exposures, responses: 1, negatives: 2, predicted, predictedSq: predicted / 4, predictedExposures: exposures });
const promo = { action: 'promo', placement: 'email', segment: 'all' };
const winback = { action: 'win|back', placement: 'email', segment: 'vip' };
/** A step write with nothing in it but the tracks of `n`. */
const step = (n: number, expectedVersion: number, over: Partial<MonitorStepWrite> = {}): MonitorStepWrite => ({ expectedVersion, at: T, tracks: tracksWith(n), upsert: [], remove: [], raised: [], resolved: [], ...over });

/** The monitors' state, alerts and webhook deliveries: the same on every store. */
export function monitorConformance(kind: StoreKind): void {
  describe(`monitors (${kind})`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ store, cleanup } = await openTestStore(kind));
    });
    afterEach(async () => cleanup());

    it('commits a step only from the version it read (two processes never fold the same step twice)', async () => {
      expect(await store.monitors.loadState()).toEqual({ state: null, version: 0 });
      expect(await store.monitors.stateVersion()).toBe(0);
      expect(await store.monitors.commitStep(step(1, 0, { upsert: [{ key: promo, start: T, counts: counts(10) }] }))).toBe(true);
      // a second process that also read version 0 loses, and writes nothing (no buckets, no alerts)
      expect(await store.monitors.commitStep(step(2, 0, { upsert: [{ key: winback, start: T, counts: counts(5) }], raised: [alert('alert-lost')] }))).toBe(false);
      expect(await store.monitors.getAlert('alert-lost')).toBeUndefined();
      expect(await store.monitors.loadState()).toEqual({ state: { series: { 'promo|email|all': { key: promo, buckets: { [T]: counts(10) } } }, tracks: tracksWith(1) }, version: 1 });
      expect(await store.monitors.commitStep(step(3, 1, { raised: [alert('alert-1')] }))).toBe(true);
      expect(await store.monitors.commitStep(step(4, 1))).toBe(false);
      expect(await store.monitors.stateVersion()).toBe(2);
      expect(await store.monitors.getAlert('alert-1')).toEqual(alert('alert-1'));
    });

    it('writes and deletes only the buckets a step names', async () => {
      await store.monitors.commitStep(step(1, 0, { upsert: [
        { key: promo, start: T, counts: counts(10) }, { key: promo, start: T + 300_000, counts: counts(3) }, { key: winback, start: T, counts: counts(7, 0.1) },
      ] }));
      await store.monitors.commitStep(step(1, 1, {
        upsert: [{ key: promo, start: T + 300_000, counts: counts(4) }, { key: winback, start: T + 600_000, counts: counts(1) }],
        remove: [{ keyId: 'promo|email|all', start: T }, { keyId: 'win|back|email|vip', start: 12345 }],
      }));
      const { state } = await store.monitors.loadState();
      expect(state!.series).toEqual({
        'promo|email|all': { key: promo, buckets: { [T + 300_000]: counts(4) } },
        'win|back|email|vip': { key: winback, buckets: { [T]: counts(7, 0.1), [T + 600_000]: counts(1) } },
      });
    });
    it('loads a state of more buckets than one page', async () => {
      const upsert = Array.from({ length: 12_001 }, (_, i) => ({ key: i % 2 ? promo : winback, start: T + i * 300_000, counts: counts(i + 1) }));
      expect(await store.monitors.commitStep(step(1, 0, { upsert }))).toBe(true);
      const { state } = await store.monitors.loadState();
      expect(Object.keys(state!.series['promo|email|all'].buckets)).toHaveLength(6000);
      expect(Object.keys(state!.series['win|back|email|vip'].buckets)).toHaveLength(6001);
      expect(state!.series['promo|email|all'].buckets[T + 11_999 * 300_000]).toEqual(counts(12_000));
    });

    it('lists alerts newest first by status, action and time; acknowledges and resolves them', async () => {
      await store.monitors.commitStep(step(1, 0, { raised: [alert('alert-a', { raisedAt: T - 2000 }), alert('alert-b', { action: 'c', raisedAt: T - 1000 }), alert('alert-c', { raisedAt: T })] }));
      expect((await store.monitors.listAlerts({ limit: 10 })).map((a) => a.id)).toEqual(['alert-c', 'alert-b', 'alert-a']);
      expect((await store.monitors.listAlerts({ action: 'b', limit: 10 })).map((a) => a.id)).toEqual(['alert-c', 'alert-a']);
      expect((await store.monitors.listAlerts({ since: T - 1000, limit: 10 })).map((a) => a.id)).toEqual(['alert-c', 'alert-b']);
      expect((await store.monitors.listAlerts({ limit: 1 })).map((a) => a.id)).toEqual(['alert-c']);

      const acked = await store.monitors.acknowledge('alert-a', 'ops on call', T + 5);
      expect(acked).toMatchObject({ id: 'alert-a', status: 'acknowledged', acknowledgedBy: 'ops on call', acknowledgedAt: T + 5 });
      expect(await store.monitors.acknowledge('alert-missing', 'x', T)).toBeUndefined();
      await store.monitors.commitStep(step(2, 1, { at: T + 10, resolved: ['alert-a', 'alert-b'] }));
      expect(await store.monitors.getAlert('alert-a')).toMatchObject({ status: 'resolved', resolvedAt: T + 10, acknowledgedBy: 'ops on call' });
      // a resolved alert is not acknowledged any more
      expect(await store.monitors.acknowledge('alert-b', 'late', T + 20)).toMatchObject({ status: 'resolved', acknowledgedAt: null });
      expect((await store.monitors.listAlerts({ status: 'open', limit: 10 })).map((a) => a.id)).toEqual(['alert-c']);
      expect((await store.monitors.listAlerts({ status: 'resolved', limit: 10 })).map((a) => a.id)).toEqual(['alert-b', 'alert-a']);
    });

    it('pages the alerts by their position: every alert once, those raised in the same millisecond included', async () => {
      const raised = ['a', 'b', 'c', 'd', 'e'].map((x, i) => alert(`alert-${x}`, { raisedAt: i < 3 ? T : T - 1000 }));
      await store.monitors.commitStep(step(1, 0, { raised }));
      const seen: string[] = [];
      let after: { at: number; id: string } | undefined;
      for (let page = 0; page < 5; page++) {
        const list = await store.monitors.listAlerts({ limit: 2, after });
        seen.push(...list.map((a) => a.id));
        if (list.length < 2) break;
        after = { at: list[1].raisedAt, id: list[1].id };
      }
      expect(seen).toEqual(['alert-a', 'alert-b', 'alert-c', 'alert-d', 'alert-e']);
      expect((await store.monitors.listAlerts({ limit: 10, action: 'b', after: { at: T, id: 'alert-b' } })).map((a) => a.id)).toEqual(['alert-c', 'alert-d', 'alert-e']);
    });

    it('closes alerts with the reason they were closed, once (a resolved alert keeps its first resolution)', async () => {
      await store.monitors.commitStep(step(1, 0, { raised: [alert('alert-a'), alert('alert-b'), alert('alert-c')] }));
      await store.monitors.acknowledge('alert-b', 'ops', T + 1);
      await store.monitors.commitStep(step(2, 1, { at: T + 5, resolved: ['alert-c'] }));
      const reason = 'The metric "negative-rate" was removed from the configuration.';
      expect(await store.monitors.commitStep(step(3, 2, { at: T + 10, closed: [{ id: 'alert-a', reason }, { id: 'alert-b', reason }, { id: 'alert-c', reason }] }))).toBe(true);
      expect(await store.monitors.getAlert('alert-a')).toMatchObject({ status: 'resolved', resolvedAt: T + 10, resolvedReason: reason });
      expect(await store.monitors.getAlert('alert-b')).toMatchObject({ status: 'resolved', resolvedAt: T + 10, resolvedReason: reason, acknowledgedBy: 'ops' });
      expect(await store.monitors.getAlert('alert-c')).toMatchObject({ status: 'resolved', resolvedAt: T + 5, resolvedReason: null });
    });

    it('leases each due delivery to one claimer until it is recorded or the lease runs out', async () => {
      await store.monitors.commitStep(step(1, 0, {
        raised: [alert('alert-due'), alert('alert-later', { delivery: { state: 'pending', attempts: 1, nextAttemptAt: T + 60_000, lastError: 'the webhook answered 503', deliveredAt: null } }), alert('alert-none', { delivery: { state: 'none', attempts: 0, nextAttemptAt: null, lastError: null, deliveredAt: null } })],
      }));
      expect((await store.monitors.claimDeliveries(T, 10_000, 10)).map((a) => a.id)).toEqual(['alert-due']);
      expect(await store.monitors.claimDeliveries(T + 1, 10_000, 10)).toEqual([]);
      // the claimer died: after the lease another one takes it
      expect((await store.monitors.claimDeliveries(T + 10_000, 10_000, 10)).map((a) => a.id)).toEqual(['alert-due']);
      await store.monitors.recordDelivery('alert-due', { state: 'delivered', attempts: 1, nextAttemptAt: null, lastError: null, deliveredAt: T + 10_001 });
      expect((await store.monitors.getAlert('alert-due'))?.delivery).toEqual({ state: 'delivered', attempts: 1, nextAttemptAt: null, lastError: null, deliveredAt: T + 10_001 });
      expect((await store.monitors.claimDeliveries(T + 60_000, 10_000, 10)).map((a) => a.id)).toEqual(['alert-later']);
    });

    it('queues the resolution of an alert whose opening the receiver hears, and sends it only once the opening is settled', async () => {
      const delivered = { state: 'delivered' as const, attempts: 1, nextAttemptAt: null, lastError: null, deliveredAt: T + 1 };
      const none = { state: 'none' as const, attempts: 0, nextAttemptAt: null, lastError: null, deliveredAt: null };
      await store.monitors.commitStep(step(1, 0, { raised: [alert('alert-raising'), alert('alert-told', { delivery: delivered }), alert('alert-untold', { delivery: none }), alert('alert-quiet', { delivery: delivered })] }));
      await store.monitors.commitStep(step(2, 1, { at: T + 10, resolved: ['alert-raising', 'alert-told', 'alert-untold'], notify: true }));
      // Closed (its metric removed) the same way, and resolved with no webhook configured: nothing to send.
      await store.monitors.commitStep(step(3, 2, { at: T + 10, closed: [{ id: 'alert-quiet', reason: 'gone' }] }));
      const queued = { state: 'pending', attempts: 0, nextAttemptAt: T + 10, lastError: null, deliveredAt: null };
      expect((await store.monitors.getAlert('alert-told'))?.resolvedDelivery).toEqual(queued);
      expect((await store.monitors.getAlert('alert-raising'))?.resolvedDelivery).toEqual(queued);
      expect((await store.monitors.getAlert('alert-untold'))?.resolvedDelivery).toEqual(none);
      expect((await store.monitors.getAlert('alert-quiet'))?.resolvedDelivery).toEqual(none);
      expect((await store.monitors.getAlert('alert-b'))).toBeUndefined();

      // The raise still pending: its opening is claimed, not its resolution; the other's resolution is.
      const claimed = await store.monitors.claimDeliveries(T + 10, 1_000, 10);
      expect(claimed.map((a) => [a.id, a.delivery.state, a.resolvedDelivery?.state]).sort()).toEqual([['alert-raising', 'pending', 'pending'], ['alert-told', 'delivered', 'pending']]);
      expect(await store.monitors.claimDeliveries(T + 11, 1_000, 10)).toEqual([]);
      await store.monitors.recordDelivery('alert-told', { ...delivered, deliveredAt: T + 12 }, { notice: 'resolution', reopenCount: 0 });
      const told = await store.monitors.getAlert('alert-told');
      expect([told?.delivery, told?.resolvedDelivery]).toEqual([delivered, { ...delivered, deliveredAt: T + 12 }]);
      // The raise delivered, its resolution comes due (its lease is the opening's no more).
      await store.monitors.recordDelivery('alert-raising', { ...delivered, deliveredAt: T + 13 }, { notice: 'opening', reopenCount: 0 });
      const next = await store.monitors.claimDeliveries(T + 13, 1_000, 10);
      expect(next.map((a) => [a.id, a.delivery.state, a.resolvedDelivery?.state])).toEqual([['alert-raising', 'delivered', 'pending']]);
      // A raise given up: the resolution is due (the deliverer sends the raise first).
      await store.monitors.commitStep(step(4, 3, { at: T + 20, raised: [alert('alert-failed', { delivery: { state: 'failed', attempts: 18, nextAttemptAt: null, lastError: 'the webhook answered 503', deliveredAt: null } })] }));
      await store.monitors.commitStep(step(5, 4, { at: T + 30, resolved: ['alert-failed'], notify: true }));
      expect((await store.monitors.claimDeliveries(T + 30, 1_000, 10)).map((a) => a.id)).toEqual(['alert-failed']);
    });

    it('reopens a resolved alert: open and unacknowledged again, showing the relapse, its opening queued anew; a result for the earlier notices is dropped', async () => {
      const delivered = { state: 'delivered' as const, attempts: 1, nextAttemptAt: null, lastError: null, deliveredAt: T + 1 };
      await store.monitors.commitStep(step(1, 0, { raised: [alert('alert-a', { delivery: delivered }), alert('alert-open')] }));
      await store.monitors.acknowledge('alert-a', 'ops', T + 2);
      await store.monitors.commitStep(step(2, 1, { at: T + 10, resolved: ['alert-a'], notify: true }));
      expect((await store.monitors.claimDeliveries(T + 10, 60_000, 10)).map((a) => a.id)).toEqual(['alert-open', 'alert-a']);
      const { expected, evidence } = alert('x');
      const relapse = { direction: 'low' as const, observed: 0.5, expected, pValue: 1e-7, evidence: { ...evidence, window: { from: T, to: T + 20 } }, message: 'It is back.', examples: { decisions: ['d9'], outcomes: [] } };
      // An open alert is not reopened (only a resolved one is).
      expect(await store.monitors.commitStep(step(3, 2, { at: T + 20, reopened: [{ id: 'alert-a', at: T + 20, seen: relapse }, { id: 'alert-open', at: T + 20, seen: relapse }], notify: true }))).toBe(true);
      const a = await store.monitors.getAlert('alert-a');
      expect(a).toMatchObject({ status: 'open', resolvedAt: null, resolvedReason: null, acknowledgedAt: null, acknowledgedBy: null, reopenedAt: T + 20, reopenCount: 1, raisedAt: T, ...relapse });
      expect(a?.delivery).toEqual({ state: 'pending', attempts: 0, nextAttemptAt: T + 20, lastError: null, deliveredAt: null });
      expect(a?.resolvedDelivery).toBeNull();
      expect(await store.monitors.getAlert('alert-open')).toMatchObject({ reopenCount: 0, reopenedAt: null, observed: 0.125 });
      // The resolution claimed before the relapse answers late: its result is for a notice no longer due.
      await store.monitors.recordDelivery('alert-a', delivered, { notice: 'resolution', reopenCount: 0 });
      await store.monitors.recordDelivery('alert-a', delivered, { notice: 'opening', reopenCount: 0 });
      expect(await store.monitors.getAlert('alert-a')).toMatchObject({ resolvedDelivery: null, delivery: { state: 'pending', attempts: 0 } });
      expect((await store.monitors.listAlerts({ status: 'open', limit: 10 })).map((x) => x.id).sort()).toEqual(['alert-a', 'alert-open']);
      // Reopened without a webhook: nothing to send; resolved again, its resolution neither.
      await store.monitors.commitStep(step(4, 3, { at: T + 30, resolved: ['alert-a'] }));
      await store.monitors.commitStep(step(5, 4, { at: T + 40, reopened: [{ id: 'alert-a', at: T + 40, seen: relapse }] }));
      expect(await store.monitors.getAlert('alert-a')).toMatchObject({ reopenCount: 2, reopenedAt: T + 40, delivery: { state: 'none', nextAttemptAt: null } });
      await store.monitors.commitStep(step(6, 5, { at: T + 50, resolved: ['alert-a'], notify: true }));
      expect((await store.monitors.getAlert('alert-a'))?.resolvedDelivery).toMatchObject({ state: 'none' });
    });
  });
}
