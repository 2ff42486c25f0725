import type { LogConsumers } from '../collect/log-consumers.js';
import type { Settings } from '../config/settings.js';
import type { ProfileState } from '../profiles/profile-state.js';
import { microSegmentsApplicability } from '../segments/micro-segments-applicable.js';
import { microSegmentsComparator } from '../segments/micro-segments-comparator.js';
import { microSegmentsTrainer } from '../segments/micro-segments-trainer.js';
import { type LadderPosition, SegmentLookup } from '../segments/segment-lookup.js';
import { SegmentMembership } from '../segments/segment-membership.js';
import { SweepStopped } from '../segments/sweep-stopped.js';
import { stopOffThreadWorkers } from './train/off-thread.js';
import type { Store } from '../store/store.js';
import { baselineConsumer } from './baselines/baseline-consumer.js';
import { ModelInputs } from './decision-inputs.js';
import { baselinesComparator } from './baselines/baselines-comparator.js';
import { baselinesTrainer } from './baselines/baselines-trainer.js';
import type { SubjectEvent } from './estimates/estimate-batch.js';
import { LearnConsumers } from './estimates/learn-consumers.js';
import { SubjectEstimates } from './estimates/subject-estimates.js';
import { ratesComparator } from './rates/rates-comparator.js';
import { ratesConsumer } from './rates/rates-consumer.js';
import { ratesTrainer } from './rates/rates-trainer.js';
import { recommendationsComparator } from './recommend/recommend-comparator.js';
import { recommendationsTrainer } from './recommend/recommend-trainer.js';
import { Recommender } from './recommend/recommender.js';
import { ModelRegistry } from './registry/registry.js';
import { sendTimeComparator } from './send-time/send-time-comparator.js';
import { sendTimeConsumer } from './send-time/send-time-consumer.js';
import { sendTimeTrainer } from './send-time/send-time-trainer.js';
import { TRAINING_STOP_GRACE_MS } from './train/abandon.js';
import { TrainingSchedule } from './train/schedule.js';
import { upliftComparator } from './uplift/uplift-comparator.js';
import { upliftTrainer } from './uplift/uplift-trainer.js';
import { type TrainOptions, type TrainResult, type Trainer, trainModels } from './train/trainer.js';
import { MODEL_NAMES, trainingKind } from './train/training-kind.js';
import { TrainingJobs } from './train/training-jobs.js';

/** The kinds whose change starts a new consumer (a replay of the log under the new definitions). */
const LEARN_KINDS = new Set(['metrics', 'rates', 'send-time', 'segments']);

/**
 * The models as part of the running product (issue 4): estimates kept apart from facts and
 * updated online by log consumers (baselines, send time, rates, segment membership), trained
 * models in a registry (micro-segments, send-time prior, rate ladder, baseline populations,
 * recommendations), the schedule that retrains them, and the services the API and the decision
 * pipeline call.
 *
 * @example
 * const learning = Learning.create({ store, settings, consumers, log });
 * learning.start();
 * const pos = await learning.ladderPosition(state);            // segment / micro-segment
 * const list = await learning.estimates.forSubject(state, Date.now());
 */
export class Learning {
  readonly registry: ModelRegistry;
  readonly lookup: SegmentLookup;
  readonly estimates: SubjectEstimates;
  readonly membership: SegmentMembership;
  readonly recommender: Recommender;
  readonly trainers: readonly Trainer[];
  readonly schedule: TrainingSchedule;
  /** The trainings asked for on demand (POST /v1/models/{name}/train), running in the background, kept in the store. */
  readonly trainings: TrainingJobs;
  /** What the decision pipeline reads from the models before each decision (ladder position, estimates for rules). */
  readonly decisionInputs: ModelInputs;
  private readonly learnConsumers: LearnConsumers | undefined;
  private readonly pending = new Set<Promise<unknown>>();
  /** The trainings of `train()` not over (on demand, `sync=true`, the CLI), each with what abandons it. */
  private readonly training = new Set<{ over: Promise<unknown>; abandon: AbortController }>();
  /** Set once stop() gave up waiting: a training started then is abandoned at once. */
  private abandoning = false;
  private stopping: Promise<void> | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;

