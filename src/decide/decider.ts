import { TactError, validationError } from '../errors/tact-error.js';
import { featuresKind } from '../profiles/features/features-kind.js';
import { lifecycleKind } from '../profiles/lifecycle.js';
import { findProfile, identityCandidates } from '../profiles/lookup.js';
import { experimentUnit } from './experiment-unit.js';
import { ruleVars } from '../profiles/profile-view.js';
import { newProfileState, type ProfileState } from '../profiles/profile-state.js';
import type { Settings } from '../config/settings.js';
import type { ProfileStore } from '../profiles/profile-store.js';
import type { DecisionRecord } from './decision.js';
import type { BudgetGuard, DecisionStore } from './decision-store.js';
import type { DecideState } from './decide-state.js';
import type { BanditBook } from './bandit/bandit-select.js';
import type { Recommender } from '../models/recommend/recommender.js';
import { recommendationFor } from './recommend/recommend-decision.js';
import type { EstimateProvider } from './estimates.js';
import { decisionEstimates, type DecisionPrefetch, readsInferences, recordGroupKeys, type SubjectPosition, upliftWanted } from './estimating/prefetch.js';
import { factValues } from './facts.js';
import { flagVars } from './flag-book.js';
import { heldOut, runPipeline, type PipelineResult } from './pipeline.js';
import type { Playbook } from './playbook.js';
import { excludedCounts, traces } from './stages/explanation.js';
import { openedAfter } from './stages/human-territory.js';
import type { StageContext } from './stages/types.js';
import type { Hold } from './records.js';
import { reviewedContent } from './stages/approved-content.js';
import { budgetStanding, budgetStands, type BudgetStanding, NO_STANDING } from './stages/contact-policy.js';
import { MergedKeys } from './merged-keys.js';
import { reviewSubject } from './review-subject.js';
import { budgetWindowStart, type ContactLedger } from './contact-ledger.js';
import { KeyQueue } from './key-queue.js';
import { unknownPlacement } from './unknown-placement.js';

/** A guarded append found another process's newer rows for the subject (folded in): decide again. */
export class SubjectMoved extends Error {
  constructor() {
    super('another process logged for this subject meanwhile');
  }
}
/**
 * Attempts of one decision when other processes keep logging for the same subject. Decisions for a
 * subject take turns within a process, so an attempt is lost only to a row another process logged
 * for the subject meanwhile (each such row at most once): a burst of 12 decisions at once for one
 * subject, six in each of two processes, needs at most 7, with room to spare.
 */
const MAX_ATTEMPTS = 12;
/** The longest pause (ms) before another attempt on a shared store; the n-th pause is at most `2^(n+1)` ms up to it. */
const MAX_BACKOFF_MS = 50;

/**
 * A pause of random length before deciding again on a shared store, longer after each lost attempt
 * ("full jitter"): two processes that collided do not collide again in lockstep.
 */
const backoff = (attempt: number) => new Promise<void>((r) => setTimeout(r, Math.random() * Math.min(MAX_BACKOFF_MS, 2 ** (attempt + 1))));

/** The subject's profile as `decide` read it before taking its turn, with the merge count before that read. */
export interface SubjectRead {
  state: ProfileState | undefined;
  merges: number | undefined;
}

/** What a caller asks: a decision for one subject at one placement. */
export interface DecideRequest {
  /** Any identifier: userId, anonymousId, email, or `kind:value`. */
  subject: string;
  placement: string;
  context?: Record<string, unknown>;
  /** How many ranked choices (at most the placement's slots; default 1). */
  n?: number;
}

