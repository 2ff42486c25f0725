import type { LoggedEvent } from '../collect/log-consumers.js';
import type { Settings } from '../config/settings.js';
import { type SubjectEvent, withSubjects } from '../models/estimates/estimate-batch.js';
import type { KindConsumer } from '../models/estimates/learn-consumers.js';
import type { SubjectEstimates } from '../models/estimates/subject-estimates.js';
import { forEachSubject } from '../models/train/subjects.js';
import type { CompiledFeature } from '../profiles/features/definition.js';
import { featuresKind } from '../profiles/features/features-kind.js';
import { lifecycleKind } from '../profiles/lifecycle.js';
import type { ProfileState } from '../profiles/profile-state.js';
import { ruleVars } from '../profiles/profile-view.js';
import { namesRead } from '../rules/rule-names.js';
import type { Store } from '../store/store.js';
import { admits, estimateVars, membershipChanges, ruleReads } from './membership.js';
import { mergedAwayIn } from './merged-away.js';
import { RuleErrors } from './rule-errors.js';
import type { SegmentLookup } from './segment-lookup.js';
import type { SegmentTransition } from './segment-store.js';
import { segmentsKind } from './segments-kind.js';
import { SweepStopped } from './sweep-stopped.js';

/** How often a batch's changes are found again when the settings keep moving while they are found. */
const MAX_TRIES = 3;

/** The names in a segment rule through which each model's live version reaches it. */
const MODEL_READS: Record<string, readonly string[]> = {
  'micro-segments': ['microSegment', 'estimates'],
  rates: ['estimates'],
  'send-time': ['estimates'],
  baselines: ['estimates'],
};

/**
 * Real-time segment membership: after every committed batch the consumer re-evaluates each
 * subject the batch touched against every segment rule (facts, estimates, micro-segment) and
 * records the entries and exits; a sweep does the same for everyone (rules that depend on time
 * change without an event).
 *
 * @example
 * const m = new SegmentMembership(store, settings, estimates, lookup);
 * learnConsumers.push(m.consumer());
 * await m.sweep();
 */
export class SegmentMembership {
  /** Evaluations that failed, per segment rule (GET /v1/segments shows them). */
  readonly errors = new RuleErrors();
  /** The segments version in force and when it was written (definedAt). */
  private written = { version: -1, at: 0 };
  /** The features as this process last saw them: what a change of them changed is told from it. */
  private features: readonly CompiledFeature[];
  /** Set by {@link stopSweeps}: a sweep running stops before its next subject. */
  private sweepsStopped = false;

  constructor(private readonly store: Store, private readonly settings: Settings, private readonly estimates: SubjectEstimates, private readonly lookup: SegmentLookup) {
    this.features = settings.get(featuresKind);
  }

  /**
   * The changes that bring one subject's membership up to date (not applied). With `only`, just
   * those segments are evaluated; the subject stays in or out of the others as stored.
   */
  async changes(state: ProfileState, ctx: { seq: number; reason: string; now: number }, only?: ReadonlySet<string>): Promise<SegmentTransition[]> {
    const all = this.settings.get(segmentsKind).audiences;
    const audiences = only ? all.filter((a) => only.has(a.name)) : all;
    const needs = (word: string) => audiences.some((a) => ruleReads(a.when, word));
    const vars = ruleVars(state, this.settings.get(featuresKind), ctx.now, needs('lifecycle') ? this.settings.get(lifecycleKind) : undefined);
    const position = needs('microSegment') || needs('estimates') ? await this.lookup.position(state, ctx.now) : undefined;
    if (needs('estimates')) vars.estimates = estimateVars(await this.estimates.forSubject(state, ctx.now, position));
    // No micro-segment applied: `microSegment` is unknown, not null (admits).
    if (needs('microSegment') && position?.microSegment) vars.microSegment = position.microSegment.index;
    // A rule that cannot be evaluated for this subject leaves it out, and the failure is counted.
    const admitted = (a: (typeof audiences)[number]) => {
      const r = admits(a.rule, a.when, vars);
      if (r.error) this.errors.note(a.name, a.when, r.error, ctx.now);
      else this.errors.ran(a.name, a.when);
      return r.pass;
    };
    const desired = audiences.filter(admitted).map((a) => a.name);
    const current = (await this.store.segments.membershipsOf(state.id)).map((m) => m.segment);
    if (only) desired.push(...current.filter((s) => !only.has(s)));
    return membershipChanges(state.id, desired, current, new Set(all.map((a) => a.name)), { at: ctx.now, seq: ctx.seq, version: this.settings.version('segments'), reason: ctx.reason });
  }

