import type { Durability } from './durability.js';
import type { CollectStore } from '../collect/collect-store.js';
import type { DocumentStore } from '../config/document-store.js';
import type { DecisionStore } from '../decide/decision-store.js';
import type { KeyStore } from '../keys/key-store.js';
import type { EstimateStore } from '../models/estimates/estimate-store.js';
import type { ModelStore } from '../models/registry/model-store.js';
import type { MonitorStore } from '../monitor/monitor-store.js';
import type { MeasureStore } from '../measure/measure-store.js';
import type { ProfileStore } from '../profiles/profile-store.js';
import type { SegmentStore } from '../segments/segment-store.js';

/**
 * The one store Tact runs on, made of each capability's store interface. Two implementations:
 * SQLite (embedded, default) and PostgreSQL (several processes). Both pass the same conformance
 * suite (src/store/conformance).
 */
/**
 * One transaction of the store, timed where it ran: `writeMs` its statements, `commitMs` its
 * COMMIT — the log append and, under the default durability, the flush to disk that every
 * acknowledgement in it waited for. A slow commit after fast statements is the disk, not Tact.
 */
export interface CommitTiming {
  /** Writes (callers' requests) that ran statements in the transaction: 0 when none did (the embedded store's /health probe, or writes a stopped writer refused without a transaction), which is no commit to time. */
  writes: number;
  writeMs: number;
  commitMs: number;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** What an acknowledgement waits for: the disk's flush (`fsync`, the default) or the operating system (`os`). */
  readonly durability: Durability;
  readonly collect: CollectStore;
  readonly profiles: ProfileStore;
  readonly documents: DocumentStore;
  readonly keys: KeyStore;
  /** Inferences, apart from facts: estimates with their model states, anomalies, calibration points. */
  readonly estimates: EstimateStore;
  readonly segments: SegmentStore;
  readonly models: ModelStore;
  /** The decision log, outcomes, flags and review holds. */
  readonly decisions: DecisionStore;
  /** The monitors' state, alerts and webhook deliveries. */
  readonly monitors: MonitorStore;
  /** Measurement's bounded reads of the decision log (experiment results, off-policy evaluation). */
  readonly measure: MeasureStore;
  /**
   * Calls `listener` after each of the store's transactions with its timing: the embedded store's
   * writer thread (statements, and the commit every acknowledgement in it waited for); PostgreSQL's
   * multi-statement transactions (their statements' round trips, and the COMMIT's). Optional for
   * test doubles.
   */
  onCommit?(listener: (t: CommitTiming) => void): void;
  /** Calls `listener` when the database server closes an idle connection (PostgreSQL: a restart, a terminate); the next query opens a new one. */
  onConnectionLost?(listener: (err: Error) => void): void;
  /** Applies pending migrations; safe to call on every start. */
  migrate(): Promise<{ applied: string[] }>;
  /** A cheap round trip, for /health. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
