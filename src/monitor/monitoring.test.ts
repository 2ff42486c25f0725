import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openTestStore } from '../../test/harness.js';
import { Settings } from '../config/settings.js';
import type { DecisionRecord } from '../decide/decision.js';
import { policyKind } from '../decide/kinds.js';
import { segmentsKind } from '../segments/segments-kind.js';
import { initialMonitorState, monitorStep } from '../measure/monitors/monitor.js';
import type { Store } from '../store/store.js';
import { alertView, toStoredAlert } from './alerts.js';
import type { MonitorStore } from './monitor-store.js';
import { Monitoring } from './monitoring.js';
import { monitorsKind } from './monitors-kind.js';
import { stateDiff } from './state-diff.js';
import { firingNegativeRate } from './firing-events.js';

const T = Date.UTC(2026, 5, 1);

function decision(id: string, action: string): DecisionRecord {
  return {
    id, at: T, profileKey: 'p', subject: 's', placement: 'home', channel: 'web', context: {}, policyVersion: 1, catalogVersion: 1, modelVersion: 'm', arm: 'treatment',
    choices: [{ rank: 1, kind: 'action', action, score: 1, propensity: 1, why: '' }], scored: [], excluded: [], facts: {}, absentFacts: [], operator: '', customer: '', excludedByStage: {},
  };
}

const exposures = async (m: MonitorStore) => {
  const { state } = await m.loadState();
  return Object.values(state?.series ?? {}).reduce((n, s) => n + Object.values(s.buckets).reduce((k, c) => k + c.exposures, 0), 0);
};

describe('Monitoring steps', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let monitoring: Monitoring;
  let monitors: MonitorStore;
  beforeEach(async () => {
    ({ store, cleanup } = await openTestStore('sqlite'));
    const settings = new Settings(store.documents, [policyKind, monitorsKind]);
    await settings.reload();
    monitors = store.monitors;
    // The store the service sees: the real one, with its commit replaced per test.
    const seen = Object.create(store) as Store & { monitors: MonitorStore };
    Object.defineProperty(seen, 'monitors', { get: () => monitors });
    monitoring = new Monitoring({ store: seen, settings, log: pino({ level: 'silent' }), now: () => T + 1000 });
  });
  afterEach(async () => cleanup());

  it('a step that lost the race to another process is redone on the new state: nothing lost, nothing twice', async () => {
    const real = store.monitors;
    let raced = false;
    monitors = Object.assign(Object.create(real) as MonitorStore, {
      commitStep: async (w: Parameters<MonitorStore['commitStep']>[0]) => {
        if (!raced) {
          raced = true;
          // Another process commits between our read and our write.
          expect(await real.commitStep({ expectedVersion: w.expectedVersion, at: T, tracks: initialMonitorState().tracks, upsert: [], remove: [], raised: [], resolved: [] })).toBe(true);
        }
        return real.commitStep(w);
      },
    });
    monitoring.onDecision(decision('d1', 'shoes'));
    monitoring.onDecision(decision('d2', 'socks'));
    expect(monitoring.depth).toBe(2);
    expect(await monitoring.step()).toMatchObject({ events: 2, committed: true });
    expect(monitoring.depth).toBe(0);
    expect(await real.loadState()).toMatchObject({ version: 2 });
    expect(await exposures(real)).toBe(2);
  });

  it('keeps its events when the store fails, and folds them at the next step', async () => {
    const real = store.monitors;
    monitors = Object.assign(Object.create(real) as MonitorStore, { commitStep: async () => { throw new Error('disk full'); } });
    monitoring.onDecision(decision('d1', 'shoes'));
    await expect(monitoring.step()).rejects.toThrow('disk full');
    monitoring.onDecision(decision('d2', 'shoes'));
    expect(monitoring.depth).toBe(2);
    monitors = real;
    expect(await monitoring.step()).toMatchObject({ events: 2, committed: true });
    expect(await exposures(real)).toBe(2);
    // nothing new: the step commits nothing
    expect(await monitoring.step()).toMatchObject({ events: 0, committed: false });
  });

  it('commits what is pending when it closes', async () => {
    monitoring.onDecision(decision('d1', 'shoes'));
    await monitoring.close();
    expect(monitoring.depth).toBe(0);
    expect(await exposures(store.monitors)).toBe(1);
  });
});

describe('Monitoring timer', () => {
  afterEach(() => vi.useRealTimers());

  it('steps after an interval longer than setTimeout can hold (2^31 − 1 ms ≈ 24.8 days), not every millisecond', async () => {
    // The store's own timers stay real: only the monitors' timer runs on the fake clock.
    const { store, cleanup } = await openTestStore('sqlite');
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    const compiled = monitorsKind.compile({ interval: '30d' });
    // 30 d = 30 × 86,400,000 ms = 2,592,000,000 ms > 2^31 − 1 = 2,147,483,647 ms (Node's longest timer).
    expect(compiled.intervalMs).toBe(2_592_000_000);
    const settings = { get: (k: { kind: string }) => (k.kind === 'monitors' ? compiled : k.kind === 'policy' ? policyKind.compile({}) : undefined), onChange: () => {} } as unknown as Settings;
    const m = new Monitoring({ store, settings, log: pino({ level: 'silent' }) });
    let steps = 0;
    m.step = async () => (steps++, { events: 0, raised: [], resolved: [], reopened: [], committed: false });
    m.webhook.deliverDue = async () => 0;
    m.start();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(steps).toBe(0);
    await vi.advanceTimersByTimeAsync(2_592_000_000 - 1_000 - 1);
    expect(steps).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(steps).toBe(1);
    await vi.advanceTimersByTimeAsync(2_592_000_000);
    expect(steps).toBe(2);
    await m.close();
    vi.useRealTimers();
    await cleanup();
  });
});