  /** The log consumer (registered per segments version by LearnConsumers). */
  consumer(): KindConsumer {
    return {
      kind: segmentsKind.kind,
      configured: () => this.settings.get(segmentsKind).audiences.length > 0,
      handle: (events) => this.handle(events),
    };
  }

  /**
   * A batch's changes, applied only under the settings they were found with: a change of the
   * features (or the segments) sweeps the members under the new definitions, and changes found
   * under the old ones and applied after that sweep would undo it (a subject entering on a
   * definition that no longer holds, until its next event). The store applies them only while the
   * configuration epoch is still the one they were found at (SegmentStore.apply); when it moved
   * on — here or in another process on the same store — they are found again, on fresh profiles,
   * under the new settings.
   */
  private async handle(events: LoggedEvent[]): Promise<void> {
    await this.applyFound(() => this.eventChanges(events));
  }

  /**
   * Finds changes and applies them under the epoch they were found at; when it moved on, takes up
   * the new settings and finds them again — at most MAX_TRIES times, the last applied whatever the
   * epoch (a configuration changing faster than a batch is evaluated must not hold it back for ever).
   */
  private async applyFound(find: (tries: number) => Promise<SegmentTransition[]>): Promise<void> {
    for (let tries = 1; ; tries++) {
      const epoch = this.settings.epoch;
      const changes = await find(tries);
      if (tries >= MAX_TRIES) return void (await this.store.segments.apply(changes));
      if (await this.store.segments.apply(changes, epoch)) return;
      await this.settings.refreshIfStale();
    }
  }

  private async eventChanges(events: LoggedEvent[]): Promise<SegmentTransition[]> {
    const now = Date.now();
    const latest = new Map<string, { state: ProfileState; seq: number; receivedAt: number }>();
    const subjectEvents = await withSubjects(this.store.profiles, events);
    for (const e of subjectEvents) latest.set(e.subject.id, { state: e.subject, seq: e.seq, receivedAt: e.message.receivedAt });
    const mergedAway = await mergedAwayIn(this.store.profiles, subjectEvents, [...latest.values()].map((l) => l.state));
    // The consumer of a new segments version starts at the beginning of the log: an event received
    // before the version was written is replayed, and what changes then is the definition's doing.
    const definedAt = await this.definedAt();
    const changes: SegmentTransition[] = [];
    for (const { state, seq, receivedAt } of latest.values()) changes.push(...(await this.changes(state, { seq, reason: receivedAt < definedAt ? 'definition' : 'event', now })));
    // A profile merged into another leaves its segments: the survivor is evaluated as itself.
    for (const [id, m] of mergedAway) {
      for (const s of await this.store.segments.membershipsOf(id)) changes.push({ segment: s.segment, profileId: id, kind: 'exit', at: now, seq: m.seq, version: this.settings.version('segments'), reason: 'merged' });
    }
    return changes;
  }

  /** When the segments version in force was written (0 for none: everything is an event). */
  private async definedAt(): Promise<number> {
    const version = this.settings.version('segments');
    if (this.written.version === version) return this.written.at;
    const doc = version > 0 ? await this.store.documents.latest('segments') : undefined;
    // A newer version stored meanwhile (another process): read again once the settings follow.
    if (version === 0 || doc?.version === version) this.written = { version, at: doc?.createdAt ?? 0 };
    return doc?.version === version ? doc.createdAt : 0;
  }