/** A decision made but not yet logged. */
export interface Prepared {
  record: DecisionRecord;
  topicsOf: (action: string) => readonly string[];
  /** Reviews to open and approved ones this decision delivers. */
  holds: Hold[];
  /** The decision state's stamp before the pipeline read the ledger (a guarded append checks against it). */
  stamp: number;
  /** The subject's ledger version when the pipeline ran (a concurrent decision for the subject changes it). */
  ledgerVersion: number;
  /** The subject's reviews' version when the pipeline read them (under its key and `mergedKeys`). */
  holdsVersion: number;
  /** The keys whose history this process counted as the subject's too when the pipeline ran. */
  mergedKeys: readonly string[];
  /** The global budgets the decision's contacts take from, for a shared store's exact check. */
  budgets: BudgetGuard[];
  /** What the channel's budgets decided of the candidates when the pipeline ran (budgetStanding; NO_STANDING on a shared store). */
  budgetStanding: BudgetStanding;
  /** Whether they still decide so (budgetStands). */
  stands: () => boolean;
  /** The decision made again on the budgets as they stand now, synchronously: the same reads, the pipeline run again (write). */
  remake: () => Prepared;
  /** The subject's other profile keys (merged into it, `anon:` keys of its identifiers), for the same check. */
  also: readonly string[];
  /** The profile store's merge count before the pipeline read the profile (ProfileStore.mergeCount). */
  merges?: number;
}

/** What `evaluate` read and what the pipeline decided on it. */
export interface Evaluation {
  ctx: StageContext;
  profileKey: string;
  result: PipelineResult;
  play: Playbook;
  position?: SubjectPosition;
  ledgerVersion: number;
  holdsVersion: number;
  mergedKeys: readonly string[];
  state?: ProfileState;
  /** What the channel's budgets decided of the candidates (budgetStanding), on the embedded store only (NO_STANDING on a shared one). */
  budgetStanding: BudgetStanding;
  /** The subject the reviews it opens name (review-subject.ts): the request's, unless that was `profile:<id>`. */
  reviewSubject: string;
}

/** Everything the decider needs, wired by DecideService. */
export interface DeciderDeps {
  settings: Settings;
  profiles: ProfileStore;
  decisions: DecisionStore;
  state: DecideState;
  estimates: EstimateProvider;
  playbook: () => Playbook;
  random: () => number;
  newId: () => string;
  now: () => number;
  onDecision?: (d: DecisionRecord) => void;
  /** The models' reads before the pipeline: ladder position, estimates and anomalies for rules (src/models/decision-inputs.ts). */
  prefetch?: DecisionPrefetch;
  /** The profile keys whose history is the subject's too (shared with the outcome recorder); made here when not given. */
  merged?: MergedKeys;
  /** The placements' bandits (bandit selection). */
  bandits?: BanditBook;
  /** Answers recommendation placements (`tact.learning.recommender`). */
  recommender?: Recommender;
  /** The placement's running experiment: the subject's arm and the playbook it decides with (src/measure/experiments-service). */
  experiments?: { route(placement: string, unit: () => Promise<string>, play: Playbook): Promise<{ experiment: NonNullable<StageContext['experiment']>; play: Playbook } | undefined> };
}

/**
 * Makes one decision: reads the subject's live profile (an event acknowledged before this call is
 * in it), runs the pipeline, reserves the contact in the ledger, writes the decision durably to
 * the log, and only then answers. The answer is the record as logged.
 *
 * @example
 * const record = await decider.decide({ subject: 'ana', placement: 'home-hero' });
 */
export class Decider {
  /** identifier → profile id: an identifier stays with its profile (or the one it merged into, which getProfile follows). */
  private readonly known = new Map<string, string>();
  private readonly merged: MergedKeys;
  /** profile key → this process's decisions that open or deliver a review for it, logged one at a time. */
  private readonly reviewWrites = new KeyQueue();
  /** profile key → this process's decisions for it (decide), made one at a time. */
  private readonly turns = new KeyQueue();

  constructor(private readonly d: DeciderDeps) {
    this.merged = d.merged ?? new MergedKeys(d.profiles, Date.now, d.state.ledger);
  }

  /**
   * Decisions for one subject (its profile key) take turns in this process: each one's pipeline
   * reads the ledger after the previous one was logged, so they never move the ledger under each
   * other. Only another process (or an outcome, a merge, a first event) can; the decision is then
   * made again, on a shared store after a short random pause, at most MAX_ATTEMPTS times.
   */
  async decide(req: DecideRequest): Promise<DecisionRecord> {
    const merges = this.d.profiles.mergeCount;
    const state = await this.profileOf(req.subject);
    // The profile just read serves the first attempt unless it waited its turn (it may be stale then).
    return this.turns.run(state?.id ?? `anon:${req.subject}`, (waited) => this.attempts(req, waited ? undefined : { state, merges }));
  }

