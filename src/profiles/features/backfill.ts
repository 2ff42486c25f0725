import { randomUUID } from 'node:crypto';
import { type Job, JobLeaseLost, type PlannedJobs, type StoredDocument } from '../../config/document-store.js';
import type { Settings } from '../../config/settings.js';
import type { Message } from '../../collect/message.js';
import type { Store } from '../../store/store.js';
import type { ProfileState } from '../profile-state.js';
import type { CompiledFeature, FeatureDefinition } from './definition.js';
import { featuresAroundIn, featuresKind } from './features-kind.js';
import { applyToFeature, matches, mergeFeature, type FeatureState } from './state.js';

export interface BackfillProgress {
  feature: string;
  hash: string;
  /** Events with seq ≤ uptoSeq were stored before the feature existed; later ones update it live. */
  uptoSeq: number;
  afterSeq: number;
  matched: number;
  /** The backfill instance that planned it (jobs planned before 2026-12-05 have none). */
  plannedBy?: string;
  [k: string]: unknown;
}

/**
 * Backfills a new or changed feature from stored events. The cut is exact: the feature went live
 * for every event after `uptoSeq` (taken while no ingestion ran), and the backfill folds each
 * earlier event in exactly once, in chunks, merging its partial states into the live ones —
 * feature states are mergeable, so the order does not matter. Progress is stored, so a restart
 * resumes; a lease makes one process do the work.
 */