  /**
   * Re-evaluates the subjects whose estimates a model consumer just changed, when a segment rule
   * reads estimates: consumers run at their own pace, so whichever of them runs last sees both
   * the facts and the estimates of the subject's latest event.
   */
  async afterEstimates(events: SubjectEvent[]): Promise<void> {
    // Only the segments whose rule reads estimates: a change of another (a rule on features whose
    // event the events' consumer has not reached yet) is that event's, and is recorded with its
    // reason (until 2026-12-05 it could be recorded here, as `estimate`).
    const only = new Set(this.settings.get(segmentsKind).audiences.filter((a) => ruleReads(a.when, 'estimates')).map((a) => a.name));
    if (!only.size) return;
    const latest = new Map<string, { state: ProfileState; seq: number }>();
    for (const e of events) latest.set(e.subject.id, { state: e.subject, seq: e.seq });
    // As in handle: changes found under settings that moved meanwhile are found again.
    await this.applyFound(async (tries) => {
      const now = Date.now();
      const changes: SegmentTransition[] = [];
      for (const { state, seq } of latest.values()) {
        const fresh = tries > 1 ? await this.store.profiles.getProfile(state.id) : state;
        // Merged away or gone meanwhile: the event that did it re-evaluates the survivor.
        if (fresh && fresh.id === state.id) changes.push(...(await this.changes(fresh, { seq, reason: 'estimate', now }, only)));
      }
      return changes;
    });
  }

  /**
   * Re-evaluates everyone (reason `model`) against the segments whose rule reads what `model`
   * changes, after a version of it went live: the micro-segment (which also moves the rate ladder's middle
   * rung), or an estimate (rates, send time, baselines). Without it a rule like
   * `microSegment == 2` would wait for each subject's next event, or the sweep.
   *
   * @example
   * registry.onLiveChange((name) => void membership.afterLiveChange(name));
   */
  async afterLiveChange(model: string): Promise<void> {
    const reads = MODEL_READS[model];
    if (!reads) return;
    // Only the segments whose rule reads what the model changes (until 2026-12-05 every segment was
    // swept, and a rule on features had changes its events had not been read for yet recorded as `model`).
    const only = new Set(this.settings.get(segmentsKind).audiences.filter((a) => reads.some((word) => ruleReads(a.when, word))).map((a) => a.name));
    if (only.size) await this.sweep('model', only);
  }

  /**
   * After the features changed here (PUT /v1/config/features, POST or DELETE /v1/features):
   * re-evaluates, with reason `feature`, the segments whose rule reads a feature removed (its value
   * is gone at once; or reads `lifecycle`, whose stages or tiers read it) and — when the live micro-segments clustered a feature that changed, and so
   * are no longer applied (micro-segments-status.ts) — those whose rule reads `microSegment` or
   * estimates. A feature added or redefined is re-evaluated once its backfill is over
   * ({@link afterBackfill}): before, its values hold only part of the events.
   *
   * @example
   * settings.onChange((kind) => kind === 'features' && void membership.afterFeaturesChange());
   */
  async afterFeaturesChange(): Promise<{ subjects: number; entries: number; exits: number } | undefined> {
    const before = this.features;
    const after = this.settings.get(featuresKind);
    this.features = after;
    const now = new Map(after.map((f) => [f.def.name, f.hash]));
    const removed = before.filter((f) => !now.has(f.def.name)).map((f) => f.def.name);
    const changed = new Set([...removed, ...after.filter((f) => !before.some((b) => b.def.name === f.def.name && b.hash === f.hash)).map((f) => f.def.name)]);
    const { audiences } = this.settings.get(segmentsKind);
    const only = new Set(audiences.filter((a) => this.readsFeaturesOf(a.when, removed)).map((a) => a.name));
    const micro = await this.lookup.liveMicroSegments();
    if (micro && micro.version.state.features.some((f) => changed.has(f))) {
      for (const a of audiences) if (MODEL_READS['micro-segments'].some((word) => ruleReads(a.when, word))) only.add(a.name);
    }
    return only.size ? this.sweep('feature', only) : undefined;
  }

