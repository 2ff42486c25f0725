import { TactError } from '../../errors/tact-error.js';
import type { ModelEvent, ModelStore, ModelVersion, ModelVersionSummary } from './model-store.js';

/**
 * What a comparison found: `better` (shown better: the whole interval of the difference above 0,
 * or the live version unusable), `not worse` (not shown worse: enough for `rates`,
 * `micro-segments`, `send-time`, `baselines` and `recommendations` to go live, whatever the sign
 * of the point difference), `no difference` (a tie), `worse` (refused on the evidence), or
 * `inconclusive` (too little of it).
 *
 * @example
 * const v: Verdict = 'not worse'; // difference −0.0208, 95% CI [−0.0421, 0.0006]
 */
export type Verdict = 'better' | 'not worse' | 'no difference' | 'worse' | 'inconclusive';

/** What a comparison of a candidate with the live version found. */
export interface Comparison {
  /**
   * True when the candidate passes the comparison and may replace the live version — named so
   * before `verdict` and kept for the clients that read it: for most models it means "not shown
   * worse", not "better" (`verdict` says which).
   */
  better: boolean;
  /** What the comparison found ({@link Verdict}); filled in by the registry when a comparison leaves it out (a passing one then reads `not worse`). */
  verdict?: Verdict;
  /** One sentence, kept with the promotion or the refusal. */
  summary: string;
  /** Too little evidence to say either way: `training.autoPromote` may then let the candidate go live. */
  inconclusive?: boolean;
  figures?: Record<string, unknown>;
}

/**
 * Compares a candidate version with the live one (off-policy on the decision log, for policies).
 *
 * @example
 * registry.setComparator('recommendations', async (candidate, live) => ({ better: true, summary: 'IPS value 0.031 vs 0.027' }));
 */
export type CompareVersions = (candidate: ModelVersion, live: ModelVersion) => Promise<Comparison>;

/**
 * Whether data received at `receivedAt` is newer than what a version was trained on. A version's
 * `dataTo` is the moment its training began, before it read anything, so data received in that
 * same millisecond may or may not have been read: it counts as seen, so nothing the version may
 * have learned from is ever held out to judge it (the resolution is one millisecond).
 *
 * @example
 * unseenBy(live, event.receivedAt); // true for an event received since live was trained
 */
export function unseenBy(version: { dataTo: number }, receivedAt: number): boolean {
  return receivedAt > version.dataTo;
}

/**
 * Why a version of a model, live or about to be, cannot be applied under the settings in force
 * (a sentence), or null when it can: a micro-segments version whose features were redefined.
 *
 * @example
 * registry.setApplicability('micro-segments', (v) => (stale(v) ? '`orders` was redefined after it was trained' : null));
 */
export type CheckApplicable = (version: ModelVersion) => string | null;

/** Said with a version made live that cannot be applied (a promotion's or a rollback's `warnings`). */
export interface VersionWarning {
  version: number;
  message: string;
}

/**
 * The comparison with its verdict: its own, else the weakest that fits what it says — one that
 * lets the candidate through is `not worse` unless it says `better` (until 2026-12-06 the history
 * showed only `better: true`, also for a difference of −0.0208 [−0.0421, 0.0006]).
 */
function withVerdict(c: Comparison): Comparison {
  if (c.verdict) return c;
  const tie = (c.figures as { tie?: unknown } | undefined)?.tie === true;
  const verdict: Verdict = c.inconclusive ? 'inconclusive' : c.better ? 'not worse' : tie ? 'no difference' : 'worse';
  return { ...c, verdict };
}

/** The sentences a version's training left in its metrics' `warnings` (none when it has none). */
function trainingWarnings(v: ModelVersion | undefined): string[] {
  const w = (v?.metrics as { warnings?: unknown } | undefined)?.warnings;
  return Array.isArray(w) ? w.filter((x): x is string => typeof x === 'string') : [];
}

/** "the live version changed from 2 to 4" (none when there was or is no live version). */
function liveChanged(from: number | null, to: number | null): string {
  return `the live version changed from ${from ?? 'none'} to ${to ?? 'none'}`;
}

