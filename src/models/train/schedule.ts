import { randomUUID } from 'node:crypto';
import type { Job } from '../../config/document-store.js';
import type { SegmentMembership } from '../../segments/segment-membership.js';
import { segmentsKind } from '../../segments/segments-kind.js';
import { TrainingStopped } from './abandon.js';
import { SweepStopped } from '../../segments/sweep-stopped.js';
import { type TrainContext, type Trainer, trainModels } from './trainer.js';
import { type CompiledTraining, SCHEDULE_TICK_MS, trainingKind } from './training-kind.js';

/**
 * A run due this little after a tick counts as due at it: the timer's clock and Date.now() drift
 * by milliseconds, and a tick landing 1 ms before its slot made the run wait a whole tick — with
 * `every: 1m` one run in a few was skipped (QA, 2026-12-05).
 */
const DUE_SLACK_MS = 1_000;
/** A model whose last run found nothing to train is tried again after at most this long. */
const RETRY_SKIPPED_MS = 3_600_000;
/** How long a process holds a scheduled job once it took it (renewed only by its next run); also how long a failed run waits to be tried again. */
const JOB_LEASE_MS = 30 * 60_000;

/**
 * When a scheduled job with this progress is next due: `everyMs` after its last run (a run that
 * found nothing to train: within the hour), and a failed one also not before JOB_LEASE_MS (or
 * `everyMs`, the shorter) after the failure — a failure is recorded so that the process holding
 * the lease does not run it again at every tick.
 *
 * @example
 * dueAt({ lastAt: t, lastResult: { version: 2 } }, 86_400_000); // t + 24 h
 */
export function dueAt(progress: Record<string, unknown>, everyMs: number): number {
  const last = Number(progress.lastAt ?? 0);
  const wait = progress.lastResult && (progress.lastResult as { skipped?: unknown }).skipped ? Math.min(everyMs, RETRY_SKIPPED_MS) : everyMs;
  const failedAt = progress.failedAt === undefined ? undefined : Number(progress.failedAt);
  return Math.max(last + wait, failedAt === undefined ? -Infinity : failedAt + Math.min(everyMs, JOB_LEASE_MS));
}

/** How a model's scheduled training last went, as `GET /v1/models` shows it (times in epoch ms). */
export interface ScheduledRun {
  /** `done` (the last run ended), `failed` (the last try threw: `error` says why), `running` (the first run, not over). */
  state: string;
  lastRunAt: number | null;
  /** What the last run that ended did: `{ version, skipped, promoted, sameAs }` (`sameAs`: the live version it made again, storing none). */
  lastResult: Record<string, unknown> | null;
  failedAt: number | null;
  /** A sentence: what failed, when, and when it is tried again. */
  error: string | null;
  /** When the schedule next trains it (null: the schedule is off, or does not list the model). */
  nextAt: number | null;
}

/**
 * How the schedule last trained model `name` (null: it never has), read from its job row.
 *
 * @example
 * scheduledRun('rates', await store.documents.getJob('train:rates'), settings.get(trainingKind));
 */
export function scheduledRun(name: string, job: Job | undefined, cfg: CompiledTraining): ScheduledRun | null {
  if (!job) return null;
  const p = job.progress;
  const nextAt = cfg.everyMs === null || !cfg.models.includes(name) ? null : dueAt(p, cfg.everyMs);
  const failedAt = p.failedAt === undefined ? null : Number(p.failedAt);
  const iso = (t: number) => new Date(t).toISOString();
  const retry = nextAt === null ? 'It is not tried again: the schedule is off for it (`training` in the settings).' : `It is tried again from ${iso(nextAt)}.`;
  const error = failedAt === null ? null : `The scheduled training of ${name} failed at ${iso(failedAt)}: ${String(p.error ?? 'no reason was recorded').replace(/\.$/, '')}. ${retry}`;
  return { state: job.state, lastRunAt: p.lastAt === undefined ? null : Number(p.lastAt), lastResult: (p.lastResult as Record<string, unknown> | undefined) ?? null, failedAt, error, nextAt };
}

/**
 * Retraining on a schedule, in the background of every process but leased (a job row per model)
 * so that one process runs each model's schedule; a model being trained elsewhere (on demand, in
 * any process) is skipped. Also sweeps segment membership, for rules
 * that change with time alone. Intervals come from the `training` document. Once stopped it starts
 * no further model nor sweep; `abandon()` then gives up the training in flight (the server
 * stopping: Learning.stop bounds the wait).
 *
 * @example
 * const schedule = new TrainingSchedule(ctx, trainers, membership); schedule.start(60_000); … await schedule.stop();
 */
export class TrainingSchedule {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private abandoning = new AbortController();
  /** Unique per instance: two of them in one process (tests) must not share leases. */
  private readonly owner = `trainer-${process.pid}-${randomUUID().slice(0, 8)}`;

  constructor(private readonly ctx: Omit<TrainContext, 'now'>, private readonly trainers: readonly Trainer[], private readonly membership: SegmentMembership) {}

  start(tickMs = SCHEDULE_TICK_MS): void {
    this.stopped = false;
    if (this.abandoning.signal.aborted) this.abandoning = new AbortController();
    this.timer = setInterval(() => void this.tick(), tickMs);
    this.timer.unref();
  }