  private async attempts(req: DecideRequest, read: SubjectRead | undefined): Promise<DecisionRecord> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.commit(await this.prepare(req, attempt === 1 ? read : undefined));
      } catch (err) {
        // The subject's ledger moved under this decision (what moved it is folded in): decide again.
        if (!(err instanceof SubjectMoved)) throw err;
        if (attempt >= MAX_ATTEMPTS) throw new TactError('conflict', { detail: `Decisions for subject \`${req.subject}\` were made by other processes while this one was deciding, ${MAX_ATTEMPTS} attempts in a row; nothing was logged for this request; ask again.` });
        if (this.d.decisions.appendIfCurrent) await backoff(attempt);
      }
    }
  }

  /**
   * Everything up to the log write: the pipeline, the explanation, the record as it will be logged.
   * `read`: the subject's profile read just before by the caller (else read here).
   */
  async prepare(req: DecideRequest, read?: SubjectRead): Promise<Prepared> {
    const stamp = this.d.state.stamp;
    const merges = read ? read.merges : this.d.profiles.mergeCount;
    const e = await this.evaluate(req, read);
    // A shared store checks every key the subject's history may be under (another process may have decided under one).
    const also = this.d.decisions.appendIfCurrent && e.state ? await this.merged.allOf(e.state) : [];
    return this.made(req, e, stamp, merges, also);
  }

  /** The decision as it will be logged, from what `evaluate` read and decided: synchronous, so `remake` can run in write's turn. */
  private made(req: DecideRequest, e: Evaluation, stamp: number, merges: number | undefined, also: readonly string[]): Prepared {
    const { ctx, profileKey, result, play, position, ledgerVersion, holdsVersion, mergedKeys } = e;
    const record = this.record(this.d.newId(), req, profileKey, ctx, result, play, position);
    // Each review pins the content it is of (a held action is one of the placement's candidates): an
    // approval delivers that content, not an edit made under the same ids since.
    const contentOf = (action: string, variant: string | null) => {
      const a = ctx.placement.candidates.find((x) => x.id === action);
      return a ? reviewedContent(a, variant) : null;
    };
    const holds: Hold[] = result.newHolds.map((h) => ({
      id: h.reviewId, decisionId: record.id, profileKey, subject: e.reviewSubject, placement: record.placement, action: h.action, variant: h.variant, contentHash: contentOf(h.action, h.variant),
      queue: play.policy.reviewQueue, status: 'pending', createdAt: record.at, decidedAt: null, reviewer: null, note: null, deliveredIn: null,
    }));
    const delivered = result.delivered.map((hid) => ctx.holds.find((h) => h.id === hid)).filter((h): h is Hold => !!h).map((h) => ({ ...h, status: 'delivered' as const, deliveredIn: record.id }));
    const written = [...holds, ...delivered];
    return {
      record, topicsOf: play.topicsOf, holds: [...written, ...settled(ctx.holds, written)], stamp, ledgerVersion, holdsVersion, mergedKeys, budgets: budgetGuards(record, play), budgetStanding: e.budgetStanding,
      stands: () => budgetStands(ctx, e.budgetStanding),
      remake: () => this.made(req, this.rerun(req, e), stamp, merges, also),
      also, merges,
    };
  }

  /**
   * The pipeline run again on what `evaluate` read (the subject's contacts, profile, estimates, time),
   * with the channel's budgets as they stand now: the ledger's use is read live.
   */
  private rerun(req: DecideRequest, e: Evaluation): Evaluation {
    const ctx: StageContext = { ...e.ctx, facts: new Set() };
    const standing = this.d.decisions.appendIfCurrent ? NO_STANDING : budgetStanding(ctx);
    return { ...e, ctx, budgetStanding: standing, result: runPipeline(ctx, e.play.rulebook.forPlacement(ctx.placement), req.n ?? 1, this.d.newId) };
  }

  /**
   * Reserves the contacts in the ledger, writes the record (and holds) durably, then counts the
   * trials. A decision that opens or delivers a review first waits for the subject's previous such
   * decision in this process to be logged (then finds the subject's reviews changed, and decides
   * again): two decisions at once must not open two reviews for one person and action, nor deliver
   * one twice. Other processes are kept out by the guarded append.
   */
  async commit(p: Prepared): Promise<DecisionRecord> {
    if (!p.holds.length) return this.write(p);
    return this.reviewWrites.run(p.record.profileKey, () => this.write(p));
  }

  private async write(made: Prepared): Promise<DecisionRecord> {
    let p = made;
    const guarded = this.d.decisions.appendIfCurrent;
    // Made for a subject with no profile, which has one now (its first event came in meanwhile, and
    // decisions for the profile may have been logged since): decide again, under the profile. A
    // shared store checks this in the append's transaction; here nothing runs between this read
    // and the ledger's update below.
    if (!guarded && p.record.profileKey.startsWith('anon:') && (await findProfile(this.d.profiles, p.record.subject))) throw new SubjectMoved();
    // Made for a profile that merged into another meanwhile (decisions for that one may have been
    // logged since, and the pipeline did not count them): decide again, under the profile it joined.
    if (!guarded && !p.record.profileKey.startsWith('anon:') && this.d.profiles.mergeCount !== p.merges && (await this.d.profiles.getProfile(p.record.profileKey))?.id !== p.record.profileKey) throw new SubjectMoved();
    const ledger = this.d.state.ledger;
    // Another decision for this subject reserved a contact (or a dismissal came in) after this one's
    // pipeline read the ledger: decide again rather than pass a cap on a stale view. Whatever was
    // chosen, "none" included, as the shared store's guarded append does: were only actions drawn
    // again, a redrawn action could end as "none" too, and "none" would come out more often than
    // its logged propensity (until 2026-12-05, on one process). The checks above, the same.
    if (ledger.version(p.record.profileKey, p.mergedKeys) !== p.ledgerVersion) throw new SubjectMoved();
    // The same for the subject's reviews, when this decision opens or delivers one.
    if (p.holds.length && this.d.state.holdsVersion(p.record.profileKey, p.mergedKeys) !== p.holdsVersion) throw new SubjectMoved();
    // And the global budgets, which decisions for other subjects take from too: the pipeline read the
    // channel's use when it ran, and decisions that ran beside it may have reserved contacts since
    // (a batch run decides 32 at once, and decisions released together ran their pipelines before
    // any of them reserved: two runs over one audience sent 66 e-mails of a budget of 40, until
    // 2026-12-06). Checked here, with nothing between it and the reservation below: a decision whose
    // budgets now stand otherwise for its candidates (room, fair shares used) is made again on the
    // use as it is now — its contacts fit, and its propensities are those of the view it is logged
    // on. Made again here, in this same synchronous turn (its pipeline is synchronous), so no other
    // decision can reserve between the remake and its reservation: made again from the start, it
    // ran its pipeline beside the others again, and with shares filling at every contact (40
    // actions, a budget of 40) 28 of 3,000 decisions 32 at a time lost 12 times and failed, until
    // 2026-12-06. A remake that opens or delivers a review where the first did not is made again
    // from the start instead: it must wait its turn behind the subject's review writes (commit).
    // A shared store checks the limits in the append's transaction instead.
    if (!guarded && !p.stands()) {
      p = p.remake();
      if (p.holds.length && !made.holds.length) throw new SubjectMoved();
    }
    const { record, holds } = p;
    const actions = record.choices.filter((c) => c.kind === 'action' && c.action).map((c) => c.action as string);
    if (!guarded && budgetSpent(ledger, p.budgets, actions, record.at)) throw new SubjectMoved();
    for (const a of actions) {
      this.d.state.ledger.record(record.profileKey, { at: record.at, action: a, channel: record.channel, topics: p.topicsOf(a), decisionId: record.id });
      this.d.state.markContact(record.id, a, record.at);
    }
    if (actions.length) ledger.hold(record.profileKey);
    try {
      if (guarded) {
        const moved = await guarded.call(this.d.decisions, record, this.d.state.guardSince, this.d.state.knownAt(p.stamp), { budgets: p.budgets, holds, also: p.also, identities: record.profileKey.startsWith('anon:') ? identityCandidates(record.subject) : undefined });
        if (moved) {
          this.d.state.ledger.unrecord(record.profileKey, record.id);
          await this.d.state.applyRows(this.d.decisions, moved, p.topicsOf);
          // Other processes took what was left of a budget: fold in what they logged, and decide again.
          if (moved.budget) await this.d.state.sync(this.d.decisions, p.topicsOf, this.d.now());
          throw new SubjectMoved();
        }
      } else await Promise.all([this.d.decisions.appendDecision(record), ...holds.map((h) => this.d.decisions.putHold(h))]);
    } catch (err) {
      if (!(err instanceof SubjectMoved)) this.d.state.ledger.unrecord(record.profileKey, record.id);
      throw err;
    } finally {
      if (actions.length) ledger.release(record.profileKey);
    }
    const groups = recordGroupKeys(record);
    for (const a of actions) this.d.state.counts.trial(a, record.profileKey, 1, groups, record.id, record.at);
    for (const h of holds) this.d.state.putHold(h);
    this.d.onDecision?.(record);
    return record;
  }

  /** Runs the pipeline without logging anything (in-process measurement, previews); `read` as in `prepare`. */
  async evaluate(req: DecideRequest, read?: SubjectRead): Promise<Evaluation> {
    let play = this.d.playbook();
    const placement = play.catalog.placements.get(req.placement);
    if (!placement) {
      throw validationError([{ field: 'placement', message: unknownPlacement(req.placement, [...play.catalog.placements.keys()]) }]);
    }
    const state = read ? read.state : await this.profileOf(req.subject);
    // Experiments and the global holdout assign the person (experiment-unit.ts); their identities are read only when one applies.
    let unit: string | undefined;
    const unitOf = async () => (unit ??= experimentUnit(req.subject, state ? await this.merged.identities(state) : undefined));
    let routed = await this.d.experiments?.route(placement.id, unitOf, play);
    if (play.policy.holdout) await unitOf();
    // The global holdout is checked before any experiment: a held-out subject is in no arm, so it
    // decides under the live policy, logged with the live version, with no pin of its arm (until
    // 2026-12-05 a pinned-policy arm's rules and version applied to the holdout subjects it bucketed).
    if (routed && unit !== undefined && heldOut(play.policy.holdout, unit)) routed = { experiment: { id: routed.experiment.id, arm: routed.experiment.arm }, play };
    if (routed) play = routed.play;
    const now = this.d.now();
    const mergedKeys = state ? await this.merged.of(state) : [];
    const profileKey = state?.id ?? `anon:${req.subject}`;
    // The subject's contacts older than the start's last minutes, read at its first decision (ADR 0006).
    if (this.d.state.ledger.lazyBefore !== -Infinity) await this.d.state.ensureLoaded(this.d.decisions, mergedKeys.length ? [profileKey, ...mergedKeys] : [profileKey], play.topicsOf, now);
    const accounts = state && (play.needsAccounts || this.d.state.flags.hasAccountFlags) ? (await this.d.profiles.memberships(state.id)).map((m) => m.accountId) : [];
    const vars = ruleVars(state ?? newProfileState(profileKey, now), this.d.settings.get(featuresKind), now, play.needsLifecycle ? this.d.settings.get(lifecycleKind) : undefined);
    const active = this.d.state.flags.active(profileKey, accounts, now, mergedKeys);
    vars.flags = flagVars(active);
    vars.context = req.context ?? {};
    vars.accounts = accounts;
    const inputs = await this.d.prefetch?.fetch(state, { rules: readsInferences(play), uplift: upliftWanted(play.policy, routed?.experiment), now, merged: mergedKeys });
    if (inputs?.rules) Object.assign(vars, inputs.rules);
    const holdsVersion = this.d.state.holdsVersion(profileKey, mergedKeys);
    // The estimates settings of the policy the decision is made under (an arm's pinned version), as its explanation's level says.
    const estimates = this.d.estimates.under?.(play.policy.estimates) ?? this.d.estimates;
    const ctx: StageContext = {
      now,
      vars,
      subject: { key: profileKey, identifier: req.subject, timezone: state?.timezone ?? null, accounts, flags: new Set(active.map((f) => f.name)), mergedKeys, ...(unit === undefined ? {} : { unit }) },
      policy: play.policy,
      placement,
      contacts: this.d.state.ledger.view(profileKey, mergedKeys),
      holds: this.d.state.holdsOf(profileKey, mergedKeys),
      estimates: inputs ? decisionEstimates(estimates, inputs, play.policy) : estimates,
      facts: new Set(),
      budgetWeights: play.budgetWeightsAt(now),
      random: this.d.random,
      bandits: this.d.bandits,
      ...(routed ? { experiment: routed.experiment } : {}),
    };
    if (placement.recommend) {
      const n = Math.min(req.n ?? 1, placement.slots);
      ctx.recommendation = this.d.recommender
        ? await recommendationFor(this.d.recommender, placement, state, req.context ?? {}, n, now, vars)
        : { mode: 'recommend', items: [], modelVersion: 'recommendations@none', evidence: 0, status: 'learning' };
    }
    const ledgerVersion = this.d.state.ledger.version(profileKey, mergedKeys);
    // Only the embedded store checks it before reserving (write); a shared store's guarded append checks the limits itself.
    const standing = this.d.decisions.appendIfCurrent ? NO_STANDING : budgetStanding(ctx);
    const result = runPipeline(ctx, play.rulebook.forPlacement(placement), req.n ?? 1, this.d.newId);
    // A batch asks by profile id: the reviews it may open name the person as reviewers know them
    // (their identities read only where a candidate is high-stakes, so only then can a review open).
    const mayReview = req.subject.startsWith('profile:') && state && ctx.placement.candidates.some((a) => a.def.highStakes);
    const reviewer = mayReview ? reviewSubject(req.subject, await this.merged.identities(state)) : req.subject;
    return { ctx, profileKey, result, play, position: inputs?.position, ledgerVersion, holdsVersion, mergedKeys, state, budgetStanding: standing, reviewSubject: reviewer };
  }

  private async profileOf(subject: string): Promise<ProfileState | undefined> {
    const cached = this.known.get(subject);
    const hit = cached ? await this.d.profiles.getProfile(cached) : undefined;
    if (hit) return hit;
    const found = await findProfile(this.d.profiles, subject);
    if (!found) return undefined;
    if (this.known.size >= 500_000) this.known.clear();
    this.known.set(subject, found.profileId);
    return this.d.profiles.getProfile(found.profileId);
  }

  private record(id: string, req: DecideRequest, profileKey: string, ctx: StageContext, r: PipelineResult, play: Playbook, position?: SubjectPosition): DecisionRecord {
    const { scored, excluded } = traces(r.candidates, new Set(r.choices.map((c) => c.action ?? '')));
    const facts = factValues(ctx.facts, ctx.vars);
    return {
      id,
      at: ctx.now,
      profileKey,
      subject: req.subject,
      placement: ctx.placement.id,
      channel: ctx.placement.channel,
      context: req.context ?? {},
      policyVersion: play.policyVersion,
      catalogVersion: play.catalogVersion,
      modelVersion: r.bandit?.model ?? ctx.recommendation?.modelVersion ?? this.d.estimates.modelVersion,
      arm: r.arm,
      ...(position ? { segment: position.segment, microSegment: position.microSegment?.index ?? null, microSegmentModel: position.microSegment?.modelVersion ?? null } : {}),
      ...(ctx.experiment ? { experiment: { id: ctx.experiment.id, arm: r.arm === 'holdout' ? 'holdout' : ctx.experiment.arm, variant: r.arm === 'holdout' ? null : (ctx.experiment.variant ?? null) } } : {}),
      ...(ctx.subject.unit !== undefined ? { unit: ctx.subject.unit } : {}),
      choices: r.choices,
      scored,
      excluded,
      facts: facts.values,
      absentFacts: facts.absent,
      operator: r.operator,
      customer: r.customer,
      excludedByStage: excludedCounts(r.candidates),
      ...(r.territory ? { handoff: { territory: r.territory.name, queue: r.territory.queue } } : {}),
      ...(r.bandit ? { bandit: r.bandit } : {}),
    };
  }
}

