import type { Logger } from 'pino';
import type { Settings } from '../config/settings.js';
import type { CompiledCatalog } from '../decide/catalog-compile.js';
import type { DecisionRecord } from '../decide/decision.js';
import { catalogKind, policyKind } from '../decide/kinds.js';
import type { OutcomeRecord } from '../decide/records.js';
import type { MonitorEvent } from '../measure/monitors/counters.js';
import { initialMonitorState, type MonitorAlert, type MonitorState } from '../measure/monitors/monitor.js';
import type { Metrics } from '../ops/metrics.js';
import { segmentsKind, type CompiledSegments } from '../segments/segments-kind.js';
import type { Store } from '../store/store.js';
import { alertId, reopeningOf, toStoredAlert } from './alerts.js';
import { stepInChunks } from './chunked-step.js';
import { longTimeout, type LongTimer } from './long-timer.js';
import { exposuresOf, negativeTypes, outcomeEvents, placeOf } from './events.js';
import { RecentExamples } from './examples.js';
import { logAlerts, logStep } from './monitor-log.js';
import { monitorsKind } from './monitors-kind.js';
import { PendingEvents } from './pending.js';
import { DecisionPlaces } from './places.js';
import { closeRemoved, type SegmentNames, unwatched } from './removed.js';
import { WebhookDeliverer } from './webhook.js';

/** Pending events kept while the store cannot be written; beyond, the oldest are dropped (and logged). */
const MAX_PENDING = 1_000_000;
/**
 * How long a shutdown waits for webhook posts in flight: a post cut off is sent again after its
 * lease (at least once), so the wait is bounded whatever `webhook.timeout` says.
 */
const SHUTDOWN_GRACE_MS = 5_000;
/** Attempts of a step when other processes commit theirs first. */
const MAX_CONFLICTS = 5;

export interface MonitoringOptions {
  store: Store;
  settings: Settings;
  log: Logger;
  metrics?: Metrics;
  now?: () => number;
}

/** What one step did. */
export interface StepReport {
  events: number;
  raised: string[];
  resolved: string[];
  /** Alerts a relapse within the cool-down opened again. */
  reopened: string[];
  committed: boolean;
}

/**
 * The monitors, running in the server: every decision this process logs is exposures, every
 * outcome it records a response or a negative (keyed by action, placement and segment, and
 * always also segment "all"); a step folds them into the stored monitor state and raises or
 * resolves alerts. Each process folds only what it logged, and a step commits only if no other
 * process committed since it read the state (compare-and-set), so nothing is counted twice;
 * a step that lost the race is retried on the new state.
 *
 * @example
 * const m = new Monitoring({ store, settings, log, metrics }); // src/server/tact.ts wires it:
 * // DecideService onDecision: (d) => m.onDecision(d), onOutcomes: (o) => m.onOutcomes(o)
 * await m.step(); // on a timer (`monitors.interval`, default 10 s) and on demand
 */
export class Monitoring {
  readonly examples = new RecentExamples();
  readonly webhook: WebhookDeliverer;
  private readonly pending = new PendingEvents();
  private outcomes: OutcomeRecord[] = [];
  private readonly places: DecisionPlaces;
  private stepping: Promise<StepReport> | undefined;
  /** The state as this process last committed it, with its version. */
  private cached: { state: MonitorState; version: number } | undefined;
  private timer: LongTimer | undefined;
  /** A step is due even with the monitors turned off: at the start and after each change of the document, to close what was removed. */
  private sweep = true;
  private readonly now: () => number;

  constructor(private readonly o: MonitoringOptions) {
    this.now = o.now ?? Date.now;
    this.places = new DecisionPlaces(o.store.decisions);
    this.webhook = new WebhookDeliverer(o.store.monitors, () => o.settings.get(monitorsKind), this.now, (r) => {
      o.metrics?.webhookDeliveries.inc({ result: r.result });
      const data = { alert: r.alert.id, event: r.event, attempts: r.attempts, status: r.status, error: r.error };
      if (r.result === 'delivered') o.log.info(data, 'alert delivered to the webhook');
      else o.log.warn(data, r.result === 'failed' ? 'alert webhook gave up' : 'alert webhook failed; it is retried');
    });
  }

  /** The monitors' clock (injected in tests). */
  clock(): number {
    return this.now();
  }

  /** Decisions and outcomes waiting for the next step. */
  get depth(): number {
    return this.pending.length + this.outcomes.length;
  }