export class FeatureBackfill {
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<void> | undefined;
  private again = false;
  /** Unique per instance: two of them in one process (tests) must not share leases. */
  private readonly owner = `backfill-${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly doneListeners: ((feature: string, hash: string) => void)[] = [];

  constructor(private readonly store: Store, private readonly settings: Settings, private readonly opts: { chunk?: number; log?: (msg: string, data?: object) => void } = {}) {}

  /**
   * Calls `fn` when a feature's definition holds every stored event here: its backfill ended in
   * this process, or it was planned with nothing to backfill (segment rules that read it are
   * then re-evaluated).
   */
  onDone(fn: (feature: string, hash: string) => void): void {
    this.doneListeners.push(fn);
  }

  /**
   * Creates a job for every feature of `after` whose definition is new since `before` — the
   * versions on either side of one change, not what this process had in force: with several
   * processes, one may be behind on changes made by another (it would take their features for
   * new), or already ahead (a change made meanwhile elsewhere has its own cut). A job already
   * stored is left as it is: a definition's job is planned once, by the process that made the
   * change that brought it in (a definition in force again after a time without it has a hash
   * of its own, features-kind.ts).
   */
  async plan(before: readonly CompiledFeature[], after: readonly CompiledFeature[], eventSeq: number): Promise<Job[]> {
    const jobs: Job[] = [];
    for (const planned of this.planned(before, after, eventSeq)) {
      const f = planned.progress as BackfillProgress;
      const job = await this.store.documents.createJob(planned);
      if ((job.progress as BackfillProgress).plannedBy !== this.owner) continue;
      jobs.push(job);
      if (job.state === 'done' && (job.progress as BackfillProgress).uptoSeq === 0) for (const fn of this.doneListeners) fn(f.feature, f.hash);
    }
    if (jobs.some((j) => j.state === 'running')) this.kick();
    return jobs;
  }

  /**
   * The jobs a change of the features to `body` brings, to be stored in the transaction that stores
   * it (Settings.planJobs): a crash between the two left the features in force and their backfill
   * never planned (until 2026-12-05; the values held only the events after the cut, and the API
   * said `done`). Worked out against the versions stored now, for the version that comes next;
   * should another process store one first, the change plans nothing here and `plan`, once it is
   * stored, plans its jobs as before.
   */
  async jobsFor(body: FeatureDefinition[]): Promise<PlannedJobs> {
    const stored = (await this.store.documents.history('features', featuresKind.history! + 16)) as StoredDocument<FeatureDefinition[]>[];
    const next = (stored[0]?.version ?? 0) + 1;
    const [before, after] = featuresAroundIn([{ version: next, body }, ...stored], next);
    return ({ version, eventSeq }) => (version === next ? this.planned(before, after, eventSeq) : []);
  }

  /** A job for every feature of `after` whose definition is new since `before`, cut at `eventSeq`. */
  private planned(before: readonly CompiledFeature[], after: readonly CompiledFeature[], eventSeq: number): Job[] {
    const old = new Set(before.map((f) => `${f.def.name}:${f.hash}`));
    const now = Date.now();
    return after.filter((f) => !old.has(`${f.def.name}:${f.hash}`)).map((f) => {
      const progress: BackfillProgress = { feature: f.def.name, hash: f.hash, uptoSeq: eventSeq, afterSeq: 0, matched: 0, plannedBy: this.owner };
      return { id: `backfill:${f.def.name}:${f.hash}`, kind: 'backfill', state: eventSeq > 0 ? 'running' : 'done', progress, createdAt: now, updatedAt: now };
    });
  }

  /** Starts polling for running jobs (also those left by a previous run). */
  start(intervalMs = 1000): void {
    this.timer = setInterval(() => this.kick(), intervalMs);
    this.timer.unref();
    this.kick();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private kick(): void {
    if (this.current) this.again = true;
    // A poll that cannot list the jobs (the store unreachable a moment) is retried at the next one:
    // until 2026-12-05 its rejection went unhandled and ended the process.
    else this.runAll().catch((err: unknown) => this.opts.log?.('feature backfill could not read its jobs; it will be retried', { error: (err as Error).message }));
  }

  /**
   * Runs every running job to the end. One run at a time per process: a call during a run
   * joins it, and a job planned meanwhile is picked up before it returns.
   */
  runAll(): Promise<void> {
    if (!this.current) {
      this.current = (async () => {
        do {
          this.again = false;
          await this.runOnce();
        } while (this.again);
      })().finally(() => {
        this.current = undefined;
      });
    }
    return this.current;
  }

  private async runOnce(): Promise<void> {
    const jobs = (await this.store.documents.listJobs('backfill')).filter((j) => j.state === 'running');
    for (const job of jobs) {
      try {
        await this.runJob(job);
      } catch (err) {
        this.opts.log?.('feature backfill failed; it will be retried', { job: job.id, error: (err as Error).message });
      }
    }
  }

  private async runJob(listed: Job): Promise<void> {
    const chunk = this.opts.chunk ?? 2000;
    while (await this.store.documents.leaseJob(listed.id, this.owner, LEASE_MS)) {
      // As stored now, not as listed: another process may have advanced or ended it since (it held
      // the lease while this one was busy with another job, or stalled).
      const job = await this.store.documents.getJob(listed.id);
      if (job?.state !== 'running') return;
      const p = job.progress as BackfillProgress;
      const f = await this.definition(p);
      if (!f) {
        await this.finish(job, 'cancelled');
        return;
      }
      const rows = await this.store.profiles.scanEvents(p.afterSeq, p.uptoSeq, chunk);
      if (rows.length === 0) {
        if (!(await this.finish(job, 'done'))) return;
        this.opts.log?.('feature backfill done', { feature: p.feature, matched: p.matched });
        for (const fn of this.doneListeners) fn(p.feature, p.hash);
        return;
      }
      const partial = new Map<string, FeatureState>();
      for (const r of rows) {
        const m = JSON.parse(r.json) as Message;
        if (!matches(f, m)) continue;
        partial.set(r.profileId, applyToFeature(f, partial.get(r.profileId), m));
        p.matched += 1;
      }
      p.afterSeq = rows[rows.length - 1].seq;
      job.updatedAt = Date.now();
      // The partial states and the progress commit together, and only while this process holds
      // the lease (on PostgreSQL; on SQLite only the server holding the folder's lock runs
      // backfills): a chunk is folded in exactly once.
      try {
        await this.store.profiles.mutateProfiles([...partial.keys()], (states) => {
          // Ids of one merge chain name one live profile, and a store may hand each id its own copy
          // of it (SQLite parses a cold state afresh on every read): every partial goes into one
          // copy, and only that copy is left to be written — else the last copy written wins.
          const byLive = new Map<string, ProfileState>();
          for (const [id, got] of states) {
            const st = byLive.get(got.id) ?? got;
            byLive.set(st.id, st);
            if (st !== got) states.set(id, st);
            const merged = mergeFeature(f, st.features[f.def.name], partial.get(id));
            if (merged) st.features[f.def.name] = merged;
          }
        }, { ...job, holder: this.owner });
      } catch (err) {
        if (!(err instanceof JobLeaseLost)) throw err;
        this.lost(job);
        return;
      }
      await new Promise((r) => setImmediate(r));
    }
  }

  /**
   * The definition a job backfills, as in force now; undefined when it is no longer (removed or
   * changed: the job is cancelled). Another process may have made the change that planned the
   * job and this one not have loaded it yet: it reloads before it takes the job for gone.
   */
  private async definition(p: BackfillProgress): Promise<CompiledFeature | undefined> {
    const find = () => this.settings.get(featuresKind).find((x) => x.def.name === p.feature && x.hash === p.hash);
    const f = find();
    if (f) return f;
    return (await this.settings.refreshIfStale()) ? find() : undefined;
  }

  /** Ends the job, as long as this process holds its lease (false: another does, and goes on with it). */
  private async finish(job: Job, state: Job['state']): Promise<boolean> {
    const saved = await this.store.documents.saveJob({ ...job, state, updatedAt: Date.now(), holder: this.owner });
    if (!saved) this.lost(job);
    return saved;
  }

  private lost(job: Job): void {
    this.opts.log?.('a feature backfill lost its lease to another process, which goes on with it; this process stored nothing more of it', { job: job.id });
  }

  /**
   * Backfill state per feature name in force, for the API ("backfilling 43%"). A definition with no
   * job is `unplanned`, never `done`: its backfill was never planned (a change stored by a version
   * before 2026-12-05 that stopped before planning it), and its values hold only the events after
   * the change.
   */
  async status(): Promise<Map<string, { state: string; progress: number }>> {
    const out = new Map<string, { state: string; progress: number }>();
    const current = new Map(this.settings.get(featuresKind).map((f) => [f.def.name, f.hash]));
    for (const j of await this.store.documents.listJobs('backfill')) {
      const p = j.progress as BackfillProgress;
      if (current.get(p.feature) !== p.hash || out.has(p.feature)) continue;
      out.set(p.feature, { state: j.state, progress: p.uptoSeq > 0 ? Math.min(1, p.afterSeq / p.uptoSeq) : 1 });
    }
    for (const name of current.keys()) if (!out.has(name)) out.set(name, { state: 'unplanned', progress: 0 });
    return out;
  }
}

/** How long a process holds a backfill job after each chunk it took it for. */
const LEASE_MS = 30_000;