  private constructor(private readonly store: Store, private readonly settings: Settings, consumers: LogConsumers | undefined, private readonly log: (msg: string, data?: object) => void, trainers?: readonly Trainer[]) {
    this.trainers = trainers ?? [microSegmentsTrainer, sendTimeTrainer, ratesTrainer, baselinesTrainer, recommendationsTrainer, upliftTrainer];
    this.registry = new ModelRegistry(store.models, { autoPromote: () => settings.get(trainingKind).autoPromote });
    this.trainings = new TrainingJobs(store.documents, { log });
    this.lookup = new SegmentLookup(store.segments, settings, this.registry);
    this.estimates = new SubjectEstimates(store, settings, this.registry, this.lookup);
    this.membership = new SegmentMembership(store, settings, this.estimates, this.lookup);
    this.recommender = new Recommender(settings, this.registry);
    this.registry.setComparator('uplift', upliftComparator({ store, settings }));
    this.registry.setComparator('recommendations', recommendationsComparator({ store, settings }));
    this.registry.setComparator('send-time', sendTimeComparator({ store, settings }));
    this.registry.setComparator('baselines', baselinesComparator({ store, settings }));
    this.registry.setComparator('rates', ratesComparator({ store, settings }));
    this.registry.setComparator('micro-segments', microSegmentsComparator({ store, settings, registry: this.registry }));
    this.registry.setApplicability('micro-segments', microSegmentsApplicability(settings));
    this.decisionInputs = new ModelInputs({ store, settings, registry: this.registry, estimates: this.estimates, position: (s, now) => this.lookup.position(s, now) });
    this.schedule = new TrainingSchedule({ store, settings, registry: this.registry, log }, this.trainers, this.membership);
    // Segment membership last; the model consumers also re-evaluate the subjects whose estimates they changed.
    const afterWrite = (events: SubjectEvent[]) => this.membership.afterEstimates(events);
    this.learnConsumers = consumers && new LearnConsumers(consumers, settings, [
      baselineConsumer(store, settings, afterWrite),
      sendTimeConsumer(store, settings, this.registry, afterWrite),
      ratesConsumer(store, settings, this.registry, this.lookup, afterWrite),
      this.membership.consumer(),
    ], { multiProcess: store.kind === 'postgres' });
  }

  /**
   * Wires learning onto a store, its settings and the event-log consumers. Without `consumers`
   * (the CLI) nothing follows the log: models can be trained and estimates read. `trainers`
   * replaces the models' trainers (tests: fake slow ones).
   */
  static create(o: { store: Store; settings: Settings; consumers?: LogConsumers; log: (msg: string, data?: object) => void; trainers?: readonly Trainer[] }): Learning {
    const l = new Learning(o.store, o.settings, o.consumers, o.log, o.trainers);
    o.settings.onChange((kind) => {
      // Segment rules on a feature removed, or on micro-segments clustered on a feature changed.
      if (kind === 'features') l.track(l.membership.afterFeaturesChange());
      // Segment rules on `lifecycle`: a stage or tier redefined.
      if (kind === 'lifecycle') l.track(l.membership.afterLifecycleChange());
      if (!LEARN_KINDS.has(kind)) return;
      l.learnConsumers?.ensure();
      if (kind === 'segments') l.track(l.membership.removeUndefined());
    });
    l.learnConsumers?.ensure();
    // The configuration file is applied before learning is wired, so no change above heard a
    // segment it removed; and with no segment left no consumer runs to exit its members.
    if (o.consumers) l.track(l.membership.removeUndefined());
    // A version made live here changes what segment rules on `microSegment` or estimates read.
    l.registry.onLiveChange((name) => l.track(l.membership.afterLiveChange(name)));
    return l;
  }

  /** Starts the schedule (and, on a shared store, notices definitions changed by other processes). */
  start(tickMs = 60_000): void {
    this.stopping = undefined;
    this.membership.resumeSweeps();
    this.schedule.start(tickMs);
    if (this.store.kind === 'postgres') {
      this.refreshTimer = setInterval(() => void this.settings.refreshIfStale().then(() => this.learnConsumers?.ensure()).catch(() => undefined), 5000);
      this.refreshTimer.unref();
    }
  }

