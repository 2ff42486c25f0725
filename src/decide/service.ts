import type { Logger } from 'pino';
import type { LogConsumers } from '../collect/log-consumers.js';
import type { Settings } from '../config/settings.js';
import { newProfileId } from '../identity/profile-id.js';
import type { ProfileStore } from '../profiles/profile-store.js';
import type { Store } from '../store/store.js';
import { DecideState } from './decide-state.js';
import { everyAttributionWindow } from './decision-calibration.js';
import { HOUR_MS } from './open-trials.js';
import { Decider, type DeciderDeps } from './decider.js';
import { catalogKind, policyKind } from './kinds.js';
import { flagsKind } from './flag-declarations.js';
import { LadderEstimates } from './ladder-estimates.js';
import { MergedKeys } from './merged-keys.js';
import { outcomesFromEvents } from './outcomes/event-outcomes.js';
import { OutcomeRecorder } from './outcomes/recorder.js';
import { playbookFor, type Playbook } from './playbook.js';
import { Reviews } from './reviews.js';
import { Flags } from './flags.js';
import type { DecisionRecord } from './decision.js';
import type { OutcomeRecord } from './records.js';
import { type BanditPlacement, PlacementBandits } from './bandit/placement-bandits.js';
import { banditConfig } from './bandit/bandit-select.js';
import type { Catalog } from './catalog.js';
import type { Policy } from './policy.js';
import { catalogNames, policyTargetProblems } from './policy-targets.js';

/**
 * The consumer that maps track events to outcomes keeps its log position under this name.
 *
 * @example
 * (await tact.consumers.lag())[OUTCOME_CONSUMER]; // events not yet mapped
 */
export const OUTCOME_CONSUMER = 'decide-outcomes';
/** The subjects whose merges the outcome recorder reads at once (keysOf; a PostgreSQL pool has 10 connections). */
const KEYS_AT_ONCE = 8;
const DAY = 86_400_000;
/**
 * How often the log is folded into the counts' snapshot, unless the store says (`foldEveryMs`: the
 * embedded store folds every 2 s, paced): a start aggregates at most this much of it (and what a
 * fold in flight had not reached).
 */
export const FOLD_EVERY_MS = 5 * 60_000;
/** A running server's fold leaves the writer to decisions for three times as long as each step took (≤ a quarter of it). */
const FOLD_PACE = 3;

/** What the decisions capability is wired with (src/server/tact.ts). */
export interface DecideOptions {
  store: Store;
  settings: Settings;
  consumers: LogConsumers;
  log: Logger;
  /** Start the background loops (retention, memory pruning, sync with other processes). */
  background?: boolean;
  /** Random source of exploration and variants (tests pass a seeded one). */
  random?: () => number;
  now?: () => number;
  /** Told of every decision logged and every outcome recorded (metrics). */
  onDecision?: (d: DecisionRecord) => void;
  onOutcomes?: (o: OutcomeRecord[]) => void;
  /** Answers recommendation placements (tact.learning.recommender). */
  recommender?: DeciderDeps['recommender'];
  /** Experiments: the subject's arm and playbook per decision (src/measure/experiments-service). */
  experiments?: DeciderDeps['experiments'];
  /** The models' reads before each decision (ladder position; estimates and anomalies for rules). */
  prefetch?: DeciderDeps['prefetch'];
}

/**
 * How long a start waits for its read of the choices inside their attribution windows (ADR 0007)
 * before serving with the rest still being read: a week of 330,000 decisions took 0.5–1.1 s.
 */
const OPEN_READ_WAIT_MS = 3_000;

/**
 * The decisions capability, wired: the decider, outcomes (API and track events through a log
 * consumer), flags, reviews, the in-memory state rebuilt from the log, and the background loops.
 *
 * @example
 * const decide = await DecideService.start({ store, settings, consumers, log });
 * const record = await decide.decider.decide({ subject: 'ana', placement: 'home-hero' });
 */
export class DecideService {
  readonly decider: Decider;
  readonly outcomes: OutcomeRecorder;
  readonly flags: Flags;
  readonly reviews: Reviews;
  readonly state: DecideState;
  readonly estimates: LadderEstimates;
  /** The bandits of placements with `selection.kind: thompson` (src/decide/bandit). */
  readonly bandits: PlacementBandits;
  private play: Playbook | undefined;
  /** The compiled policy whose raised strengths were logged (once a version). */
  private warned: Playbook['policy'] | undefined;
  private timers: NodeJS.Timeout[] = [];
  private syncing: Promise<void> | undefined;
  private consuming = false;

