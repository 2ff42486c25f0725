import type { MonitorMetric, MonitorState } from '../measure/monitors/monitor.js';
import type { BucketRow } from './state-diff.js';

/** Where a webhook delivery of an alert stands. */
export interface AlertDelivery {
  /** `none`: no webhook was configured when the notice arose, or it was removed before the notice was delivered (`lastError` says so); never sent. */
  state: 'pending' | 'delivered' | 'failed' | 'none';
  attempts: number;
  /** When the next attempt is due (epoch ms); null once delivered or given up. */
  nextAttemptAt: number | null;
  lastError: string | null;
  deliveredAt: number | null;
}

/**
 * The two notices a receiver hears of an alert: its opening (raised, or reopened by a relapse) and
 * its resolution.
 */
export type AlertNotice = 'opening' | 'resolution';

/**
 * An alert as Tact keeps it: where (action, placement, segment), which metric, observed against
 * the expected band, the evidence, example decisions and outcomes behind it, and its life
 * (open → acknowledged and/or resolved, reopened by a relapse within the cool-down) and the webhook
 * deliveries of its opening and of its resolution.
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
  /**
   * What the window showed when it recovered — its time (= `resolvedAt`), the observed value and the
   * sentence — beside the opening's `observed` and `message`, which stay as they were; null while it
   * is open, when it was closed without recovering (`resolvedReason`), and for alerts resolved before
   * 2026-12-06 (the recovery was only logged then).
   */
  resolution: AlertResolution | null;
  /** When a relapse within the cool-down last opened it again (its observation, evidence and message are then the relapse's); null if never. */
  reopenedAt: number | null;
  reopenCount: number;
  /** The webhook delivery of its opening: the raise, or its latest reopening. */
  delivery: AlertDelivery;
  /**
   * The webhook delivery of its latest resolution; null while it is open. It is due only once the
   * opening is no longer pending (a receiver never hears "resolved" before "raised"), and it is
   * `none` when the receiver was never going to hear of the opening.
   */
  resolvedDelivery: AlertDelivery | null;
}

/** What the current window showed when an alert recovered. */
export interface AlertResolution {
  at: number;
  observed: number;
  message: string;
}

/** What a relapse showed: it replaces the alert's observation when the alert reopens. */
export type AlertObservation = Pick<StoredAlert, 'direction' | 'observed' | 'expected' | 'pValue' | 'evidence' | 'message' | 'examples'>;

/** An alert that a relapse within the cool-down opened again, at `at`. */
export interface AlertReopening {
  id: string;
  at: number;
  seen: AlertObservation;
}

/** Which delivery a result is for: a result for an earlier opening (the alert reopened since) is dropped. */
export interface DeliveryTarget {
  notice: AlertNotice;
  /** The alert's `reopenCount` when the delivery was claimed. */
  reopenCount: number;
}

/** A filter of the alert list, newest first. */
export interface AlertQuery {
  status?: StoredAlert['status'];
  action?: string;
  /** Raised at or after (epoch ms). */
  since?: number;
  /** The page after this alert (its raisedAt and id) in the list's order: newest first, then by id. */
  after?: { at: number; id: string };
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
  /** What those that recovered showed (each also in `resolved`; its `at` is the step's), stored as their `resolution`. */
  recoveries?: { id: string; observed: number; message: string }[];
  /** Alerts closed without recovering, each with the reason (what watched them was removed from the configuration). */
  closed?: { id: string; reason: string }[];
  /** Resolved alerts a relapse within the cool-down opened again: open, unacknowledged, showing the relapse. */
  reopened?: AlertReopening[];
  /**
   * A webhook is configured: each reopening, and each resolution (or closing) of an alert whose
   * opening the receiver heard or will hear, is queued for it, due at `at`. Otherwise it is `none`.
   */
  notify?: boolean;
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
   * Writes the changed buckets and the tracks, inserts the raised alerts, resolves the recovered and the closed ones and reopens the
   * relapsed ones in one transaction — only when the stored version is still `expectedVersion`. False: another process stepped
   * first; nothing was written.
   */
  commitStep(w: MonitorStepWrite): Promise<boolean>;
  getAlert(id: string): Promise<StoredAlert | undefined>;
  listAlerts(q: AlertQuery): Promise<StoredAlert[]>;
  /** Marks an open alert acknowledged; returns it (unchanged when it was not open), undefined when unknown. */
  acknowledge(id: string, by: string, at: number): Promise<StoredAlert | undefined>;
  /**
   * Alerts with a delivery due at `now`, each leased until `now + leaseMs` so no other process takes
   * it: the opening when it is pending, else the resolution (never before the opening is settled).
   */
  claimDeliveries(now: number, leaseMs: number, limit: number): Promise<StoredAlert[]>;
  /**
   * Records the result of a delivery attempt: of the opening, or (with `target`) of the notice it
   * names — dropped when the alert reopened since it was claimed.
   */
  recordDelivery(id: string, d: AlertDelivery, target?: DeliveryTarget): Promise<void>;
}