/** The answer to a promotion request. */
export interface Promotion {
  name: string;
  version: number;
  promoted: boolean;
  previous: number | null;
  reason: string;
  comparison: Comparison | null;
  /** Present when the version is live but cannot be applied (see {@link CheckApplicable}), or its training warned of something. */
  warnings?: VersionWarning[];
}

/** A trained model, before it is stored. */
export interface TrainedModel<S = unknown> {
  state: S;
  metrics: Record<string, unknown>;
  dataFrom: number | null;
  dataTo: number;
}

/**
 * The model registry: versions, the live one, promotion (guarded by a pluggable comparison) and
 * rollback. Promotion rules, in order: the first version goes live (nothing to compare with);
 * `force` goes live with the actor's reason; a registered comparison decides (when it has too
 * little evidence to say, a model listed in `training.autoPromote` goes live); without a
 * comparison, a model listed in `training.autoPromote` goes live; anything else is refused, and
 * the refusal is recorded. Processes sharing a store each decide against the live version they
 * read, and the store makes the change only if it is still live (compare-and-set): a promotion
 * decided against a version another process replaced meanwhile is refused, a rollback throws.
 * A version made live that its model's applicability check says cannot be applied is live all the
 * same, and the answer carries `warnings` saying why; so it does what the version's training
 * warned of (its metrics' `warnings`).
 *
 * @example
 * const registry = new ModelRegistry(store.models, { autoPromote: () => new Set(['send-time']) });
 * const { version } = await registry.register('send-time', trained, 'cli');
 * await registry.promote('send-time', version, { actor: 'cli' });
 */
export class ModelRegistry {
  private readonly comparators = new Map<string, CompareVersions>();
  private readonly applicability = new Map<string, CheckApplicable>();
  private readonly cache = new Map<string, { checkedAt: number; version: ModelVersion | undefined }>();
  /** Bumped by each change of a live version here: a read begun before it is not cached after it. */
  private readonly changes = new Map<string, number>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly liveListeners: ((name: string, version: number) => void)[] = [];

  constructor(readonly store: ModelStore, private readonly opts: { ttlMs?: number; autoPromote?: () => ReadonlySet<string> } = {}) {}

  /** Plugs in the comparison that decides whether a candidate of `name` may replace the live version. */
  setComparator(name: string, fn: CompareVersions): void {
    this.comparators.set(name, fn);
  }

  /**
   * Plugs in the check of whether a version of `name` can be applied: a promotion or rollback that
   * makes live one that cannot still goes ahead, and its answer carries a warning saying why.
   */
  setApplicability(name: string, fn: CheckApplicable): void {
    this.applicability.set(name, fn);
  }

  /**
   * Calls `fn` after this process made a version live (promotion or rollback): what reads the
   * model's output (segment rules on `microSegment` or estimates) is brought up to date.
   */
  onLiveChange(fn: (name: string, version: number) => void): void {
    this.liveListeners.push(fn);
  }

  /** The live version of a model with its state (cached for a couple of seconds: other processes may promote). */
  async live<S>(name: string): Promise<ModelVersion<S> | undefined> {
    const now = Date.now();
    const c = this.cache.get(name);
    if (c && now - c.checkedAt < (this.opts.ttlMs ?? 2000)) return c.version as ModelVersion<S> | undefined;
    const change = this.changes.get(name) ?? 0;
    const l = await this.store.live(name);
    let version = l && c?.version?.version === l.version ? c.version : undefined;
    if (l && !version) version = await this.store.getVersion(name, l.version);
    // A promotion or rollback here while this read ran: what it read may be the version replaced.
    if ((this.changes.get(name) ?? 0) === change) this.cache.set(name, { checkedAt: now, version });
    return version as ModelVersion<S> | undefined;
  }

  /** Stores a trained version and records it in the model's history. */
  async register(name: string, trained: TrainedModel, actor: string): Promise<ModelVersionSummary> {
    return this.locked(name, async () => {
      const at = Date.now();
      const version = await this.store.addVersion({ name, trainedAt: at, dataFrom: trained.dataFrom, dataTo: trained.dataTo, metrics: trained.metrics, state: trained.state, trainedBy: actor });
      await this.store.recordEvent({ name, version, action: 'trained', reason: 'trained', actor, at, comparison: null, previous: null });
      return { name, version, trainedAt: at, dataFrom: trained.dataFrom, dataTo: trained.dataTo, metrics: trained.metrics, trainedBy: actor };
    });
  }