  /** A decision this process logged (wired to DecideService `onDecision`). */
  onDecision(d: DecisionRecord): void {
    if (!this.o.settings.get(monitorsKind).enabled) return;
    const place = placeOf(d);
    this.places.remember(d.id, place);
    for (const e of exposuresOf(d)) {
      this.pending.push(e);
      this.examples.add(e, 'exposure', { decisionId: d.id });
    }
    this.bound();
  }

  /** Outcomes this process recorded (wired to DecideService `onOutcomes`); their places are resolved at the step. */
  onOutcomes(records: OutcomeRecord[]): void {
    if (!this.o.settings.get(monitorsKind).enabled) return;
    for (const r of records) if (r.decisionId && r.action) this.outcomes.push(r);
    this.bound();
  }

  /** Folds what is pending and checks every key now (one step at a time). */
  step(): Promise<StepReport> {
    this.stepping ??= this.run().finally(() => (this.stepping = undefined));
    return this.stepping;
  }

  /**
   * Steps every `monitors.interval` and sends due alerts to the webhook; a changed interval applies
   * at once. The interval may be longer than a Node timer holds (2^31 − 1 ms ≈ 24.8 days): it is
   * waited as a chain of shorter timeouts, never cut to 1 ms.
   */
  start(): void {
    const schedule = () => {
      this.timer?.cancel();
      this.timer = longTimeout(() => {
        schedule();
        void this.tick();
      }, this.o.settings.get(monitorsKind).intervalMs);
    };
    schedule();
    this.webhook.start();
    this.o.settings.onChange(async (kind) => {
      if (kind !== 'monitors') return;
      this.sweep = true;
      if (!this.timer) return;
      schedule();
      // A metric removed (or the monitors turned off): its open alerts are closed now, not an interval later.
      void this.tick();
    });
  }

  /**
   * Stops the timer, commits what is pending (a clean shutdown loses no counts) and waits for the
   * webhook posts in flight (at most {@link SHUTDOWN_GRACE_MS}), so their results are recorded.
   */
  async close(): Promise<void> {
    this.timer?.cancel();
    this.timer = undefined;
    this.webhook.stop();
    await this.stepping?.catch(() => undefined);
    await this.webhook.settle(SHUTDOWN_GRACE_MS);
    if (this.depth) {
      await this.step().catch((err: Error) => this.o.log.warn({ error: err.message, pending: this.depth }, 'monitor events not saved at shutdown'));
    }
  }

  private async tick(): Promise<void> {
    try {
      // Turned off, a step only closes the alerts of the removed monitors (once after each change).
      if (this.o.settings.get(monitorsKind).enabled || this.sweep || this.depth) await this.step();
      await this.webhook.deliverDue();
    } catch (err) {
      this.o.log.warn({ error: (err as Error).message }, 'monitor step failed; its events are kept for the next one');
    }
  }