/**
 * The name of a budget that a decision's contacts (`actions`) would pass on the ledger's use now —
 * its max, or a chosen action's fair share — else undefined: the check a shared store makes when
 * it takes them from its count of the window (store/postgres/decisions.ts, `takeFromBudget`).
 *
 * @example
 * budgetSpent(state.ledger, budgetGuards(record, play), ['spring-sale'], record.at); // 'email budget' once it is spent
 */
export function budgetSpent(ledger: Pick<ContactLedger, 'budgetUse'>, guards: readonly BudgetGuard[], actions: readonly string[], at: number): string | undefined {
  for (const g of guards) {
    const use = ledger.budgetUse(g, at);
    if (use.total + actions.length > g.max) return g.name;
    if (actions.some((a) => (use.byAction.get(a) ?? 0) >= (g.shares[a] ?? Infinity))) return g.name;
  }
  return undefined;
}

/**
 * The global budgets a decision's contacts take from, with each chosen action's fair share as the
 * contact-policy stage computes it (Infinity once the window is open to borrowing). One guard per
 * channel and window: a shared store counts a window by channel and window, not by budget, so two
 * budgets on one (refused at PUT, but a policy stored before is compiled as stored) are merged —
 * the tightest max and share win — lest each decision be taken once per budget.
 *
 * @example
 * budgetGuards(record, play); // [{ name: 'email budget', channel: 'email', max: 50000, shares: { 'spring-sale': 25000 }, … }]
 */
