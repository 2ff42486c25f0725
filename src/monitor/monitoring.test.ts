import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestStore } from '../../test/harness.js';
import { Settings } from '../config/settings.js';
import type { DecisionRecord } from '../decide/decision.js';
import { policyKind } from '../decide/kinds.js';
import { initialMonitorState } from '../measure/monitors/monitor.js';
import type { Store } from '../store/store.js';
import type { MonitorStore } from './monitor-store.js';
import { Monitoring } from './monitoring.js';
import { monitorsKind } from './monitors-kind.js';

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