describe('Monitoring when monitors are turned off', () => {
  it('closes the open alerts at the next step, with the reason, and leaves no active track', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    // A firing negative-rate alert (unsubscribes from 1% to 20%), as src/monitor/webhook.test.ts raises it.
    const H = 3_600_000;
    const events = firingNegativeRate();
    const config = { ...monitorsKind.compile({}).config, baselineWindowMs: 6 * H };
    const r = monitorStep(initialMonitorState(), events, 7 * H - 1, config);
    expect(r.alerts.map((a) => a.metric)).toEqual(['negative-rate']);
    const alert = toStoredAlert(r.alerts[0], { decisions: [], outcomes: [] }, false);
    expect(await store.monitors.commitStep({ expectedVersion: 0, at: 7 * H - 1, tracks: r.state.tracks, ...stateDiff(initialMonitorState(), r.state), raised: [alert], resolved: [] })).toBe(true);

    const compiled = { ...monitorsKind.compile({ enabled: false }), config };
    const settings = { get: (k: { kind: string }) => (k.kind === 'monitors' ? compiled : k.kind === 'policy' ? policyKind.compile({}) : undefined), onChange: () => {} } as unknown as Settings;
    const m = new Monitoring({ store, settings, log: pino({ level: 'silent' }), now: () => 7 * H });
    expect(await m.step()).toMatchObject({ resolved: [alert.id], committed: true });
    const closed = await store.monitors.getAlert(alert.id);
    expect(closed).toMatchObject({ status: 'resolved', resolvedAt: 7 * H });
    expect(closed?.resolvedReason).toMatch(/monitors were turned off in the configuration/);
    expect(alertView(closed!).resolvedReason).toBe(closed?.resolvedReason);
    const { state } = await store.monitors.loadState();
    expect(Object.values(state!.tracks).some((t) => t.active)).toBe(false);
    // nothing more to close
    expect(await m.step()).toMatchObject({ resolved: [], committed: false });
    await cleanup();
  });
});

describe('Monitoring when a segment is removed', () => {
  const H = 3_600_000;
  /** A decision at `at` showing `action` at "home", the subject in `segment` (null: in none). */
  const at = (id: string, action: string, when: number, segment: string | null): DecisionRecord => ({ ...decision(id, action), at: when, segment });

  for (const removed of [true, false]) {
    it(`${removed ? 'raises no alert on its volume dropping to zero' : 'still alerts on a defined segment whose volume drops to zero'}`, async () => {
      const { store, cleanup } = await openTestStore('sqlite');
      const clock = { t: T };
      let audiences = [{ name: 'vip' }];
      const compiled = monitorsKind.compile({ bucket: '10m', currentWindow: '1h', baselineWindow: '5h' });
      const settings = {
        get: (k: { kind: string }) => (k.kind === 'monitors' ? compiled : k.kind === 'policy' ? policyKind.compile({}) : k.kind === segmentsKind.kind ? { audiences, microSegments: null } : undefined),
        onChange: () => {},
      } as unknown as Settings;
      const m = new Monitoring({ store, settings, log: pino({ level: 'silent' }), now: () => clock.t });
      const hour = async (h: number, segment: string | null) => {
        for (let i = 0; i < 120; i++) m.onDecision(at(`d-${h}-${i}`, 'promo', T + h * H + i * 30_000, segment));
        clock.t = T + (h + 1) * H;
        return m.step();
      };
      for (let h = 0; h < 5; h++) expect((await hour(h, 'vip')).raised).toEqual([]);
      // The sixth hour: no decision names "vip" any more — its audience was taken out of the
      // segments document, or (the control) its members left it.
      if (removed) audiences = [];
      const r = await hour(5, null);
      const raised = await Promise.all(r.raised.map(async (id) => (await store.monitors.getAlert(id))!));
      expect(raised.map((a) => `${a.action}|${a.placement}|${a.segment} ${a.metric} ${a.direction}`)).toEqual(removed ? [] : ['promo|home|vip volume low']);
      await cleanup();
    });
  }
});

describe('Monitoring at shutdown', () => {
  it('waits for a webhook post in flight, so its result is recorded (not posted again after the restart)', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    const H = 3_600_000;
    const events = firingNegativeRate();
    const r = monitorStep(initialMonitorState(), events, 7 * H - 1, { baselineWindowMs: 6 * H });
    const alert = toStoredAlert(r.alerts[0], { decisions: [], outcomes: [] }, true);
    expect(await store.monitors.commitStep({ expectedVersion: 0, at: 7 * H - 1, tracks: r.state.tracks, ...stateDiff(initialMonitorState(), r.state), raised: [alert], resolved: [] })).toBe(true);

    // The receiver takes the post and answers only when the test lets it.
    let arrived!: () => void;
    const posted = new Promise<void>((resolve) => (arrived = resolve));
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        arrived();
        void answered.then(() => res.writeHead(200).end());
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const compiled = monitorsKind.compile({ webhook: { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` } });
      const settings = { get: (k: { kind: string }) => (k.kind === 'monitors' ? compiled : k.kind === 'policy' ? policyKind.compile({}) : undefined), onChange: () => {} } as unknown as Settings;
      const m = new Monitoring({ store, settings, log: pino({ level: 'silent' }), now: () => 7 * H });
      const delivering = m.webhook.deliverDue();
      await posted;
      let closed = false;
      const closing = m.close().then(() => (closed = true));
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
      // Closed now, the store would be closed under the post: its result lost, the alert posted again after the lease.
      expect(closed).toBe(false);
      answer();
      await closing;
      expect(await delivering).toBe(1);
      expect((await store.monitors.getAlert(alert.id))?.delivery).toMatchObject({ state: 'delivered', attempts: 1 });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await cleanup();
    }
  });
});