export function budgetGuards(record: DecisionRecord, play: Playbook): BudgetGuard[] {
  const actions = record.choices.filter((c) => c.kind === 'action' && c.action).map((c) => c.action as string);
  if (!actions.length) return [];
  const guards = new Map<string, BudgetGuard>();
  for (const b of play.policy.budgets) {
    if (b.channel !== record.channel) continue;
    const windowStart = budgetWindowStart(b.windowMs, record.at);
    const borrowing = (record.at - windowStart) / b.windowMs >= b.borrowAfter;
    const weights = play.budgetWeightsAt(record.at).get(b.channel) ?? 1;
    const shares = Object.fromEntries(actions.map((a) => [a, borrowing ? Infinity : (b.max * (play.catalog.actions.get(a)?.budgetWeight ?? 1)) / weights]));
    const key = `${b.windowMs}`;
    const had = guards.get(key);
    if (!had) guards.set(key, { name: b.name, channel: b.channel, windowMs: b.windowMs, windowStart, max: b.max, shares });
    else {
      for (const a of actions) had.shares[a] = Math.min(had.shares[a] ?? Infinity, shares[a]);
      if (b.max < had.max) Object.assign(had, { name: b.name, max: b.max });
    }
  }
  return [...guards.values()];
}

/**
 * The older reviews a decision's new or delivered ones settle: of each action it opens or delivers
 * a review of, every other review of the person's it read (under the keys merged into them too)
 * opened before, marked superseded by it — decisions follow the newest review (human-territory.ts),
 * and the mark, stored with the decision's holds, keeps an older one from coming back beside it
 * when a window lengthens, after a merge, or across a restart (until 2026-12-06 it did: an action
 * delivered twice, an old rejection overruling a newer approval; QA).
 *
 * @example
 * settled(ctx.holds, [opened]); // [{ ...lapsedApproval, supersededBy: opened.id }]
 */
export function settled(read: readonly Hold[], written: readonly Hold[]): Hold[] {
  const out: Hold[] = [];
  for (const w of written) {
    for (const h of read) {
      if (h.action !== w.action || h.supersededBy || h.status === 'delivered' || written.some((x) => x.id === h.id)) continue;
      if (openedAfter(w, h)) out.push({ ...h, supersededBy: w.id });
    }
  }
  return out;
}