  /**
   * Ticks no more, and the run in progress starts no further model nor sweep: it is over once the
   * training in flight is (until 2026-12-06 it went on through every due model — a SIGTERM 3 s
   * after a tick held the process 47.8 s). Resolves then; `abandon()` shortens it.
   */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.stopped = true;
    await this.running;
  }

  /** Gives up the scheduled training in flight: nothing of it is stored or recorded, its leases are given back (it runs again, due, at the next start). */
  abandon(): void {
    this.abandoning.abort();
  }

  /** Runs what is due (tests call it directly). */
  tick(now = Date.now()): Promise<void> {
    this.running ??= this.runDue(now).catch((err: Error) => this.ctx.log('scheduled training failed; it will be retried', { error: err.message })).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async runDue(now: number): Promise<void> {
    const cfg = this.ctx.settings.get(trainingKind);
    if (cfg.everyMs !== null) {
      for (const t of this.trainers) {
        if (this.stopped) return;
        if (!cfg.models.includes(t.name)) continue;
        // One model failing (it is tried again after JOB_LEASE_MS) must not hold back the others.
        await this.ifDue(`train:${t.name}`, cfg.everyMs, now, async () => {
          // A model another process is training is skipped (and tried again within the hour).
          // A training that makes the live version's model again stores no version (`sameAs` says which).
          const [r] = await trainModels({ ...this.ctx, now }, [t], [t.name], 'schedule', { ifBusy: 'skip', ifUnchanged: 'skip', abandon: this.abandoning.signal });
          return { version: r?.version ?? null, skipped: r?.skipped ?? null, promoted: r?.promotion?.promoted ?? null, sameAs: r?.sameAs ?? null };
        }).catch((err: Error) => err instanceof TrainingStopped
          ? this.ctx.log('scheduled training stopped by the shutdown; nothing of it was stored, it runs again at the next start', { model: t.name })
          : this.ctx.log('scheduled training failed; it will be retried', { model: t.name, error: err.message }));
      }
    }
    if (this.stopped) return;
    if (cfg.sweepMs !== null && this.ctx.settings.get(segmentsKind).audiences.length) {
      await this.ifDue('segments:sweep', cfg.sweepMs, now, () => this.membership.sweep()).catch((err: Error) => {
        if (!(err instanceof SweepStopped)) throw err;
        this.ctx.log('scheduled segment sweep stopped by the shutdown; it runs again, due, at the next start', { subjects: err.subjects });
      });
    }
  }

  /**
   * Runs `fn` when the job's last run is older than `everyMs` (a failed one: than `everyMs` or
   * JOB_LEASE_MS, the shorter) and this process holds its lease.
   */
  private async ifDue(id: string, everyMs: number, now: number, fn: () => Promise<Record<string, unknown>>): Promise<void> {
    const docs = this.ctx.store.documents;
    let job = await docs.getJob(id);
    if (job && now + DUE_SLACK_MS < dueAt(job.progress, everyMs)) return;
    // Created once: a process that also found none takes the row another created (and maybe ran) meanwhile.
    job ??= await docs.createJob({ id, kind: 'training', state: 'running', progress: {}, createdAt: now, updatedAt: now } satisfies Job);
    if (now + DUE_SLACK_MS < dueAt(job.progress, everyMs)) return;
    // The lease is not given up when the run is over, and need not be: until it lapses only this
    // process may run the job, and this process runs it whenever it is due — the schedule is kept
    // whatever the interval (another process takes over only once this one no longer ticks: died,
    // or stopped, up to JOB_LEASE_MS after its last run; with the default 24h interval the lease
    // has long lapsed by the next run). Kept, it also stops a process that read the job as due
    // just before this one recorded its run from running it again once the lease was given up.
    if (this.stopped || !(await docs.leaseJob(id, this.owner, JOB_LEASE_MS))) return;
    // As stored once leased: the process that held the lease before may have recorded a run since it was read.
    job = await docs.getJob(id);
    if (!job || now + DUE_SLACK_MS < dueAt(job.progress, everyMs)) return;
    // Renewed while it runs: a training longer than the lease must not let another process take the job meanwhile.
    const renew = setInterval(() => {
      docs.leaseJob(id, this.owner, JOB_LEASE_MS).catch((err: Error) => this.ctx.log('the lease of a scheduled job could not be renewed', { job: id, error: err.message }));
    }, JOB_LEASE_MS / 3);
    renew.unref();
    let lastResult: Record<string, unknown>;
    try {
      lastResult = await fn();
    } catch (err) {
      if (err instanceof TrainingStopped || err instanceof SweepStopped) {
        // Not a failure (that would hold the next try back up to JOB_LEASE_MS): the job stays due,
        // and its lease is given back so that the next start — of any process — runs it at once.
        await this.ctx.store.documents.leaseJob(id, this.owner, 0).catch(() => undefined);
        throw err;
      }
      await this.record(id, { ...job, state: 'failed', progress: { ...job.progress, failedAt: now, error: (err as Error).message }, updatedAt: Date.now() }).catch(() => undefined);
      throw err;
    } finally {
      clearInterval(renew);
    }
    await this.record(id, { ...job, state: 'done', progress: { lastAt: now, lastResult }, updatedAt: Date.now() });
  }

  /**
   * Records how a run went — only while this process holds the job's lease: one that lost it
   * (it stalled past it, and another process took the job) leaves the newer record stand.
   */
  private async record(id: string, job: Job): Promise<void> {
    if (!(await this.ctx.store.documents.saveJob({ ...job, holder: this.owner }))) {
      this.ctx.log('a scheduled job was taken over by another process; this run is not recorded over its record', { job: id, state: job.state });
    }
  }
}
