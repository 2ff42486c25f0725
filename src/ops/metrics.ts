import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** How many outcome types get a series of their own in tact_outcomes_total. */
export const OUTCOME_TYPES_LABELLED = 50;

/**
 * How long a scrape waits for the consumer lag, the one family read from the store: well inside
 * Prometheus's default scrape timeout (10 s), so a store that does not answer costs that family,
 * not the scrape.
 */
export const LAG_READ_TIMEOUT_MS = 2_000;

/**
 * Tact's Prometheus metrics: request rates and latencies, ingestion (messages by outcome, commit
 * time and size, queue depth), identity merges and conflicts, store timings, the store's commits, event-log consumer lag, decisions by kind, outcomes
 * by type, monitor steps and alerts, alert webhook attempts, features' failed `where` filters. Served
 * at GET /metrics in the Prometheus text format.
 *
 * @example
 * const m = new Metrics(); m.ingested.inc({ outcome: 'stored' }, 100);
 */
export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({ name: 'tact_http_requests_total', help: 'HTTP requests by method, route and status.', labelNames: ['method', 'route', 'status'] as const, registers: [this.registry] });
  readonly httpDuration = new Histogram({
    name: 'tact_http_request_duration_seconds', help: 'HTTP request duration by method and route.', labelNames: ['method', 'route'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [this.registry],
  });
  readonly ingested = new Counter({ name: 'tact_ingested_messages_total', help: 'Messages handled by collection, by outcome (stored, duplicate, blocked, rejected).', labelNames: ['outcome'] as const, registers: [this.registry] });
  readonly commitDuration = new Histogram({
    name: 'tact_ingest_commit_duration_seconds', help: 'From taking a batch to its durable commit.',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1], registers: [this.registry],
  });
  readonly commitSize = new Histogram({ name: 'tact_ingest_commit_messages', help: 'Messages per committed batch.', buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000], registers: [this.registry] });
  readonly storeOperation = new Histogram({
    name: 'tact_store_operation_duration_seconds', help: 'Store operations by name.', labelNames: ['operation'] as const,
    buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5], registers: [this.registry],
  });
  readonly storeCommit = new Histogram({
    name: 'tact_store_commit_duration_seconds',
    help: "The store's transactions by phase: write (the statements) and commit (the log append and, under fsync durability, the flush to disk every acknowledgement in it waited for). Embedded store: timed in its writer thread; PostgreSQL: round trips of multi-statement transactions. Transactions that write nothing (the /health probe) are not counted.",
    labelNames: ['phase'] as const,
    buckets: [0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [this.registry],
  });
  readonly decisions = new Counter({ name: 'tact_decisions_total', help: 'Decisions by placement and kind of the first choice (action, none, handoff, held).', labelNames: ['placement', 'kind'] as const, registers: [this.registry] });
  readonly outcomes = new Counter({ name: 'tact_outcomes_total', help: `Outcomes recorded, by type (the first ${OUTCOME_TYPES_LABELLED} types seen; later ones as \`other\`).`, labelNames: ['type'] as const, registers: [this.registry] });
  readonly alerts = new Counter({ name: 'tact_monitor_alerts_total', help: 'Monitor alerts by metric and event (raised, resolved, reopened).', labelNames: ['metric', 'event'] as const, registers: [this.registry] });
  readonly monitorSteps = new Histogram({
    name: 'tact_monitor_step_duration_seconds', help: 'Monitor steps (fold new events, check every key, commit), by result.', labelNames: ['result'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [this.registry],
  });
  readonly monitorEvents = new Counter({ name: 'tact_monitor_events_total', help: 'Exposures, responses and negatives folded into the monitors.', labelNames: ['type'] as const, registers: [this.registry] });
  readonly identityMerges = new Counter({ name: 'tact_identity_merges_total', help: 'Profiles merged into another by a message that linked them (one per merge recorded).', registers: [this.registry] });
  readonly identityConflicts = new Counter({
    name: 'tact_identity_conflicts_total',
    help: 'Identity conflicts recorded on profiles, one per message that hit one, by kind (userId, anonymousId, email, previousId, groupId, company.id, role, externalIds, external: any other external id type) and reason (limit, blocked, not_email, too_long, account, unreadable).',
    labelNames: ['kind', 'reason'] as const, registers: [this.registry],
  });
  readonly webhookDeliveries = new Counter({ name: 'tact_alert_webhook_attempts_total', help: 'Alert webhook attempts by result (delivered, retry, failed).', labelNames: ['result'] as const, registers: [this.registry] });

  constructor(gauges: { queueDepth?: () => number; consumerLag?: () => Promise<Record<string, number>>; dirtyProfiles?: () => number; warmProfiles?: () => number; monitorPending?: () => number; batchesRead?: () => { worker: number; main: number } | undefined; decisionState?: () => { subjects: number; contacts: number; successes: number; keys: number; lazySubjects: number } | undefined; featureWhereErrors?: () => Iterable<{ feature: string; count: number }>; unmatchedOutcomes?: () => Iterable<{ source: string; reason: string; count: number }> } = {}, o: { lagTimeoutMs?: number } = {}) {
    collectDefaultMetrics({ register: this.registry, prefix: 'tact_' });
    if (gauges.queueDepth) {
      const read = gauges.queueDepth;
      new Gauge({ name: 'tact_ingest_queue_depth', help: 'Messages waiting for a commit.', registers: [this.registry], collect() { this.set(read()); } });
    }
    if (gauges.dirtyProfiles) {
      const read = gauges.dirtyProfiles;
      new Gauge({ name: 'tact_profiles_unwritten', help: 'Profile states changed since the last checkpoint (embedded store).', registers: [this.registry], collect() { this.set(read()); } });
    }
    if (gauges.warmProfiles) {
      const read = gauges.warmProfiles;
      new Gauge({ name: 'tact_profiles_warm', help: 'Profile states written by a checkpoint and still held as objects until the next cooling, when those no event changed are held as text (embedded store).', registers: [this.registry], collect() { this.set(read()); } });
    }
    if (gauges.decisionState) {
      const read = gauges.decisionState;
      const held = (name: string, help: string, pick: (s: { subjects: number; contacts: number; successes: number; keys: number; lazySubjects: number }) => number) =>
        new Gauge({ name, help, registers: [this.registry], collect() { const s = read(); if (s) this.set(pick(s)); } });
      held('tact_decide_subjects_held', 'Subjects whose recent contacts or dismissals the decision state holds in memory.', (s) => s.subjects);
      held('tact_decide_contacts_held', 'Contacts the decision state holds in memory: those a cap counts, and the last minutes\' (docs/decisions.md).', (s) => s.contacts);
      held('tact_decide_successes_held', 'Successes of the last minutes the decision state holds in memory (older ones are asked of the decision log).', (s) => s.successes);
      held('tact_decide_keys_held', 'Keys of the last minutes\' applied outcomes (and, on a shared store, contacts) the decision state holds to count each once.', (s) => s.keys);
      // Only ever rises (until a restart): a counter, so rate() and increase() read it (until 2026-12-03 the gauge tact_decide_subjects_read_since_start).
      new Counter({
        name: 'tact_decide_subjects_read_total', help: 'Subjects whose contacts older than the start were read from the decision log at their first decision (docs/adr/0006-lazy-contact-ledger.md).', registers: [this.registry],
        collect() {
          const s = read();
          if (!s) return;
          this.reset();
          this.inc(s.lazySubjects);
        },
      });
    }
    if (gauges.featureWhereErrors) {
      const read = gauges.featureWhereErrors;
      // Read from the features' own tallies at each scrape, so the folding code knows no metrics.
      new Counter({
        name: 'tact_feature_where_errors_total', help: 'Events on which a feature\'s `where` failed (other than for a missing key), so the feature did not count them; by feature, since its definition was last loaded in this process.', labelNames: ['feature'] as const, registers: [this.registry],
        collect() {
          this.reset();
          for (const { feature, count } of read()) if (count > 0) this.inc({ feature }, count);
        },
      });
    }
    if (gauges.unmatchedOutcomes) {
      const read = gauges.unmatchedOutcomes;
      // Read from the outcome recorder's tally at each scrape (src/decide/outcomes/unmatched.ts).
      new Counter({
        name: 'tact_outcomes_unmatched_total', help: 'Outcomes recorded credited to no decision though they named a decision or an action that did not match, by source (api, event) and reason (decision_unknown, decision_of_another_subject, decision_after_outcome, action_not_chosen, decision_past_window, action_not_shown, action_unknown).', labelNames: ['source', 'reason'] as const, registers: [this.registry],
        collect() {
          this.reset();
          for (const { source, reason, count } of read()) this.inc({ source, reason }, count);
        },
      });
    }
    if (gauges.monitorPending) {
      const read = gauges.monitorPending;
      new Gauge({ name: 'tact_monitor_pending_events', help: 'Decisions and outcomes waiting for the next monitor step.', registers: [this.registry], collect() { this.set(read()); } });
    }
    if (gauges.batchesRead) {
      const read = gauges.batchesRead;
      new Counter({
        name: 'tact_collect_batches_read_total', help: 'Collection batch bodies read, by thread (worker: a parse worker; main: the main thread).', labelNames: ['thread'] as const, registers: [this.registry],
        collect() {
          const c = read();
          if (!c) return;
          this.reset();
          this.inc({ thread: 'worker' }, c.worker);
          this.inc({ thread: 'main' }, c.main);
        },
      });
    }
    if (gauges.consumerLag) {
      const read = gauges.consumerLag;
      const timeoutMs = o.lagTimeoutMs ?? LAG_READ_TIMEOUT_MS;
      new Gauge({
        name: 'tact_consumer_lag_events', help: 'Events an event-log consumer has not handled yet (left out of a scrape while the store cannot be read).', labelNames: ['consumer'] as const, registers: [this.registry],
        async collect() {
          // A store that fails or does not answer leaves this family out, not the whole scrape (a
          // 500 when the rest is most needed), and no earlier figure is passed off as current.
          const lags = await withinMs(read(), timeoutMs).catch(() => undefined);
          this.reset();
          for (const [consumer, lag] of Object.entries(lags ?? {})) this.set({ consumer }, lag);
        },
      });
    }
  }

  private readonly outcomeTypes = new Set<string>();

  /**
   * The `type` label of an outcome: outcome types are the caller's text, so only the first
   * OUTCOME_TYPES_LABELLED get a series of their own and the rest count as `other`.
   */
  outcomeType(type: string): string {
    if (this.outcomeTypes.has(type)) return type;
    if (this.outcomeTypes.size >= OUTCOME_TYPES_LABELLED) return 'other';
    this.outcomeTypes.add(type);
    return type;
  }

  /** Times an async store operation. */
  async time<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    const end = this.storeOperation.startTimer({ operation });
    try {
      return await fn();
    } finally {
      end();
    }
  }
}

/** The promise's value, or a rejection once `ms` have passed without one. */
function withinMs<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