  /**
   * Tries to make `version` live (see the class comment); a refusal is returned and recorded, not thrown.
   * `sameAs`: the live version whose model `version` is again (a training with nothing new since): while
   * that version is still live, `version` is refused, the comparison still run and recorded — replacing
   * a model by itself changes nothing but the way back of a rollback. `force` promotes it all the same.
   */
  async promote(name: string, version: number, o: { actor: string; reason?: string; force?: boolean; sameAs?: number }): Promise<Promotion> {
    const p = await this.decidePromotion(name, version, o);
    return p.promoted ? this.warned(name, p) : p;
  }

  private async decidePromotion(name: string, version: number, o: { actor: string; reason?: string; force?: boolean; sameAs?: number }): Promise<Promotion> {
    return this.locked(name, async () => {
      const candidate = await this.store.getVersion(name, version);
      if (!candidate) {
        // The body's field named, and the versions there are: the 404 alone left a caller guessing which part of the request missed.
        const there = (await this.store.versions(name, 50)).map((v) => v.version);
        const message = there.length ? `Model ${name} has no version ${version}; its versions are ${there.length === 50 ? 'the 50 newest: ' : ''}${there.join(', ')}.` : `Model ${name} has no version yet: train it first.`;
        throw new TactError('not_found', { what: `version of model ${name}`, id: String(version) }, { problems: [{ field: 'version', message }] });
      }
      const live = await this.store.live(name);
      const previous = live?.version ?? null;
      const answer = (promoted: boolean, reason: string, comparison: Comparison | null): Promotion => ({ name, version, promoted, previous, reason, comparison });
      if (live?.version === version) return answer(true, `version ${version} is already live`, null);
      let decision: Promotion;
      if (!live) decision = answer(true, 'first version: there is no live version to compare with', null);
      else if (o.force) decision = answer(true, `forced by ${o.actor}: ${o.reason ?? 'no reason given'}`, null);
      else {
        const compare = this.comparators.get(name);
        if (compare) {
          const liveVersion = await this.store.getVersion(name, live.version);
          const c = withVerdict(await compare(candidate, liveVersion!));
          if (c.inconclusive && this.opts.autoPromote?.().has(name)) decision = answer(true, `the comparison with version ${live.version} is inconclusive (${c.summary}); training.autoPromote lets ${name} go live`, c);
          else if (c.inconclusive && !c.better) decision = answer(false, `the comparison with version ${live.version} is inconclusive (too little evidence to say either way), so it does not favour it: ${c.summary}`, c);
          else decision = answer(c.better, c.better ? `the comparison with version ${live.version} lets it go live: ${c.summary}` : `the comparison with version ${live.version} does not favour it: ${c.summary}`, c);
        } else if (this.opts.autoPromote?.().has(name)) {
          decision = answer(true, `training.autoPromote lets ${name} go live without a comparison`, null);
        } else {
          decision = answer(false, `no comparison with live version ${live.version} is available for ${name}`, null);
        }
        if (o.sameAs === live.version) decision = answer(false, sameModelReason(version, live.version, decision), decision.comparison);
      }
      const event: ModelEvent = { name, version, action: decision.promoted ? 'promoted' : 'refused', reason: decision.reason, actor: o.actor, at: Date.now(), comparison: decision.comparison, previous };
      // The decision holds against `previous` only: another process may have changed the live version meanwhile.
      const set = decision.promoted && (await this.store.setLive(name, version, event));
      // After the write (a read cached while it ran would hold the version replaced), whatever it found.
      this.invalidate(name);
      if (set) {
        for (const fn of this.liveListeners) fn(name, version);
        return decision;
      }
      if (decision.promoted) {
        const now = (await this.store.live(name))?.version ?? null;
        if (now === version) return answer(true, `version ${version} is already live: another process promoted it meanwhile`, null);
        decision = answer(false, `${liveChanged(previous, now)} while this promotion was being decided (another process promoted or rolled back ${name}); ask again to compare it with version ${now}`, decision.comparison);
        await this.store.recordEvent({ ...event, action: 'refused', reason: decision.reason, at: Date.now() });
        return decision;
      }
      await this.store.recordEvent(event);
      return decision;
    });
  }