  private async run(): Promise<StepReport> {
    const started = performance.now();
    const s = this.o.settings.get(monitorsKind);
    // Turned off, no metric is checked: nothing fires, and every open alert is closed.
    const config = s.enabled ? s.config : { ...s.config, metrics: [] };
    const negatives = negativeTypes(this.o.settings.get(policyKind).rewards, s.negatives);
    const events = this.pending.take();
    const outcomes = this.outcomes;
    this.outcomes = [];
    try {
      events.push(...(await this.outcomeEventsOf(outcomes, negatives)));
    } catch (err) {
      this.pending.putBack(events);
      this.outcomes = outcomes.concat(this.outcomes);
      throw err;
    }
    try {
      for (let attempt = 1; ; attempt++) {
        const now = this.now();
        const { state, version } = await this.current();
        // Keys whose action or placement left the catalog, or whose segment left the segments document,
        // are not checked (settings without those kinds: every key is).
        const catalog = this.o.settings.get(catalogKind) as CompiledCatalog | undefined;
        const segments = this.segmentNames();
        const watched = catalog || segments ? (id: string) => !unwatched(id, catalog, segments) : undefined;
        const r = await stepInChunks(state, events, now, config, undefined, watched);
        const fired = r.alerts.filter((a) => a.status === 'firing');
        const resolved = r.alerts.filter((a) => a.status === 'resolved');
        const relapsed = r.alerts.filter((a) => a.status === 'reopened');
        // Open alerts of metrics, actions or placements no longer watched would never resolve: closed, with the reason.
        const removed = closeRemoved(r.state.tracks, config.metrics, s.enabled, catalog, segments, now);
        if (!events.length && !r.alerts.length && !removed.closed.length) {
          if (!s.enabled) this.sweep = false;
          return this.report(started, 'idle', { events: 0, raised: [], resolved: [], reopened: [], committed: false });
        }
        const raised = await Promise.all(fired.map(async (a) => toStoredAlert(a, await this.examplesOf(a), !!s.webhook)));
        const reopened = await Promise.all(relapsed.map(async (a) => reopeningOf(a, await this.examplesOf(a))));
        const closed = removed.closed.map((c) => ({ id: c.id, reason: c.reason }));
        // With a webhook, resolutions (closings too) and reopenings are queued for it like raised alerts.
        const recoveries = resolved.map((a) => ({ id: alertId(a.id), observed: a.observed, message: a.message }));
        const write = { raised, resolved: recoveries.map((x) => x.id), recoveries, closed, reopened, notify: !!s.webhook };
        const ok = await this.o.store.monitors.commitStep({ expectedVersion: version, at: now, tracks: removed.tracks, ...r.diff, ...write });
        this.cached = ok ? { state: { series: r.state.series, tracks: removed.tracks }, version: version + 1 } : undefined;
        if (!ok && attempt < MAX_CONFLICTS) continue;
        if (!ok) throw new Error(`the monitor state changed under ${MAX_CONFLICTS} attempts in a row`);
        logAlerts(this.o.log, this.o.metrics, fired, resolved, removed.closed, relapsed);
        for (const e of events) this.o.metrics?.monitorEvents.inc({ type: e.type });
        if (!s.enabled) this.sweep = false;
        return this.report(started, 'committed', { events: events.length, raised: raised.map((a) => a.id), resolved: [...resolved.map((a) => alertId(a.id)), ...closed.map((c) => c.id)], reopened: reopened.map((a) => a.id), committed: true });
      }
    } catch (err) {
      // Nothing was committed: the events wait for the next step, in their order.
      this.pending.putBack(events);
      this.bound();
      this.o.metrics?.monitorSteps.observe({ result: 'failed' }, (performance.now() - started) / 1000);
      throw err;
    }
  }

  /** The names of the segments in force (undefined when the settings have no segments kind). */
  private segmentNames(): SegmentNames | undefined {
    const compiled = this.o.settings.get(segmentsKind) as CompiledSegments | undefined;
    return compiled && new Set(compiled.audiences.map((a) => a.name));
  }

  /** The stored state: the one this process committed last when no other process committed since, else read. */
  private async current(): Promise<{ state: MonitorState; version: number }> {
    const version = await this.o.store.monitors.stateVersion();
    if (this.cached?.version === version) return this.cached;
    const stored = await this.o.store.monitors.loadState();
    return { state: stored.state ?? initialMonitorState(), version: stored.version };
  }

  private report(started: number, result: string, r: StepReport): StepReport {
    logStep(this.o.log, this.o.metrics, started, result, r);
    return r;
  }

  /** The alert's examples: this process's latest events of the key, else the latest decisions of its action and placement in the window. */
  private async examplesOf(a: MonitorAlert): Promise<{ decisions: string[]; outcomes: string[] }> {
    const ex = this.examples.forAlert(a.key, a.metric, a.direction);
    if (ex.decisions.length) return ex;
    const logged = await this.o.store.decisions.queryDecisions({ action: a.key.action, placement: a.key.placement, from: a.window.from, to: a.window.to + 1, limit: 5 });
    return { decisions: logged.map((d) => d.id), outcomes: [] };
  }

  /** Responses and negatives of outcomes, placed by their decision (remembered, else read from the log). */
  private async outcomeEventsOf(outcomes: OutcomeRecord[], negatives: ReadonlySet<string>): Promise<MonitorEvent[]> {
    const out: MonitorEvent[] = [];
    for (const o of outcomes) {
      const id = o.decisionId as string;
      const place = await this.places.of(id);
      if (!place) continue;
      for (const e of outcomeEvents(o, place, negatives)) {
        out.push(e);
        this.examples.add(e, e.type === 'negative' ? 'negative' : 'response', { decisionId: id, outcomeId: o.id });
      }
    }
    return out;
  }

  private bound(): void {
    const over = this.pending.bound(MAX_PENDING);
    const overOutcomes = this.outcomes.length - MAX_PENDING;
    if (over <= 0 && overOutcomes <= 0) return;
    if (overOutcomes > 0) this.outcomes.splice(0, overOutcomes);
    this.o.log.warn({ dropped: over + Math.max(0, overOutcomes) }, 'monitor events dropped: the monitor state could not be saved for too long');
  }
}
