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
    raisedAt: T, resolvedAt: null, resolvedReason: null, acknowledgedAt: null, acknowledgedBy: null,
    delivery: { state: 'pending', attempts: 0, nextAttemptAt: T, lastError: null, deliveredAt: null },
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
  });
}