  /**
   * Goes back to the version that was live before the current one was last promoted.
   * Throws `rollback_unavailable` when there is none, `conflict` when another process changed
   * the live version while this rollback ran. Goes back also to a version that cannot be applied
   * now, with a warning saying why.
   */
  async rollback(name: string, o: { actor: string; reason?: string }): Promise<{ name: string; version: number; from: number; warnings?: VersionWarning[] }> {
    return this.warned(name, await this.locked(name, async () => {
      const live = await this.store.live(name);
      if (!live) throw new TactError('rollback_unavailable', { name, detail: 'no version of it is live' });
      const to = (await this.promotionOf(name, live.version))?.previous ?? null;
      if (to === null) throw new TactError('rollback_unavailable', { name, detail: `version ${live.version} was the first to go live` });
      const done = await this.store.setLive(name, to, { name, version: to, action: 'rolled-back', reason: o.reason ?? 'no reason given', actor: o.actor, at: Date.now(), comparison: null, previous: live.version });
      this.invalidate(name);
      if (!done) {
        const now = (await this.store.live(name))?.version ?? null;
        throw new TactError('conflict', { detail: `The ${name} model was not rolled back: ${liveChanged(live.version, now)} after this rollback read it (another process promoted or rolled it back). Look at its history (GET /v1/models/${name}) and ask again` });
      }
      for (const fn of this.liveListeners) fn(name, to);
      return { name, version: to, from: live.version };
    }));
  }

  /**
   * The answer with a warning when the version it made live cannot be applied, and with what its
   * training warned of (its metrics' `warnings`, e.g. micro-segments lumped into one cluster): a
   * first version goes live without a comparison, so this is where such a warning is said.
   */
  private async warned<A extends { version: number }>(name: string, answer: A): Promise<A & { warnings?: VersionWarning[] }> {
    const check = this.applicability.get(name);
    const v = await this.store.getVersion(name, answer.version);
    const why = v && check ? check(v) : null;
    const warnings: VersionWarning[] = [];
    if (why) warnings.push({ version: answer.version, message: `Version ${answer.version} of ${name} is live but cannot be applied: ${why}` });
    for (const w of trainingWarnings(v)) warnings.push({ version: answer.version, message: `Version ${answer.version} of ${name} is live; its training warned: ${w}` });
    return warnings.length ? { ...answer, warnings } : answer;
  }

  /**
   * The latest promotion of `version`, however far back: trainings and refusals recorded since it
   * went live (two an hour on an hourly schedule) must not hide it and make it read as the first.
   */
  private async promotionOf(name: string, version: number): Promise<ModelEvent | undefined> {
    for (let limit = 1000; ; limit *= 10) {
      const events = await this.store.events(name, limit);
      const found = events.find((e) => e.action === 'promoted' && e.version === version);
      if (found || events.length < limit) return found;
    }
  }

  /** Forgets the cached live version of `name`, and any read of it still running. */
  private invalidate(name: string): void {
    this.cache.delete(name);
    this.changes.set(name, (this.changes.get(name) ?? 0) + 1);
  }

  /** Runs `fn` after every earlier call for the same model has finished (one process). */
  private locked<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(name) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    this.locks.set(name, next.catch(() => undefined));
    return next;
  }
}

/**
 * Why a version the same model as the live one is not promoted, with what its comparison found (when it has one).
 *
 * @example
 * sameModelReason(7, 6, p); // 'version 7 is the same model as live version 6 (nothing new since it was trained), so it does not replace it (train with force to promote it as any other); the comparison: …'
 */
function sameModelReason(version: number, live: number, decision: Promotion): string {
  const found = decision.comparison ? `; the comparison: ${decision.comparison.summary}` : '';
  return `version ${version} is the same model as live version ${live} (nothing new since it was trained), so it does not replace it (train with force to promote it as any other)${found}`;
}
