import { pino, type Logger } from 'pino';
import { Ingestor } from '../collect/ingestor.js';
import { BatchReader } from '../collect/parse/parse-pool.js';
import { projectionFor, type Projection } from '../collect/parse/slim.js';
import { LogConsumers } from '../collect/log-consumers.js';
import { Metrics } from '../ops/metrics.js';
import { logLevel } from '../ops/log-level.js';
import { timeStoreOperations } from '../ops/store-timings.js';
import { watchCommits } from '../ops/commit-watch.js';
import { trackingPlanKind } from '../collect/tracking-plan-kind.js';
import type { ConfigFile } from '../config/config-file.js';
import { type AppliedDocument, Settings } from '../config/settings.js';
import { catalogKind, policyKind } from '../decide/kinds.js';
import { flagsKind } from '../decide/flag-declarations.js';
import { DecideService } from '../decide/service.js';
import type { DecideState } from '../decide/decide-state.js';
import { mergeRulesKind } from '../identity/merge-rules-kind.js';
import { identityCounter } from '../identity/identity-counts.js';
import { Keys } from '../keys/keys.js';
import { FeatureBackfill } from '../profiles/features/backfill.js';
import type { FeatureDefinition } from '../profiles/features/definition.js';
import { featuresAround, featuresKind } from '../profiles/features/features-kind.js';
import { warnOfWhereErrors } from '../profiles/features/where-errors.js';
import { lifecycleKind } from '../profiles/lifecycle.js';
import { learnKinds } from '../models/kinds.js';
import { Learning } from '../models/learning.js';
import { Monitoring } from '../monitor/monitoring.js';
import { monitorsKind } from '../monitor/monitors-kind.js';
import { experimentsKind } from '../measure/experiments-service/experiments-kind.js';
import { ExperimentRouter } from '../measure/experiments-service/router.js';
import type { Store } from '../store/store.js';

/** Every configuration kind Tact knows, in load order. */
export const documentKinds = [featuresKind, mergeRulesKind, trackingPlanKind, lifecycleKind, catalogKind, policyKind, flagsKind, experimentsKind, ...learnKinds, monitorsKind];

export interface TactOptions {
  store: Store;
  configFile?: ConfigFile;
  logger?: Logger;
  /** Start the background loops (feature backfill). Tests may drive them by hand. */
  background?: boolean;
  /** Tell the ingestor which store errors to retry (PostgreSQL serialization failures, deadlocks). */
  isRetryable?: (err: unknown) => boolean;
  /** The clock of decisions and monitors (tests advance it; default Date.now). */
  now?: () => number;
  /** Random source of decisions' exploration (tests pass a seeded one; default Math.random). */
  random?: () => number;
  /** Parse workers for collection batches (default: TACT_PARSE_WORKERS, else one on four cores or more; 0 reads them on the main thread) and the smallest body they take. */
  parse?: { workers?: number; minChars?: number };
}

/**
 * The one place Tact is wired: the store, the settings compiled from it, the ingestor, the
 * feature backfill and the keys. The HTTP app and the CLI both start from here.
 */
export class Tact {
  readonly log: Logger;
  /** Followers of the event log (outcome mapping, audiences, baselines …), woken after each commit. */
  readonly consumers: LogConsumers;
  /** Prometheus metrics (GET /metrics). */
  readonly metrics: Metrics;
  /** Decisions: the decider, outcomes, flags, reviews (src/decide). */
  decide!: DecideService;
  /** Estimates, segments, baselines, send time, rates, recommendations, the model registry (src/models, src/segments). */
  learning!: Learning;
  /** Streaming monitors and their alerts (src/monitor). */
  monitoring!: Monitoring;
  /** Reads collection batch bodies, the large ones in parse workers (src/collect/parse). */
  batches!: BatchReader;
  private features: ReturnType<typeof featuresKind.compile>;
  private projected: Projection | undefined;

