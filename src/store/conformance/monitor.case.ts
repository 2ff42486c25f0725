import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestStore, type StoreKind } from '../../../test/harness.js';
import { initialMonitorState, type MonitorState } from '../../measure/monitors/monitor.js';
import type { StoredAlert } from '../../monitor/monitor-store.js';
import type { Store } from '../store.js';

const T = Date.UTC(2026, 5, 1);

function alert(id: string, over: Partial<StoredAlert> = {}): StoredAlert {
  const counts = { exposures: 120, responses: 6, negatives: 15, predicted: 0 };
  return {
    id, status: 'open', action: 'b', placement: 'home', segment: 'all', metric: 'negative-rate', direction: 'high',
    observed: 0.125, expected: { low: 0, high: 0.05, center: 0.01 }, pValue: 1e-9,
    evidence: { current: counts, baseline: { ...counts, exposures: 600, negatives: 6 }, window: { from: T - 3_600_000, to: T } },
    message: 'Negative-outcome rate is above its expected band.', examples: { decisions: ['d1'], outcomes: ['o1'] },
    raisedAt: T, resolvedAt: null, acknowledgedAt: null, acknowledgedBy: null,
    delivery: { state: 'pending', attempts: 0, nextAttemptAt: T, lastError: null, deliveredAt: null },
    ...over,
  };
}

const stateWith = (n: number): MonitorState => ({ ...initialMonitorState(), tracks: { [`k#${n}`]: { active: true, direction: 'high', firedAt: n, lastFiredAt: n } } });

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
      expect(await store.monitors.commitStep({ state: stateWith(1), expectedVersion: 0, at: T, raised: [], resolved: [] })).toBe(true);
      // a second process that also read version 0 loses, and writes nothing (not even its alerts)
      expect(await store.monitors.commitStep({ state: stateWith(2), expectedVersion: 0, at: T, raised: [alert('alert-lost')], resolved: [] })).toBe(false);
      expect(await store.monitors.getAlert('alert-lost')).toBeUndefined();
      expect(await store.monitors.loadState()).toEqual({ state: stateWith(1), version: 1 });
      expect(await store.monitors.commitStep({ state: stateWith(3), expectedVersion: 1, at: T, raised: [alert('alert-1')], resolved: [] })).toBe(true);
      expect(await store.monitors.commitStep({ state: stateWith(4), expectedVersion: 1, at: T, raised: [], resolved: [] })).toBe(false);
      expect(await store.monitors.loadState()).toEqual({ state: stateWith(3), version: 2 });
      expect(await store.monitors.getAlert('alert-1')).toEqual(alert('alert-1'));
    });

    it('lists alerts newest first by status, action and time; acknowledges and resolves them', async () => {
      await store.monitors.commitStep({
        state: stateWith(1), expectedVersion: 0, at: T,
        raised: [alert('alert-a', { raisedAt: T - 2000 }), alert('alert-b', { action: 'c', raisedAt: T - 1000 }), alert('alert-c', { raisedAt: T })],
        resolved: [],
      });
      expect((await store.monitors.listAlerts({ limit: 10 })).map((a) => a.id)).toEqual(['alert-c', 'alert-b', 'alert-a']);
      expect((await store.monitors.listAlerts({ action: 'b', limit: 10 })).map((a) => a.id)).toEqual(['alert-c', 'alert-a']);
      expect((await store.monitors.listAlerts({ since: T - 1000, limit: 10 })).map((a) => a.id)).toEqual(['alert-c', 'alert-b']);
      expect((await store.monitors.listAlerts({ limit: 1 })).map((a) => a.id)).toEqual(['alert-c']);

      const acked = await store.monitors.acknowledge('alert-a', 'ops on call', T + 5);
      expect(acked).toMatchObject({ id: 'alert-a', status: 'acknowledged', acknowledgedBy: 'ops on call', acknowledgedAt: T + 5 });
      expect(await store.monitors.acknowledge('alert-missing', 'x', T)).toBeUndefined();
      await store.monitors.commitStep({ state: stateWith(2), expectedVersion: 1, at: T + 10, raised: [], resolved: ['alert-a', 'alert-b'] });
      expect(await store.monitors.getAlert('alert-a')).toMatchObject({ status: 'resolved', resolvedAt: T + 10, acknowledgedBy: 'ops on call' });
      // a resolved alert is not acknowledged any more
      expect(await store.monitors.acknowledge('alert-b', 'late', T + 20)).toMatchObject({ status: 'resolved', acknowledgedAt: null });
      expect((await store.monitors.listAlerts({ status: 'open', limit: 10 })).map((a) => a.id)).toEqual(['alert-c']);
      expect((await store.monitors.listAlerts({ status: 'resolved', limit: 10 })).map((a) => a.id)).toEqual(['alert-b', 'alert-a']);
    });

    it('leases each due delivery to one claimer until it is recorded or the lease runs out', async () => {
      await store.monitors.commitStep({
        state: stateWith(1), expectedVersion: 0, at: T,
        raised: [alert('alert-due'), alert('alert-later', { delivery: { state: 'pending', attempts: 1, nextAttemptAt: T + 60_000, lastError: 'the webhook answered 503', deliveredAt: null } }), alert('alert-none', { delivery: { state: 'none', attempts: 0, nextAttemptAt: null, lastError: null, deliveredAt: null } })],
        resolved: [],
      });
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
