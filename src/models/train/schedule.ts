import type { Job } from '../../config/document-store.js';
import type { SegmentMembership } from '../../segments/segment-membership.js';
import { segmentsKind } from '../../segments/segments-kind.js';
import { type TrainContext, type Trainer, trainModels } from './trainer.js';
import { trainingKind } from './training-kind.js';

/** A model whose last run found nothing to train is tried again after at most this long. */
const RETRY_SKIPPED_MS = 3_600_000;

/**
 * Retraining on a schedule, in the background of every process but leased (a job row per model)
 * so that one process runs each model's schedule; a model being trained elsewhere (on demand, in
 * any process) is skipped. Also sweeps segment membership, for rules
 * that change with time alone. Intervals come from the `training` document.
 *
 * @example
 * const schedule = new TrainingSchedule(ctx, trainers, membership); schedule.start(60_000); … await schedule.stop();
 */
export class TrainingSchedule {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly owner = `trainer-${process.pid}-${Math.floor(performance.now())}`;

  constructor(private readonly ctx: Omit<TrainContext, 'now'>, private readonly trainers: readonly Trainer[], private readonly membership: SegmentMembership) {}

  start(tickMs = 60_000): void {
    this.timer = setInterval(() => void this.tick(), tickMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
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
        if (!cfg.models.includes(t.name)) continue;
        // One model failing (it is retried once its lease lapses) must not hold back the others.
        await this.ifDue(`train:${t.name}`, cfg.everyMs, now, async () => {
          // A model another process is training is skipped (and tried again within the hour).
          const [r] = await trainModels({ ...this.ctx, now }, [t], [t.name], 'schedule', { ifBusy: 'skip' });
          return { version: r?.version ?? null, skipped: r?.skipped ?? null, promoted: r?.promotion?.promoted ?? null };
        }).catch((err: Error) => this.ctx.log('scheduled training failed; it will be retried', { model: t.name, error: err.message }));
      }
    }
    if (cfg.sweepMs !== null && this.ctx.settings.get(segmentsKind).audiences.length) {
      await this.ifDue('segments:sweep', cfg.sweepMs, now, () => this.membership.sweep());
    }
  }

  /** Runs `fn` when the job's last run is older than `everyMs` and this process holds its lease. */
  private async ifDue(id: string, everyMs: number, now: number, fn: () => Promise<Record<string, unknown>>): Promise<void> {
    const docs = this.ctx.store.documents;
    let job = await docs.getJob(id);
    const last = Number(job?.progress.lastAt ?? 0);
    const wait = job?.progress.lastResult && (job.progress.lastResult as { skipped?: unknown }).skipped ? Math.min(everyMs, RETRY_SKIPPED_MS) : everyMs;
    if (job && now - last < wait) return;
    if (!job) {
      job = { id, kind: 'training', state: 'running', progress: {}, createdAt: now, updatedAt: now } satisfies Job;
      await docs.saveJob(job);
    }
    if (!(await docs.leaseJob(id, this.owner, 30 * 60_000))) return;
    const lastResult = await fn();
    await docs.saveJob({ ...job, state: 'done', progress: { lastAt: now, lastResult }, updatedAt: Date.now() });
  }
}