  /**
   * After the lifecycle changed here (PUT /v1/config/lifecycle, the config file): re-evaluates,
   * with reason `lifecycle`, the segments whose rule reads `lifecycle` — a stage or tier
   * redefined moves subjects without an event of theirs.
   *
   * @example
   * settings.onChange((kind) => kind === 'lifecycle' && void membership.afterLifecycleChange());
   */
  async afterLifecycleChange(): Promise<{ subjects: number; entries: number; exits: number } | undefined> {
    const only = new Set(this.settings.get(segmentsKind).audiences.filter((a) => ruleReads(a.when, 'lifecycle')).map((a) => a.name));
    return only.size ? this.sweep('lifecycle', only) : undefined;
  }

  /**
   * After the backfill of a feature's definition (`hash`) is over, or found nothing to backfill:
   * re-evaluates, with reason `feature`, the segments whose rule reads it, so the stored
   * membership follows the new definition without waiting for each subject's next event or the
   * sweep. Nothing when the feature was redefined again meanwhile (that backfill's end will do it).
   *
   * @example
   * backfill.onDone((feature, hash) => void membership.afterBackfill(feature, hash));
   */
  async afterBackfill(feature: string, hash: string): Promise<{ subjects: number; entries: number; exits: number } | undefined> {
    if (this.settings.get(featuresKind).find((f) => f.def.name === feature)?.hash !== hash) return undefined;
    const only = new Set(this.settings.get(segmentsKind).audiences.filter((a) => this.readsFeaturesOf(a.when, [feature])).map((a) => a.name));
    return only.size ? this.sweep('feature', only) : undefined;
  }

  /**
   * Re-evaluates every subject with an event in the log (against `only` those segments, when
   * named); returns how many entries and exits it recorded. Each subject's changes are applied as
   * soon as they are found: held back until later in a long sweep, they would overwrite what an
   * event of that subject changed meanwhile (someone back a second ago entered as lapsed from the
   * state the sweep read before). For the same reason a subject whose profile changed while it was
   * evaluated is evaluated again on the new profile before anything is applied: that event's own
   * evaluation may already have found nothing to change. And as an event's changes, a subject's
   * are applied only under the configuration epoch they were found at: a sweep still running on
   * the old definitions must not undo what the sweep of the new ones found.
   */
  async sweep(reason = 'sweep', only?: ReadonlySet<string>): Promise<{ subjects: number; entries: number; exits: number }> {
    let entries = 0;
    let exits = 0;
    let reached = 0;
    const subjects = await forEachSubject(this.store, async (read) => {
      // Between two subjects: every subject before has its changes stored whole, none after any.
      if (this.sweepsStopped) throw new SweepStopped(reason, reached);
      reached++;
      let state = read;
      let c: SegmentTransition[] = [];
      let applied = false;
      for (let tries = 0; tries < MAX_TRIES; tries++) {
        // Taken before: a store may hand out the very object its next batch changes.
        const version = state.version;
        const epoch = this.settings.epoch;
        c = await this.changes(state, { seq: state.seq ?? 0, reason, now: Date.now() }, only);
        // Most subjects change nothing, and cost no second read.
        if (!c.length) break;
        const fresh = await this.store.profiles.getProfile(state.id);
        // Merged away or gone meanwhile: the event that did it re-evaluates the survivor.
        if (!fresh || fresh.id !== state.id) {
          c = [];
          break;
        }
        if (fresh.version !== version) {
          state = fresh;
          continue;
        }
        // As an event's changes (applyFound): only under the settings they were found with (the
        // last try whatever the epoch). Else found again under the new ones, on the profile as it
        // is now (the backfill of a redefined feature may have rewritten it meanwhile).
        if ((applied = await this.store.segments.apply(c, tries === MAX_TRIES - 1 ? undefined : epoch))) break;
        await this.settings.refreshIfStale();
        state = (await this.store.profiles.getProfile(state.id)) ?? fresh;
      }
      if (!applied) await this.store.segments.apply(c);
      for (const t of c) t.kind === 'entry' ? entries++ : exits++;
    });
    return { subjects, entries, exits };
  }

