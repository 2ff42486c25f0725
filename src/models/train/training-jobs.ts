import { randomUUID } from 'node:crypto';
import type { TrainOptions, TrainResult } from './trainer.js';

/** How many finished trainings a process keeps, and how long, for GET …/trainings/{id}. */
export const KEPT_TRAININGS = 50;
export const KEPT_TRAINING_MS = 60 * 60_000;

/** One training started on demand, as GET /v1/models/{name}/trainings/{id} shows it. */
export interface TrainingJob {
  id: string;
  model: string;
  /** `waiting` for another process's lease (`waitingFor` says whose), `busy` once that wait ran out. */
  state: 'waiting' | 'running' | 'done' | 'failed' | 'busy';
  startedAt: number;
  finishedAt?: number;
  waitingFor?: string;
  /** With `done`: what the synchronous request answers. */
  results?: TrainResult[];
  /** With `failed` or `busy`: why, in a sentence. */
  error?: string;
}

/** Runs the training of one model; `o` reports whom it waits for and when it starts. */
export type RunTraining = (name: string, o: Pick<TrainOptions, 'onBusy' | 'onTaken'>) => Promise<TrainResult[]>;

/**
 * The trainings asked for on demand in this process: started in the background, at most one per
 * model at a time (asking again answers the one running), and kept in memory once over — the
 * last `KEPT_TRAININGS`, for `KEPT_TRAINING_MS` — for whoever polls them.
 *
 * @example
 * const job = jobs.start('send-time', (name, o) => learning.train([name], 'admin', o), busyText);
 * jobs.get(job.id)?.state; // 'running' … 'done'
 */
export class TrainingJobs {
  private readonly jobs = new Map<string, TrainingJob>();
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The training of `name` running (or waiting) in this process, else a new one started with `run`; `busy` words a wait that ran out. */
  start(name: string, run: RunTraining, busy: (r: TrainResult) => string): TrainingJob {
    const current = [...this.jobs.values()].find((j) => j.model === name && (j.state === 'running' || j.state === 'waiting'));
    if (current) return current;
    const job: TrainingJob = { id: randomUUID(), model: name, state: 'running', startedAt: this.now() };
    this.jobs.set(job.id, job);
    const finish = (o: Partial<TrainingJob>): void => void Object.assign(job, { waitingFor: undefined, finishedAt: this.now() }, o);
    const p: Promise<void> = Promise.resolve()
      .then(() => run(name, {
        onBusy: (sentence) => Object.assign(job, { state: 'waiting', waitingFor: sentence }),
        onTaken: () => Object.assign(job, { state: 'running', waitingFor: undefined }),
      }))
      .then(
        (results) => {
          const gaveUp = results.find((r) => r.busy);
          finish(gaveUp ? { state: 'busy', error: busy(gaveUp) } : { state: 'done', results });
        },
        (err: unknown) => finish({ state: 'failed', error: err instanceof Error ? err.message : String(err) }),
      )
      .finally(() => {
        this.running.delete(p);
        this.prune();
      });
    this.running.add(p);
    return job;
  }

  /** A training by id; undefined once unknown or forgotten. */
  get(id: string): TrainingJob | undefined {
    this.prune();
    return this.jobs.get(id);
  }

  /** Waits for the trainings running (stopping the server). */
  async settled(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running]);
  }

  private prune(): void {
    const over = [...this.jobs.values()].filter((j) => j.finishedAt !== undefined);
    const tooOld = this.now() - KEPT_TRAINING_MS;
    over.forEach((j, i) => {
      if (i < over.length - KEPT_TRAININGS || j.finishedAt! < tooOld) this.jobs.delete(j.id);
    });
  }
}