  private constructor(private readonly o: DecideOptions) {
    const now = o.now ?? Date.now;
    this.state = new DecideState(o.settings.get(policyKind).lookbackMs, o.store.kind === 'postgres');
    // The delays' tables of a new hour, and each action's curve of a new twentieth of it, are made a
    // few at a time between requests, not inside the estimate that first needs them (OutcomeDelays.defer).
    this.state.counts.delays.defer = (step) => void setImmediate(step);
    this.estimates = new LadderEstimates(this.state.counts, () => o.settings.get(policyKind).estimates, { now, defaultWindow: () => o.settings.get(policyKind).attributionMs });
    const deps = { decisions: o.store.decisions, state: this.state, playbook: () => this.playbook() };
    const windowOf = (a: string) => this.playbook().catalog.actions.get(a)?.attributionMs ?? this.playbook().policy.attributionMs;
    // The embedded store has one process: a restart catches its bandits up from the log (kill -9 loses nothing learned).
    this.bandits = new PlacementBandits({ store: o.store.estimates, decisions: o.store.decisions, windowOf, now, log: o.store.kind === 'postgres' ? undefined : o.store.decisions });
    const onDecision = (d: DecisionRecord) => (this.bandits.onDecision(d), o.onDecision?.(d));
    const onOutcomes = (r: OutcomeRecord[]) => (this.bandits.onOutcomes(r), o.onOutcomes?.(r));
    const merged = new MergedKeys(o.store.profiles, Date.now, this.state.ledger);
    this.decider = new Decider({ ...deps, settings: o.settings, profiles: o.store.profiles, estimates: this.estimates, random: o.random ?? Math.random, newId: () => newProfileId(), now, onDecision, experiments: o.experiments, prefetch: o.prefetch && this.holdingBandits(o.prefetch), bandits: this.bandits, recommender: o.recommender, merged });
    this.outcomes = new OutcomeRecorder({ ...deps, now, onRecorded: onOutcomes, keysOf: (asks) => keysOf(o.store.profiles, merged, asks), warn: (data, msg) => o.log.warn(data, msg) });
    this.flags = new Flags(o.store, this.state, now);
    this.reviews = new Reviews(o.store.decisions, this.state, now, { expireMs: () => this.playbook().policy.reviewExpireMs, approvalMs: () => this.playbook().policy.approvalValidMs, rejectMs: () => this.playbook().policy.rejectForMs, catalog: () => this.playbook().catalog, queue: () => this.playbook().policy.reviewQueue });
  }

