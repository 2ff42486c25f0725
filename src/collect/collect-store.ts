import type { Identifier, IgnoredIdentifier } from '../identity/identifiers.js';
import type { MergeRecord } from '../identity/identity-index.js';
import type { ConsentChange, ProfileState } from '../profiles/profile-state.js';
import type { Message } from './message.js';
import type { CompiledFeature } from '../profiles/features/definition.js';

/** A message ready to be stored, with what the request handler already worked out about it. */
export interface IngestItem {
  message: Message;
  /** The message as stored (JSON). */
  json: string;
  /** The message's identifiers, strongest first, blocked values removed. */
  ids: Identifier[];
  /** Identifiers to look up in the graph before resolving (the message's own, alias candidates). */
  lookups: Identifier[];
  /** Identifiers the message carried and that were set aside (blocked, too long …), for its profile to record; absent when none was. */
  ignored?: IgnoredIdentifier[];
  /** Tracking-plan violations found in it. */
  violations: Violation[];
  /** True when the tracking plan blocks it: only its violations are recorded. */
  blocked: boolean;
}

/** One way a message broke the tracking plan. */
export interface Violation {
  event: string;
  /** The property path (e.g. "price", "products[].sku", "*" for any key the schema does not name), or "(event)" for an unplanned event. */
  property: string;
  /** What was wrong: the JSON Schema keyword (type, required, enum …) or "unplanned". */
  rule: string;
  detail: string;
  /**
   * Where in the message as sent (`properties.products[1].price`, `traits.email`, `event`): the
   * field a blocked message's answer names. Not stored: the row is counted under `property`.
   */
  field?: string;
  /**
   * The fields as sent that broke this row's rule, once each, `field` and `detail` first
   * (`properties.ref`, `properties.coupon` under `*`): the answer to a blocked message names them
   * all (tracking-plan-violations.ts blockedProblems). Not stored.
   */
  fields?: { field: string; message: string }[];
  /** How many more fields broke it than `fields` lists (it lists at most 20). */
  unlisted?: number;
}

/** What the store read for a batch before the pure step runs. */
export interface IngestSnapshot {
  /** Message ids of the batch that are already stored. */
  existing: Set<string>;
  /**
   * Message ids of the batch that the tracking plan blocked before, their violations counted (kept
   * by the store, blocked-ids.ts): a retry of one, through whichever process, is not counted again.
   */
  blocked: Set<string>;
  /** Every identity of every profile the batch's identifiers reach. */
  identities: { profileId: string; kind: string; value: string }[];
  /** The current state of those profiles. */
  profiles: Map<string, ProfileState>;
}

export interface StoredEventRow {
  messageId: string;
  profileId: string;
  type: string;
  event: string | null;
  timestamp: number;
  receivedAt: number;
  json: string;
}

export interface AccountWrite {
  id: string;
  traits: Record<string, unknown>;
  at: number;
}

export interface MembershipWrite {
  accountId: string;
  profileId: string;
  role: string | null;
  at: number;
}

/** A conflict a batch hit: `count` messages (1 when absent) from `firstAt` (`at` when absent) to `at`, the last one `messageId`. */
export interface IdentityConflict {
  profileId: string;
  messageId: string;
  kind: string;
  value: string;
  reason: string;
  at: number;
  count?: number;
  firstAt?: number;
}

/** Everything one batch writes, computed by the pure step. */
export interface IngestWrites {
  events: StoredEventRow[];
  identities: { kind: string; value: string; profileId: string; at: number }[];
  merges: MergeRecord[];
  /** Changed profiles, with their version already increased. */
  profiles: ProfileState[];
  /** Ids of the profiles this batch created (and that were not merged away in it). */
  created: string[];
  consent: ConsentChange[];
  accounts: AccountWrite[];
  memberships: MembershipWrite[];
  conflicts: IdentityConflict[];
  violations: (Violation & { count: number; blocked: number; at: number; messageId: string })[];
  /** The blocked messages whose violations this batch counted, for the store to remember (blocked-ids.ts). */
  blocked: { messageId: string; at: number }[];
  /** Per input item: stored, duplicate (already stored: acknowledged again, not stored twice) or blocked. */
  outcomes: ('stored' | 'duplicate' | 'blocked')[];
}

/** Violation counts per event and property, as the API shows them. */
export interface ViolationSummary {
  event: string;
  property: string;
  rule: string;
  count: number;
  blocked: number;
  lastAt: number;
  lastMessageId: string;
  lastDetail: string;
}

/** The violation rows to read: filters, and a page of them, most counted first (count, event, property, rule). */
export interface ViolationQuery {
  /** Only this event's rows. */
  event?: string;
  /** Only rows whose last violation was at or after this time (ms since epoch). */
  since?: number;
  /** The last row of the page before: the rows after it in that order. */
  after?: ViolationCursor;
  limit: number;
}

/** Where a page of violation rows ended. */
export type ViolationCursor = Pick<ViolationSummary, 'count' | 'event' | 'property' | 'rule'>;

/**
 * Storage for collection. `ingest` runs one transaction: read the snapshot, run the pure
 * `compute`, write its result, commit — and only then resolve.
 */
export interface CollectStore {
  /** Batches the ingestor may have in flight at once (default 1). */
  readonly pipelineDepth?: number;
  /**
   * `expectedEpoch` is the configuration epoch the caller compiled its settings at; when the
   * store's epoch differs, nothing is written and StaleConfigError is thrown so the caller reloads
   * and retries — no batch is ever processed under an outdated feature set or merge rules.
   */
  ingest(items: IngestItem[], compute: (snapshot: IngestSnapshot) => IngestWrites, expectedEpoch: number): Promise<IngestWrites>;
  /**
   * Called at start and whenever the feature definitions change, before ingestion resumes. A
   * store that materializes profile states from its log (SQLite) replays the log tail here and
   * remembers the features for later recovery; a write-through store (PostgreSQL) does nothing.
   */
  prepare(features: readonly CompiledFeature[]): Promise<{ replayed: number }>;
  /** Makes every materialized profile state durable in its row (no-op when states are written through). */
  checkpoint(): Promise<void>;
  violations(q: ViolationQuery): Promise<ViolationSummary[]>;
  /** Removes the violation rows of `event` (of every event when undefined); answers how many it removed. */
  clearViolations(event: string | undefined): Promise<number>;
  countEvents(): Promise<number>;
  hasMessage(messageId: string): Promise<boolean>;
}

/** The configuration changed since the caller loaded it: reload settings and retry the batch. */
export class StaleConfigError extends Error {
  constructor(readonly epoch: number) {
    super(`configuration epoch is now ${epoch}`);
    this.name = 'StaleConfigError';
  }
}