  private constructor(
    readonly store: Store,
    readonly settings: Settings,
    readonly ingestor: Ingestor,
    readonly backfill: FeatureBackfill,
    readonly keys: Keys,
    log: Logger,
    consumers: LogConsumers,
    metrics: Metrics,
  ) {
    this.log = log;
    this.consumers = consumers;
    this.metrics = metrics;
    this.features = settings.get(featuresKind);
    // Batches already taken are finished under the configuration they were taken with; those
    // waiting are taken once the change is in force (its listeners heard it: a features change
    // checkpoints and rebuilds the states before any batch folds into them again).
    settings.beforeChange(() => this.ingestor.hold());
    // A features change checkpoints before it is stored (SQLite; nothing to do on PostgreSQL): were the
    // process to stop before its listeners ran, the next start replays only events after the cut,
    // under the new definitions — not events before it, which the backfill counts as well.
    settings.beforeChange(async (kind) => {
      if (kind === 'features') await this.store.collect.checkpoint();
    });
    // Its backfills are stored with it, in one transaction: no crash leaves a feature without one.
    settings.planJobs(async (kind, body) => (kind === 'features' ? backfill.jobsFor(body as FeatureDefinition[]) : undefined));
    settings.onChange(async (kind, change) => {
      if (kind !== 'features') return;
      this.features = settings.get(featuresKind);
      // Materialized states now hold every event folded under the old definitions, so a replay
      // after a crash only ever sees events of the new ones.
      await this.store.collect.checkpoint();
      await this.store.collect.prepare(this.features);
      // What this change brought in, with its cut: not what this process had in force before it,
      // which lags behind changes made by other processes (it would plan their features again).
      const [before, after] = await featuresAround(this.store.documents, change.version);
      const jobs = await this.backfill.plan(before, after, change.eventSeq);
      for (const j of jobs) if (j.state === 'running') this.log.info({ job: j.id, uptoSeq: change.eventSeq }, 'feature backfill started');
    });
  }

  static async create(opts: TactOptions): Promise<Tact> {
    const log = opts.logger ?? pino({ level: logLevel(process.env) });
    const settings = new Settings(opts.store.documents, documentKinds, { models: opts.store.models, flags: opts.store.decisions });
    await settings.reload();
    const consumers = new LogConsumers(opts.store, { log: (msg, data) => log.warn(data ?? {}, msg) });
    let ingestor: Ingestor | undefined;
    let batches: BatchReader | undefined;
    let decisions: DecideState | undefined;
    let decide: DecideService | undefined;
    const store = opts.store as Store & { collect: { dirtyProfiles?: number; warmProfiles?: number } };
    const metrics = new Metrics({
      queueDepth: () => ingestor?.depth ?? 0,
      consumerLag: () => consumers.lag(),
      dirtyProfiles: store.collect.dirtyProfiles !== undefined ? () => store.collect.dirtyProfiles ?? 0 : undefined,
      warmProfiles: store.collect.warmProfiles !== undefined ? () => store.collect.warmProfiles ?? 0 : undefined,
      monitorPending: (): number => monitoring.depth,
      batchesRead: () => batches?.counts,
      featureWhereErrors: () => settings.get(featuresKind).map((f) => ({ feature: f.def.name, count: f.whereErrors.count })),
      unmatchedOutcomes: () => decide?.outcomes.unmatched.tally() ?? [],
      decisionState: () => (decisions ? { subjects: decisions.ledger.size, contacts: decisions.ledger.contactCount, successes: decisions.heldSuccesses, keys: decisions.heldKeys, lazySubjects: decisions.lazyReads.subjects } : undefined),
    });
    timeStoreOperations(opts.store, metrics);
    watchCommits(opts.store, metrics, (data, msg) => log.warn(data, msg));
    // One JSON line per 10 s however many idle connections a database restart ends at once.
    let lost = { at: 0, n: 0 };
    opts.store.onConnectionLost?.((err) => {
      lost.n++;
      if (Date.now() - lost.at < 10_000) return;
      log.warn({ error: err.message, connections: lost.n }, 'the database closed idle connections; the next queries open new ones');
      lost = { at: Date.now(), n: 0 };
    });
    // The folding code counts a feature's failed `where` (where-errors.ts); its first one is told here.
    const warnWhereErrors = warnOfWhereErrors((data, msg) => log.warn(data, msg));
    ingestor = new Ingestor(opts.store, settings, {
      isRetryable: opts.isRetryable,
      onCommit: ({ messages, ms, outcomes }) => {
        metrics.commitDuration.observe(ms / 1000);
        metrics.commitSize.observe(messages);
        const by: Record<string, number> = {};
        for (const o of outcomes) by[o.outcome] = (by[o.outcome] ?? 0) + 1;
        for (const [outcome, n] of Object.entries(by)) metrics.ingested.inc({ outcome }, n);
        consumers.notify();
        warnWhereErrors(settings.get(featuresKind));
      },
      onWrites: identityCounter(metrics, (data, msg) => log.info(data, msg)),
    });
    const backfill = new FeatureBackfill(opts.store, settings, { log: (msg, data) => log.info(data ?? {}, msg) });
    backfill.onDone(() => warnWhereErrors(settings.get(featuresKind)));
    const tact = new Tact(opts.store, settings, ingestor, backfill, new Keys(opts.store.keys, undefined, { warn: (msg) => log.warn(msg), info: (data, msg) => log.info(data, msg) }), log, consumers, metrics);
    // A backfill over means segment rules on that feature are evaluated again; one that ends before
    // learning is wired (a config file applied at this start) is passed on once it is.
    const doneEarly: [string, string][] = [];
    backfill.onDone((feature, hash) => {
      const learning: Learning | undefined = tact.learning;
      if (learning) learning.afterBackfill(feature, hash);
      else doneEarly.push([feature, hash]);
    });
    const monitoring: Monitoring = new Monitoring({ store: opts.store, settings, log: log.child({ component: 'monitors' }), metrics, now: opts.now });
    tact.monitoring = monitoring;
    tact.batches = batches = new BatchReader({ ...opts.parse, onWorkerFailure: (message) => log.warn({}, `${message}; its batches are read on the main thread`) });
    // Replay (embedded store) under the definitions the stored events were folded with, before any change.
    const { replayed } = await opts.store.collect.prepare(settings.get(featuresKind));
    if (replayed) log.info({ replayed }, 'profile states rebuilt from the event log');
    if (opts.configFile) {
      const applied = await settings.applyFile(opts.configFile, (data, msg) => log.warn(data, msg));
      if (applied.length) log.info({ file: opts.configFile.path, applied }, 'configuration file applied');
    }
    for (const k of settings.allKinds()) {
      const problems = await settings.storedProblems(k.kind);
      if (problems.length) {
        const list = problems.map((p) => `${p.field}: ${p.message}`).join(' ');
        log.warn({ kind: k.kind, version: settings.version(k.kind), problems }, `The stored \`${k.kind}\` (version ${settings.version(k.kind)}) does not pass this version's checks; it stays in force as stored until it is changed: ${list}`);
      }
    }
    const unplanned = [...(await backfill.status())].filter(([, s]) => s.state === 'unplanned').map(([name]) => name);
    if (unplanned.length) log.warn({ features: unplanned }, `The backfill of feature(s) ${unplanned.join(', ')} was never planned (a version before 2026-12-05 stopped between storing a feature and planning it): they hold only the events since they were stored. Remove each and add it again to backfill it.`);
    tact.learning = Learning.create({ store: opts.store, settings, consumers, log: (msg, data) => log.info(data ?? {}, msg) });
    for (const [feature, hash] of doneEarly.splice(0)) tact.learning.afterBackfill(feature, hash);
    tact.decide = await DecideService.start({
      store: opts.store, settings, consumers, log, background: opts.background, random: opts.random, recommender: tact.learning.recommender, now: opts.now,
      prefetch: tact.learning.decisionInputs,
      experiments: new ExperimentRouter(settings, opts.store.documents),
      onDecision: (d) => {
        metrics.decisions.inc({ placement: d.placement, kind: d.choices[0]?.held ? 'held' : (d.choices[0]?.kind ?? 'none') });
        monitoring.onDecision(d);
      },
      onOutcomes: (records) => {
        const seen = new Set<string>();
        for (const r of records) if (!seen.has(r.id) && seen.add(r.id)) metrics.outcomes.inc({ type: metrics.outcomeType(r.type) });
        monitoring.onOutcomes(records);
      },
    });
    decisions = tact.decide.state;
    decide = tact.decide;
    if (opts.background !== false) {
      monitoring.start();
      backfill.start();
      consumers.start();
      tact.learning.start();
    }
    return tact;
  }

