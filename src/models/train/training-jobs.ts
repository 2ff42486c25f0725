import { randomUUID } from 'node:crypto';
import type { DocumentStore, Job } from '../../config/document-store.js';
import type { TrainOptions, TrainResult } from './trainer.js';
import { HOLDER } from './training-lease.js';

/** How many finished trainings the store keeps, and how long, for GET …/trainings/{id}. */
export const KEPT_TRAININGS = 50;
export const KEPT_TRAINING_MS = 60 * 60_000;
/**
 * A training's row says its process is alive for this long after it last said so (it says so
 * every third of it, and at every change): past that the training is reported `failed`, its
 * process gone. The span of the training lease, so clocks a few minutes apart are tolerated alike.
 */
export const TRAINING_ALIVE_MS = 5 * 60_000;
/** The kind of the job rows of trainings on demand (the schedule's rows are of kind `training`). */
export const TRAINING_JOB_KIND = 'training-on-demand';

/** One training started on demand, as GET /v1/models/{name}/trainings/{id} shows it. */
export interface TrainingJob {
  /** The number of the training among those of its model ("1", "2" …), the same in every process. */
  id: string;
  model: string;
  /** `waiting` for another training of the model (`waitingFor` says whose), `busy` once that wait ran out. */
  state: 'waiting' | 'running' | 'done' | 'failed' | 'busy';
  startedAt: number;
  finishedAt?: number;
  waitingFor?: string;
  /** With `done`: what the synchronous request answers. */
  results?: TrainResult[];
  /** With `failed` or `busy`: why, in a sentence. */
  error?: string;
}

/** A training as its job row keeps it (the row's `progress`). */
interface Row extends Omit<TrainingJob, 'id'> {
  seq: number;
  /** The process running it, for people; `token` tells its rows from another's. */
  holder: string;
  token: string;
  /** When its process last said it was alive, and until when that holds. */
  heardAt: number;
  aliveUntil: number;
  /** Over and no longer shown (the newest row of a model is kept, so that numbers are never reused). */
  forgotten?: true;
}

/** Runs the training of one model; `o` reports whom it waits for and when it starts. */
export type RunTraining = (name: string, o: Pick<TrainOptions, 'onBusy' | 'onTaken'>) => Promise<TrainResult[]>;

const rowId = (model: string, seq: number | string) => `${TRAINING_JOB_KIND}:${model}:${seq}`;
const STATE: Record<TrainingJob['state'], Job['state']> = { waiting: 'running', running: 'running', done: 'done', failed: 'failed', busy: 'cancelled' };
const toJob = (r: Row): Job => ({ id: rowId(r.model, r.seq), kind: TRAINING_JOB_KIND, state: STATE[r.state], progress: { ...r }, createdAt: r.startedAt, updatedAt: r.heardAt });
const fromJob = (j: Job) => j.progress as unknown as Row;
const unfinished = (state: TrainingJob['state']) => state === 'running' || state === 'waiting';
/** Not over, its process alive as far as anyone knows. */
const live = (r: Row, now: number) => unfinished(r.state) && now <= r.aliveUntil;

/**
 * A training as it stands at `now`: one unfinished whose process stopped saying it is alive
 * (killed, or its host gone) is `failed`, with a sentence saying so.
 */
function view(r: Row, now: number): TrainingJob {
  const { seq, model, state, startedAt, finishedAt, waitingFor, results, error } = r;
  const job: TrainingJob = { id: String(seq), model, state, startedAt, finishedAt, waitingFor, results, error };
  if (!unfinished(state) || now <= r.aliveUntil) return job;
  const since = new Date(r.heardAt).toISOString();
  return { id: job.id, model, startedAt, state: 'failed', finishedAt: r.heardAt, error: `The process running this training (${r.holder}) stopped before it was over: nothing was heard from it since ${since}. Ask again to train ${model}.` };
}

/**
 * The trainings asked for on demand, kept in the store (job rows of kind `training-on-demand`) so
 * that every process sharing it answers them: started in the background, at most one per model at
 * a time across processes (asking again, of any process, answers the one not over), numbered per
 * model, and kept once over — the last `KEPT_TRAININGS`, for `KEPT_TRAINING_MS` — for whoever
 * polls them. The process running a training says in its row that it is alive; one that stopped
 * saying so (killed) leaves its training `failed`, and the model free for a new one.
 *
 * @example
 * const job = await jobs.start('send-time', (name, o) => learning.train([name], 'admin', o), busyText);
 * (await jobs.get('send-time', job.id))?.state; // 'running' … 'done'
 */
export class TrainingJobs {
  private readonly running = new Set<Promise<void>>();
  private readonly now: () => number;
  private readonly aliveMs: number;
  private readonly log: (msg: string, data?: object) => void;

