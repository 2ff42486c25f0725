import type { MonitorMetric, MonitorState } from '../measure/monitors/monitor.js';
import type { BucketRow } from './state-diff.js';

/** Where a webhook delivery of an alert stands. */
export interface AlertDelivery {
  /** `none`: no webhook was configured when the alert was raised. */
  state: 'pending' | 'delivered' | 'failed' | 'none';
  attempts: number;
  /** When the next attempt is due (epoch ms); null once delivered or given up. */
  nextAttemptAt: number | null;
  lastError: string | null;
  deliveredAt: number | null;
}

/**
 * An alert as Tact keeps it: where (action, placement, segment), which metric, observed against
 * the expected band, the evidence, example decisions and outcomes behind it, and its life
 * (open → acknowledged and/or resolved) and webhook delivery.
 */
export interface StoredAlert {
  id: string;
  status: 'open' | 'acknowledged' | 'resolved';
  action: string;
  placement: string;
  segment: string;
  metric: MonitorMetric;
  direction: 'high' | 'low';
  observed: number;
  expected: { low: number; high: number; center: number };
  pValue: number;
  evidence: {
    current: { exposures: number; responses: number; negatives: number; predicted: number };
    baseline: { exposures: number; responses: number; negatives: number; predicted: number };
    window: { from: number; to: number };
  };
  message: string;
  examples: { decisions: string[]; outcomes: string[] };
  raisedAt: number;
  resolvedAt: number | null;
  /** Why it was closed without recovering (its metric, or the monitors, removed from the configuration); null otherwise. */
  resolvedReason: string | null;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  delivery: AlertDelivery;
}

/** A filter of the alert list, newest first. */
export interface AlertQuery {
  status?: StoredAlert['status'];
  action?: string;
  /** Raised at or after (epoch ms). */
  since?: number;
  limit: number;
}

/** One committed monitor step: the counter buckets it changed, the alert tracks, the alerts it raised and the ones it resolved. */
export interface MonitorStepWrite {
  /** The version the step started from (0: none stored yet). */
  expectedVersion: number;
  at: number;
  tracks: MonitorState['tracks'];
  /** Buckets written (inserted or replaced). */
  upsert: BucketRow[];
  /** Buckets deleted (aged out, or merged into an hourly one). */
  remove: { keyId: string; start: number }[];
  raised: StoredAlert[];
  /** Ids of alerts that recovered. */
  resolved: string[];
  /** Alerts closed without recovering, each with the reason (what watched them was removed from the configuration). */
  closed?: { id: string; reason: string }[];
}

/**
 * Storage of the monitors, in domain types only: the monitor state (counter buckets as rows, so a
 * step writes only what it changed, and a version, so several processes on one PostgreSQL
 * database never fold the same step twice), the alerts, and
 * the webhook deliveries (claimed with a lease, so one process sends each). Two implementations:
 * src/store/sqlite/monitors.ts and src/store/postgres/monitors.ts, both run through
 * src/store/conformance/monitor.case.ts.
 *
 * @example
 * const { state, version } = await store.monitors.loadState();
 * const saved = await store.monitors.commitStep({ expectedVersion: version, at: now, tracks, ...stateDiff(state, next), raised, resolved: [] });
 */
export interface MonitorStore {
  /** The stored state and its version (version 0 and null state when none was stored). */
  loadState(): Promise<{ state: MonitorState | null; version: number }>;
  /** The stored state's version alone (0 when none): a process whose cached state has it need not read the state. */
  stateVersion(): Promise<number>;
  /**
   * Writes the changed buckets and the tracks, inserts the raised alerts and resolves the recovered and the closed ones in one transaction
   * — only when the stored version is still `expectedVersion`. False: another process stepped
   * first; nothing was written.
   */
  commitStep(w: MonitorStepWrite): Promise<boolean>;
  getAlert(id: string): Promise<StoredAlert | undefined>;
  listAlerts(q: AlertQuery): Promise<StoredAlert[]>;
  /** Marks an open alert acknowledged; returns it (unchanged when it was not open), undefined when unknown. */
  acknowledge(id: string, by: string, at: number): Promise<StoredAlert | undefined>;
  /** Pending deliveries due at `now`, each leased until `now + leaseMs` so no other process takes it. */
  claimDeliveries(now: number, leaseMs: number, limit: number): Promise<StoredAlert[]>;
  /** Records the result of a delivery attempt. */
  recordDelivery(id: string, d: AlertDelivery): Promise<void>;
}