  /** What of a message the write path reads under the current configuration (parse workers project messages to it). */
  projection(): Projection {
    const epoch = this.settings.epoch;
    if (this.projected?.epoch !== epoch) this.projected = projectionFor(this.settings.get(featuresKind), this.settings.get(trackingPlanKind), epoch);
    return this.projected;
  }

  /** Checks, versions and applies a configuration document (features start their backfill). */
  applyDocument(kind: string, body: unknown, meta: { author: string; reason: string; expectedVersion?: number }): Promise<AppliedDocument<unknown>> {
    return this.settings.put(kind, body, meta);
  }

  /** Finishes queued writes and stops the background loops; the store stays open. */
  async close(): Promise<void> {
    // Begun first (the app's close may have begun it already): its grace runs while the rest stops.
    const learning = this.learning?.stop();
    this.backfill.stop();
    this.decide?.close();
    await this.monitoring?.close();
    await this.decide?.bandits.save().catch((err: Error) => this.log.warn({ error: err.message }, 'the bandits could not be saved at shutdown'));
    // Before the store closes: trainings abandoned give their leases back (Learning.stop).
    await learning;
    this.consumers.stop();
    await this.ingestor.close();
    await this.batches?.close();
    await this.consumers.runAll();
    await this.consumers.flush();
    // What was logged since the last fold, so the next start reads little of the log (at most ten seconds of it here).
    await this.decide?.foldCounts(Date.now() + 10_000).catch((err: Error) => this.log.warn({ error: err.message }, 'the decision counts could not be folded at shutdown'));
  }
}
