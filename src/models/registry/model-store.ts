/** A trained model version without its state (what listings show). */
export interface ModelVersionSummary {
  name: string;
  version: number;
  trainedAt: number;
  /** The data window it was trained on (epoch ms; `dataFrom` null when it used everything). */
  dataFrom: number | null;
  dataTo: number;
  /** What training measured (sizes, fitted parameters, held-out figures). */
  metrics: Record<string, unknown>;
  /** `schedule`, `cli`, or the API key that asked. */
  trainedBy: string;
}

/**
 * A trained model version: its parameters as plain JSON.
 *
 * @example
 * { name: 'micro-segments', version: 3, trainedAt: 1764000000000, dataFrom: null, dataTo: 1764000000000, metrics: { subjects: 5120, k: 8 }, trainedBy: 'schedule', state: { … } }
 */
export interface ModelVersion<S = unknown> extends ModelVersionSummary {
  state: S;
}

/** The version of a model in force. */
export interface LiveModel {
  name: string;
  version: number;
  since: number;
}

/**
 * What happened to a model version (its history).
 *
 * @example
 * const a: ModelAction = 'refused';
 */
export type ModelAction = 'trained' | 'promoted' | 'refused' | 'rolled-back';

/**
 * One entry of a model's history: trained, promoted (with the comparison that allowed it, or
 * `force`), refused (and why), rolled back.
 */
export interface ModelEvent {
  name: string;
  version: number | null;
  action: ModelAction;
  reason: string;
  actor: string;
  at: number;
  comparison: unknown;
  /** The version live before this change (for rollback). */
  previous: number | null;
}

/**
 * Who trains a model now, across processes: a lease that lapses at `until` unless renewed, so a
 * process that dies mid-training stops holding the model.
 *
 * @example
 * { name: 'send-time', token: '6f1c…', holder: 'process 4121 on web-2', actor: 'schedule', since: 1764000000000, until: 1764000300000 }
 */
export interface TrainingLease {
  name: string;
  /** Unique to one training run. */
  token: string;
  /** The process, for people to read. */
  holder: string;
  /** Who asked for the training (`schedule`, `cli`, an API key). */
  actor: string;
  since: number;
  until: number;
}

/** The model registry's storage. */
export interface ModelStore {
  /** Stores a new version (numbered max + 1 for its name, each its own number when processes store versions of one model at once) and returns its number. */
  addVersion(v: Omit<ModelVersion, 'version'>): Promise<number>;
  getVersion(name: string, version: number): Promise<ModelVersion | undefined>;
  /** Newest first. */
  versions(name: string, limit: number): Promise<ModelVersionSummary[]>;
  /** Every model name with a stored version. */
  names(): Promise<string[]>;
  live(name: string): Promise<LiveModel | undefined>;
  /**
   * Makes `version` live and records `event`, in one transaction, if the live version is still
   * `event.previous` (null: none) — a compare-and-set across processes. False, changing nothing,
   * when another process changed the live version since it was read.
   */
  setLive(name: string, version: number, event: ModelEvent): Promise<boolean>;
  recordEvent(event: ModelEvent): Promise<void>;
  /** Newest first. */
  events(name: string, limit: number): Promise<ModelEvent[]>;
  /** Takes the training lease of `lease.name` unless an unexpired one is held; returns the lease in force (`lease` itself when taken). */
  takeTraining(lease: TrainingLease): Promise<TrainingLease>;
  /** Extends a held lease to `until`; false when `token` no longer holds it (it lapsed and was taken). */
  renewTraining(name: string, token: string, until: number): Promise<boolean>;
  /** Gives the lease up (nothing when `token` no longer holds it). */
  releaseTraining(name: string, token: string): Promise<void>;
}