  static async start(o: DecideOptions): Promise<DecideService> {
    const s = new DecideService(o);
    const now = (o.now ?? Date.now)();
    s.playbook(); // sets the state's look-back windows from the policy and catalog in force
    const t = performance.now();
    // The longest attribution window: the choices a start counts open are those decided inside it.
    const openMs = Math.max(...everyAttributionWindow(o.settings));
    await s.state.rebuild(o.store.decisions, (a) => s.playbook().topicsOf(a), now, { openMs });
    const logged = s.state.openRead.then((r) => {
      if (r.error) o.log.warn({ ms: r.ms, error: r.error.message }, 'the choices inside their attribution windows could not be read from the decision log: estimates read those made before the start as decided until their windows close');
      else o.log.info({ ms: r.ms }, 'choices inside their attribution windows read from the decision log');
      return true;
    });
    // The start waits for that read a while — a decision before it ends would read the choices made
    // before the start as decided — and lets a long one go on in the background.
    let timer: NodeJS.Timeout | undefined;
    const inTime = await Promise.race([logged, new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), OPEN_READ_WAIT_MS)))]);
    clearTimeout(timer);
    if (!inTime) o.log.info({ waitedMs: OPEN_READ_WAIT_MS }, 'the choices inside their attribution windows are still being read from the decision log: until then, estimates read the choices made before the start as decided');
    const marks = await o.store.decisions.countMarks();
    o.log.info({ ms: Math.round(performance.now() - t), subjects: s.state.ledger.size, contacts: s.state.ledger.contactCount, countsFoldedTo: marks, contactsReadAtFirstDecisionBefore: s.state.ledger.lazyBefore === -Infinity ? null : new Date(s.state.ledger.lazyBefore).toISOString() }, 'decision state rebuilt from the decision log');
    await s.startConsumer();
    o.settings.onChange(async (kind) => {
      if (kind === 'policy' || kind === 'catalog') {
        // A longer cap or attribution window, or a cap that counts more, needs contacts the ledger no longer holds: read them.
        s.playbook();
        const subjects = await s.state.widenContacts(o.store.decisions, (o.now ?? Date.now)());
        if (subjects) o.log.info({ subjects }, 'contact window widened or caps raised: older contacts are read again from the decision log, per subject at its next decision');
      }
      if (kind === 'catalog') await s.warnOfPolicyTargets();
      if (kind === 'policy') await s.startConsumer();
      // A longer `review.rejectFor` reaches back to rejections the state did not read.
      if (kind === 'policy') await s.state.loadHolds(o.store.decisions, (o.now ?? Date.now)());
      if (kind === 'flags') await s.applyDeclaredFlags();
    });
    await s.applyDeclaredFlags();
    await s.bandits.load(thompsonPlacements(s.playbook()));
    if (o.background !== false) {
      s.every(5000, async () => (await s.holdBandits(), await s.bandits.expire(), await s.bandits.save()));
      // Once right after the start too: a server restarted more often than hourly would never delete.
      s.every(60 * 60_000, () => s.enforceRetention(), 0);
      s.every(o.store.decisions.foldEveryMs ?? FOLD_EVERY_MS, () => s.foldCounts(undefined, FOLD_PACE));
      s.every(10 * 60_000, () => s.state.pruneInSlices(Date.now()));
      s.every(60_000, async () => s.state.forgetKeys(Date.now()));
      if (o.store.kind === 'postgres') s.every(1000, () => s.sync());
    }
    return s;
  }

  /**
   * A catalog change is not refused for what the policy in force names (a config file that renames
   * a channel writes the catalog first, then the policy): when the new catalog lacks a channel,
   * topic or action the policy names, that name matches nothing — said here, in the policy's
   * problems on read and at every start, until the policy is changed.
   */
  async warnOfPolicyTargets(): Promise<void> {
    const [policy, catalog] = await Promise.all([this.o.store.documents.latest<Policy>('policy'), this.o.store.documents.latest<Catalog>('catalog')]);
    if (!policy || !catalog) return;
    const problems = policyTargetProblems(policy.body, catalogNames(catalog.body, catalog.version));
    if (!problems.length) return;
    const list = problems.map((p) => `${p.field}: ${p.message}`).join(' ');
    this.o.log.warn({ kind: 'policy', version: policy.version, catalogVersion: catalog.version, problems }, `The catalog (version ${catalog.version}) no longer has what the policy in force (version ${policy.version}) names; the policy stays in force, and what it names in vain matches nothing until it is changed: ${list}`);
  }

  /** Reconciles the flags the configuration declares (flags: in the config file, PUT /v1/config/flags). */
  async applyDeclaredFlags(): Promise<void> {
    const decls = this.o.settings.get(flagsKind);
    if (!decls.length && this.o.settings.version('flags') === 0) return;
    const version = this.o.settings.version('flags');
    // Its flags are the declarations version's author's: the config file's, or whoever PUT it
    // (until 2026-12-05 every declared flag read `config-file`, and so did its clearing).
    const author = version ? (await this.o.store.documents.get('flags', version))?.author : undefined;
    const r = await this.flags.reconcile(decls, version, author);
    if (r.added || r.cleared || r.unresolved.length) this.o.log.info({ added: r.added, cleared: r.cleared, unresolved: r.unresolved.map((d) => d.subject) }, 'declared flags applied');
  }

  /**
   * Reads the subject's contacts older than the start's last minutes (those of `keys`: its profile
   * key and the keys merged into it) as its first decision would (ADR 0006): what the estimates read
   * of its own choices inside their windows comes with them (ADR 0007). Nothing once read.
   */
  async readSubject(keys: readonly string[]): Promise<void> {
    if (this.state.ledger.lazyBefore === -Infinity) return;
    await this.state.ensureLoaded(this.o.store.decisions, keys, this.playbook().topicsOf, (this.o.now ?? Date.now)());
  }

  /** The catalog and policy in force, joined (rebuilt when either changes). */
  playbook(): Playbook {
    const catalog = this.o.settings.get(catalogKind);
    const policy = this.o.settings.get(policyKind);
    if (!this.play || this.play.catalog !== catalog || this.play.policy !== policy) {
      this.play = playbookFor(catalog, policy, this.o.settings.version('catalog'), this.o.settings.version('policy'));
      this.state.setLookback(policy.lookbackMs, this.play.contactWindowMs, (this.o.now ?? Date.now)(), this.play.budgetWindowMs);
      this.state.setRetention(policy.caps, policy.dismissals?.count ?? 0);
      this.state.setReviewWindows(policy);
      if (this.play.policy !== this.warned) {
        this.warned = this.play.policy;
        for (const sentence of policy.raised) this.o.log.warn({ policyVersion: this.play.policyVersion }, sentence);
      }
    }
    return this.play;
  }

  /** Deletes decisions and outcomes older than the policy's retention (default 400 days). */
  async enforceRetention(now = Date.now()): Promise<{ decisions: number; outcomes: number }> {
    const days = this.o.settings.get(policyKind).retentionDays;
    const r = await this.o.store.decisions.prune(now - days * DAY);
    if (r.decisions || r.outcomes) this.o.log.info({ ...r, days }, 'decision log retention applied');
    return r;
  }

  /**
   * Folds the decisions and outcomes logged since the last fold into the estimates' counts
   * snapshot, so a start aggregates only what came after (docs/adr/0005-decision-counts-snapshot.md).
   */
  async foldCounts(until?: number, pace?: number): Promise<{ decisions: number; outcomes: number }> {
    const t = performance.now();
    // The snapshot keeps the choices of the longest attribution window (and the two hours the delays' tables read past it).
    const keptOpenMs = Math.max(...everyAttributionWindow(this.o.settings)) + 2 * HOUR_MS;
    const r = await this.o.store.decisions.foldCounts(undefined, until, pace, keptOpenMs);
    if (r.decisions || r.outcomes) this.o.log.debug({ ...r, ms: Math.round(performance.now() - t) }, 'decision counts folded into their snapshot');
    return r;
  }

  /** Folds in other processes' decisions, outcomes, flags and reviews, and newer configuration (shared stores). */
  sync(): Promise<void> {
    this.syncing ??= (async () => {
      await this.o.settings.refreshIfStale();
      const outcomes = await this.state.sync(this.o.store.decisions, (a) => this.playbook().topicsOf(a), Date.now());
      // An outcome of this process's decision recorded by another (its API, or the process holding
      // the outcome consumer's lease) resolves the bandit's open trial now, not at the window's end;
      // one it resolved already has no open trial left.
      this.bandits.onOutcomes(outcomes);
    })().finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  /**
   * Holds the bandit of every placement with `selection.kind: thompson` — one added since the start
   * has its stored state read (PlacementBandits.hold) — before a decision reads it: undefined (nothing
   * to wait for) while the playbook is the one held. A failed read is logged; the decision goes on.
   */
  private holdBandits(): Promise<void> | undefined {
    const play = this.playbook();
    return this.bandits.hold(play, () => thompsonPlacements(play))?.catch((err: Error) => this.o.log.warn({ error: err.message }, 'the stored bandits of new placements could not be read; they are read again before the next decision'));
  }

  /** The decider's reads before a decision, with the bandits held first (in parallel). */
  private holdingBandits(prefetch: NonNullable<DeciderDeps['prefetch']>): NonNullable<DeciderDeps['prefetch']> {
    return {
      fetch: (state, opts) => {
        const held = this.holdBandits();
        return held ? Promise.all([prefetch.fetch(state, opts), held]).then(([inputs]) => inputs) : prefetch.fetch(state, opts);
      },
    };
  }

  close(): void {
    this.state.stop();
    // clearInterval clears a timeout too (one id space in Node.js).
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  /** Runs `fn` every `ms` (and once `first` ms after the start, when given) until `close`. */
  private every(ms: number, fn: () => Promise<unknown>, first?: number): void {
    const run = () => void fn().catch((err: Error) => this.o.log.warn({ error: err.message }, 'decisions background task failed; it runs again'));
    const t = setInterval(run, ms);
    t.unref();
    this.timers.push(t);
    if (first === undefined) return;
    const once = setTimeout(run, first);
    once.unref();
    this.timers.push(once);
  }

  /**
   * Track events → outcomes, through a log consumer registered once the policy maps any event
   * (an install that maps none pays nothing per event). It starts after the events already stored
   * when it is first registered.
   */
  private async startConsumer(): Promise<void> {
    if (this.consuming || !this.playbook().policy.outcomeEvents.size) return;
    this.consuming = true;
    const docs = this.o.store.documents;
    const id = `consumer:${OUTCOME_CONSUMER}`;
    if (!(await docs.getJob(id))) {
      const at = Date.now();
      // Created once: a process starting at the same time may have created it and mapped events
      // since; writing our position over its own would skip the events between (lost outcomes).
      await docs.createJob({ id, kind: 'consumer', state: 'running', progress: { afterSeq: await this.o.store.profiles.maxEventSeq() }, createdAt: at, updatedAt: at });
    }
    this.o.consumers.register({
      name: OUTCOME_CONSUMER,
      // Only the track events the policy maps to outcomes are parsed for it (an order among page views).
      wants: (type, event) => type === 'track' && event !== null && this.playbook().policy.outcomeEvents.has(event),
      handle: async (events) => {
        const policy = this.playbook().policy;
        if (!policy.outcomeEvents.size) return;
        // The live profile of each event's (merged since?), read for the chunk at once.
        const ids = new Set<string>();
        for (const e of events) if (e.message.type === 'track' && policy.outcomeEvents.has(e.message.event ?? '')) ids.add(e.profileId);
        const live = await this.o.store.profiles.getProfiles([...ids]);
        const inputs = outcomesFromEvents(events, policy, (p) => live.get(p)?.id ?? p);
        if (inputs.length) await this.outcomes.record(inputs);
      },
    });
  }
}

/** The placements whose bandit chooses, with the settings their decisions use (bandit-select.ts). */
function thompsonPlacements(play: Playbook): BanditPlacement[] {
  return [...play.catalog.placements.values()].filter((p) => p.selection?.kind === 'thompson').map((p) => ({ id: p.id, config: banditConfig(p.selection, play.policy.exploration) }));
}

/**
 * For each ask, the profile keys besides its `key` whose decisions are the same person's: the
 * profiles merged into it, the `anon:` keys of its identifiers (those the state holds; with `every`,
 * all of them), and — when `key` itself was merged away since — the profile it joined, with
 * everything merged into that. The profiles and their identities are read at once; their merges
 * (cached per profile version, MergedKeys) a few subjects at a time.
 *
 * @example
 * await keysOf(store.profiles, merged, [{ key: 'p_visitor', every: false }]); // [['p_customer', 'anon:v-1']]
 */
async function keysOf(profiles: ProfileStore, merged: MergedKeys, asks: readonly { key: string; every: boolean }[]): Promise<(readonly string[])[]> {
  const states = await profiles.getProfiles([...new Set(asks.filter((a) => !a.key.startsWith('anon:')).map((a) => a.key))]);
  await merged.prime(asks.flatMap(({ key, every }) => (states.has(key) && !key.startsWith('anon:') ? [{ state: states.get(key)!, every }] : [])));
  const keys = new Map<string, Promise<readonly string[]>>();
  const of = (key: string, every: boolean): Promise<readonly string[]> => {
    const state = key.startsWith('anon:') ? undefined : states.get(key);
    if (!state) return Promise.resolve([]);
    return merged.of(state, { every }).then((also) => (state.id === key ? also : [state.id, ...also.filter((k) => k !== key)]));
  };
  const out: (readonly string[])[] = [];
  for (let at = 0; at < asks.length; at += KEYS_AT_ONCE) {
    const part = asks.slice(at, at + KEYS_AT_ONCE).map(({ key, every }) => {
      const id = `${every ? 1 : 0}${key}`;
      return keys.get(id) ?? keys.set(id, of(key, every)).get(id)!;
    });
    out.push(...(await Promise.all(part)));
  }
  return out;
}
