import type { LoggedEvent } from '../../collect/log-consumers.js';
import type { Estimate } from '../../learn/estimate.js';
import type { ProfileState } from '../../profiles/profile-state.js';
import type { ProfileStore } from '../../profiles/profile-store.js';
import type { EstimateKey, EstimateStore, EstimateWrites, StoredEstimate } from './estimate-store.js';

const id = (k: EstimateKey) => `${k.subjectId}\u0000${k.model}\u0000${k.key}`;

/**
 * The estimate rows one consumer batch reads and changes, written together (with anomalies and
 * calibration points) in one transaction at the end. A row remembers the last event folded into
 * it (`seq`), so a batch replayed after a crash changes nothing twice.
 *
 * @example
 * const batch = new EstimateBatch(store.estimates);
 * await batch.load(keys);
 * const row = batch.row(key, () => ({ state: createBaseline(), modelVersion: 'baseline@1' }));
 * if (batch.fresh(row, e.seq)) { …; batch.touch(row, e.seq, estimate); }
 * await batch.flush();
 */
export class EstimateBatch {
  private readonly rows = new Map<string, StoredEstimate>();
  private readonly dirty = new Set<string>();
  readonly writes: Required<Omit<EstimateWrites, 'estimates'>> = { anomalies: [], points: [], outcomes: [] };

  constructor(private readonly store: EstimateStore, private readonly now = Date.now()) {}

  /** Reads the rows among `keys` not read yet. */
  async load(keys: EstimateKey[]): Promise<void> {
    const missing = new Map<string, EstimateKey>();
    for (const k of keys) if (!this.rows.has(id(k))) missing.set(id(k), k);
    if (!missing.size) return;
    for (const r of await this.store.getMany([...missing.values()])) this.rows.set(id(r), r);
  }

  get(k: EstimateKey): StoredEstimate | undefined {
    return this.rows.get(id(k));
  }

  /** The row, created by `init` when it does not exist yet (it is written only when touched). */
  row(k: EstimateKey, init: () => { state: unknown; modelVersion: string }): StoredEstimate {
    let r = this.rows.get(id(k));
    if (!r) {
      const { state, modelVersion } = init();
      r = { ...k, estimate: null, state, modelVersion, seq: 0, updatedAt: this.now };
      this.rows.set(id(k), r);
    }
    return r;
  }

  /** Whether event `seq` is new to the row (not folded in before). */
  fresh(r: StoredEstimate, seq: number): boolean {
    return seq > r.seq;
  }

  /** Marks a row changed by event `seq` (its estimate replaced when given). */
  touch(r: StoredEstimate, seq: number, estimate?: Estimate | null, modelVersion?: string): void {
    r.seq = Math.max(r.seq, seq);
    r.updatedAt = this.now;
    if (estimate !== undefined) r.estimate = estimate;
    if (modelVersion !== undefined) r.modelVersion = modelVersion;
    this.dirty.add(id(r));
  }

  /** Writes every touched row and the records, in one transaction. */
  async flush(): Promise<void> {
    const estimates = [...this.dirty].map((k) => this.rows.get(k)!);
    await this.store.write({ estimates, ...this.writes });
    this.dirty.clear();
  }
}

/** An event with the live profile it belongs to now (merges followed). */
export interface SubjectEvent extends LoggedEvent {
  subject: ProfileState;
}

/**
 * Attaches the live profile to each event (one read per distinct stored profile id); events whose
 * profile is gone are dropped.
 *
 * @example
 * const events = await withSubjects(store.profiles, batch);
 */
export async function withSubjects(profiles: ProfileStore, events: LoggedEvent[]): Promise<SubjectEvent[]> {
  const states = new Map<string, ProfileState | undefined>();
  const out: SubjectEvent[] = [];
  for (const e of events) {
    if (!states.has(e.profileId)) states.set(e.profileId, await profiles.getProfile(e.profileId));
    const subject = states.get(e.profileId);
    if (subject) out.push({ ...e, subject });
  }
  return out;
}