  /**
   * Stops the background work: the schedule starts no further model nor sweep, and every training
   * in flight — scheduled, on demand, `sync=true` — gets at most `graceMs` to finish; then it is
   * abandoned (its fit in a worker terminated, nothing stored, an on-demand one recorded `failed`
   * "stopped by the server's shutdown") and its training lease released, all before this resolves,
   * so before the store closes: the next start trains at once. A segment sweep running (scheduled, or
   * after a change) gets the same grace, then stops before its next subject: the subjects it reached
   * keep their changes, the others their stored membership, and a scheduled one stays due (it runs at
   * the next start); until 2026-12-06 it was waited for with no bound. Until 2026-12-06 it waited for every
   * training with no bound (a scheduled run: 47.8 s; on demand: 10.6 s), and a `sync=true` one,
   * untracked, lost its lease release to the closed store (a 409 for ~5 minutes at the next start).
   * Called again, answers the same stop (the app's close begins it, Tact.close awaits it).
   *
   * @example
   * await learning.stop(); // at most TRAINING_STOP_GRACE_MS, then what abandoning takes
   */
  stop(graceMs = TRAINING_STOP_GRACE_MS): Promise<void> {
    this.stopping ??= this.stopWithin(graceMs);
    return this.stopping;
  }

  private async stopWithin(graceMs: number): Promise<void> {
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    // The segment sweeps too (the schedule's, and those a change or a live model started: pending),
    // under the same grace; then they stop before their next subject (SegmentMembership.stopSweeps).
    const over = () => Promise.all([this.schedule.stop(), ...[...this.training].map((t) => t.over), this.trainings.settled(), this.settled()]);
    let timer: NodeJS.Timeout | undefined;
    const inTime = await Promise.race([over().then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), graceMs)))]);
    clearTimeout(timer);
    if (!inTime) {
      this.log('shutting down: abandoning the trainings still running; nothing of them is stored', { graceMs, trainings: this.training.size });
      this.abandoning = true;
      this.schedule.abandon();
      this.membership.stopSweeps();
      for (const t of this.training) t.abandon.abort();
      // A training started meanwhile (the on-demand one a request just asked for) is abandoned as it starts.
      while (this.training.size) await over();
      await over();
      this.abandoning = false;
    }
    await this.settled();
    // The training threads kept for the next fit (off-thread-pool.ts) end with the server, not 30 s later.
    await stopOffThreadWorkers();
  }

  /** Waits for background work started by a definition change (tests). */
  async settled(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  /**
   * Trains models now (all, or the named ones) and asks the registry to promote each new version.
   * A model another process is training is trained once that training is over (`onBusy` hears whom it waits for).
   *
   * @example
   * await learning.train(['recommendations'], 'cli');
   */
  train(names: readonly string[] = MODEL_NAMES, actor = 'cli', o: TrainOptions = {}): Promise<TrainResult[]> {
    // Tracked, so that stop() bounds its wait and releases its lease before the store closes.
    const abandon = new AbortController();
    if (this.abandoning) abandon.abort();
    const running = trainModels({ store: this.store, settings: this.settings, registry: this.registry, log: this.log, now: Date.now() }, this.trainers, names, actor, { ...o, abandon: abandon.signal });
    const t = { over: running.catch(() => undefined), abandon };
    this.training.add(t);
    void t.over.then(() => this.training.delete(t));
    return running;
  }

  /**
   * Where the subject sits on the granularity ladder — the hook the decision pipeline calls to
   * climb population → segment → micro-segment → personal.
   */
  ladderPosition(state: ProfileState, now = Date.now()): Promise<LadderPosition> {
    return this.lookup.position(state, now);
  }

  /**
   * Re-evaluates the segment rules that read a feature once its new definition's backfill is over
   * (FeatureBackfill.onDone): the stored membership follows the definition, not the next sweep.
   */
  afterBackfill(feature: string, hash: string): void {
    this.track(this.membership.afterBackfill(feature, hash));
  }

  /** Consumer names registered (one per kind and definition version). */
  consumerNames(): string[] {
    return this.learnConsumers?.names() ?? [];
  }

  private track(p: Promise<unknown>): void {
    const t = p.catch((err: Error) => err instanceof SweepStopped
      ? this.log('shutting down: a segment sweep stopped; the next sweep re-evaluates the subjects it did not reach', { reason: err.reason, subjects: err.subjects })
      : this.log('learning background work failed', { error: err.message })).finally(() => this.pending.delete(t));
    this.pending.add(t);
  }
}