  /**
   * Stops every sweep — running (before its next subject: it rejects with SweepStopped) or asked for
   * after — until {@link resumeSweeps}: the server's shutdown, once its grace is over (Learning.stop).
   * Until 2026-12-06 a shutdown waited for a sweep with no bound (a sweep over many subjects on a
   * slow store held the process past its supervisor's timeout).
   *
   * @example
   * membership.stopSweeps(); // a sweep running throws SweepStopped at its next subject
   */
  stopSweeps(): void {
    this.sweepsStopped = true;
  }

  /** Lets sweeps run again (Learning.start after a stop). */
  resumeSweeps(): void {
    this.sweepsStopped = false;
  }

  /**
   * Whether a segment rule reads one of `features`: itself ({@link readsFeatures}), or through
   * `lifecycle`, when a stage or tier in force reads it.
   */
  private readsFeaturesOf(when: string, features: readonly string[]): boolean {
    if (readsFeatures(when, features)) return true;
    if (!features.length || !ruleReads(when, 'lifecycle')) return false;
    const lc = this.settings.get(lifecycleKind);
    return [...lc.stages, ...lc.valueTiers].some((r) => readsFeatures(r.when, features));
  }

  /**
   * Exits every member of a segment that is no longer defined (after the segments changed). As
   * other changes, the exits are applied only under the configuration epoch the definitions were
   * read at: a segment defined again meanwhile (its new version's consumer entering its members)
   * keeps them, and the segments are read again under the new configuration.
   */
  async removeUndefined(): Promise<number> {
    let exits = 0;
    for (let tries = 1; ; tries++) {
      // The last try applies whatever the epoch, as applyFound's does.
      const r = await this.exitUndefined(tries >= MAX_TRIES ? undefined : this.settings.epoch);
      exits += r.exits;
      if (r.done) return exits;
      await this.settings.refreshIfStale();
    }
  }

  /** removeUndefined's exits under `epoch`; `done` false when the store refused them (the epoch moved). */
  private async exitUndefined(epoch: number | undefined): Promise<{ exits: number; done: boolean }> {
    const defined = new Set(this.settings.get(segmentsKind).audiences.map((a) => a.name));
    let exits = 0;
    for (const c of await this.store.segments.counts()) {
      if (defined.has(c.segment) || c.members === 0) continue;
      for (let members; (members = await this.store.segments.members(c.segment, '', 500)).length; ) {
        const out = members.map((m) => ({ segment: c.segment, profileId: m.profileId, kind: 'exit' as const, at: Date.now(), seq: 0, version: this.settings.version('segments'), reason: 'removed' }));
        if (!(await this.store.segments.apply(out, epoch))) return { exits, done: false };
        exits += members.length;
      }
    }
    return { exits, done: true };
  }
}

/**
 * Whether a segment rule reads one of `features`: by name (`features.orders`), or through a
 * computed key or the whole map (`features[name]`), which could be any of them.
 */
function readsFeatures(when: string, features: readonly string[]): boolean {
  if (!features.length || !when.includes('features')) return false;
  const named = namesRead(when, 'features');
  return named.length === 0 || /features\s*\[/.test(when) || named.some((n) => features.includes(n));
}