  constructor(private readonly docs: DocumentStore, o: { now?: () => number; aliveMs?: number; log?: (msg: string, data?: object) => void } = {}) {
    this.now = o.now ?? Date.now;
    this.aliveMs = o.aliveMs ?? TRAINING_ALIVE_MS;
    this.log = o.log ?? (() => undefined);
  }

  /**
   * The training of `name` not over (in any process), else a new one started here with `run`;
   * `busy` words a wait that ran out. Of processes asked at once, one starts it (the row of the
   * model's next number is created once) and the others answer it.
   */
  async start(name: string, run: RunTraining, busy: (r: TrainResult) => string): Promise<TrainingJob> {
    for (;;) {
      const now = this.now();
      const latest = (await this.rows()).filter((r) => r.model === name).sort((a, b) => b.seq - a.seq)[0];
      if (latest && live(latest, now)) return view(latest, now);
      const row: Row = { model: name, seq: (latest?.seq ?? 0) + 1, state: 'running', startedAt: now, holder: HOLDER, token: randomUUID(), heardAt: now, aliveUntil: now + this.aliveMs };
      const held = fromJob(await this.docs.createJob(toJob(row)));
      if (held.token === row.token) {
        this.run(row, run, busy);
        return view(row, now);
      }
      // Another process (or request) numbered its training so first: answered, unless already over.
      if (live(held, now)) return view(held, now);
    }
  }

  /** A training of `model` by id; undefined once unknown or forgotten. */
  async get(model: string, id: string): Promise<TrainingJob | undefined> {
    if (!/^[1-9]\d{0,15}$/.test(id)) return undefined;
    const job = await this.docs.getJob(rowId(model, id));
    if (!job || job.kind !== TRAINING_JOB_KIND || fromJob(job).forgotten) return undefined;
    const now = this.now();
    const t = view(fromJob(job), now);
    return t.finishedAt !== undefined && t.finishedAt < now - KEPT_TRAINING_MS ? undefined : t;
  }

  /** Waits for the trainings running in this process (stopping the server), their rows written. */
  async settled(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running]);
  }

  /** Runs the training of `row` here, writing each change to its row, and saying it is alive meanwhile. */
  private run(row: Row, run: RunTraining, busy: (r: TrainResult) => string): void {
    let writing = Promise.resolve();
    const save = (change: Partial<Row>): void => {
      const now = this.now();
      const job = toJob(Object.assign(row, change, { heardAt: now, aliveUntil: now + this.aliveMs }));
      writing = writing.then(async () => void (await this.docs.saveJob(job))).catch((err: Error) => this.log('a training on demand could not be recorded', { model: row.model, id: row.seq, error: err.message }));
    };
    const alive = setInterval(() => save({}), this.aliveMs / 3);
    alive.unref();
    const finish = (change: Partial<Row>) => save({ waitingFor: undefined, finishedAt: this.now(), ...change });
    const p: Promise<void> = Promise.resolve()
      .then(() => run(row.model, {
        onBusy: (sentence) => save({ state: 'waiting', waitingFor: sentence }),
        onTaken: () => save({ state: 'running', waitingFor: undefined }),
      }))
      .then(
        (results) => {
          const gaveUp = results.find((r) => r.busy);
          finish(gaveUp ? { state: 'busy', error: busy(gaveUp) } : { state: 'done', results });
        },
        (err: unknown) => finish({ state: 'failed', error: err instanceof Error ? err.message : String(err) }),
      )
      .then(async () => {
        clearInterval(alive);
        await writing;
        await this.prune().catch((err: Error) => this.log('old trainings on demand could not be pruned', { error: err.message }));
      })
      .finally(() => this.running.delete(p));
    this.running.add(p);
  }

  private async rows(): Promise<Row[]> {
    return (await this.docs.listJobs(TRAINING_JOB_KIND)).map(fromJob);
  }

  /**
   * Forgets the trainings over beyond the last `KEPT_TRAININGS`, or over for longer than
   * `KEPT_TRAINING_MS` (a failed one whose process stopped counts as over when last heard of).
   * The newest of each model is only marked forgotten: the next training's number follows it.
   */
  private async prune(): Promise<void> {
    const now = this.now();
    const rows = await this.rows();
    const newest = new Map<string, number>();
    for (const r of rows) newest.set(r.model, Math.max(newest.get(r.model) ?? 0, r.seq));
    const over = rows
      .map((r) => ({ r, t: view(r, now) }))
      .filter(({ t }) => !unfinished(t.state))
      .sort((a, b) => b.t.finishedAt! - a.t.finishedAt!);
    for (const [i, { r, t }] of over.entries()) {
      if (i < KEPT_TRAININGS && t.finishedAt! >= now - KEPT_TRAINING_MS) continue;
      if (newest.get(r.model) !== r.seq) await this.docs.deleteJob(rowId(r.model, r.seq));
      else if (!r.forgotten) await this.docs.saveJob(toJob({ ...r, forgotten: true }));
    }
  }
}
