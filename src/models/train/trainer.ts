import { isDeepStrictEqual } from 'node:util';
import type { Settings } from '../../config/settings.js';
import type { Store } from '../../store/store.js';
import type { TrainingLease } from '../registry/model-store.js';
import type { ModelRegistry, Promotion, TrainedModel } from '../registry/registry.js';
import { TrainingStopped, untilAbandoned, withAbandonSignal } from './abandon.js';
import { busySentence, HOLDER, withTrainingLease } from './training-lease.js';
import type { ModelName } from './training-kind.js';

/** What a trainer gets: the store, the settings in force, the registry (for the live versions of other models). */
export interface TrainContext {
  store: Store;
  settings: Settings;
  registry: ModelRegistry;
  now: number;
  log: (msg: string, data?: object) => void;
  /** Aborts once the training is abandoned (the server stopping): a trainer may stop early on it (fits run off-thread are terminated on it already). */
  signal?: AbortSignal;
}

/** A trained model, or why there is nothing to train yet. */
export type TrainOutcome = TrainedModel | { skipped: string };

/**
 * One trainable model: reads what it needs from the store, returns a JSON state and metrics.
 *
 * @example
 * const t: Trainer = { name: 'send-time', description: '…', train: async (ctx) => ({ state, metrics, dataFrom: null, dataTo: ctx.now }) };
 */
export interface Trainer {
  name: ModelName;
  description: string;
  train(ctx: TrainContext): Promise<TrainOutcome>;
  /**
   * What of a state makes the model what it is (default: all of it): a training whose part equals
   * the live version's made the same model again. `uplift` leaves out when its split was read.
   */
  identity?(state: unknown): unknown;
}

/** What one training run did. */
export interface TrainResult {
  model: string;
  version?: number;
  skipped?: string;
  /** Skipped because another training of the model ran (`skipped` says whose, since when) and `ifBusy` or `waitMs` said not to wait (longer). */
  busy?: true;
  promotion?: Promotion;
  metrics?: Record<string, unknown>;
  /** The training threw (only with `keepGoing`: otherwise the error is thrown): why. */
  error?: string;
  /** The live version the training made again (its state equal: nothing new since it), with `unchanged` saying so. */
  sameAs?: number;
  /** A sentence: the training made the live version's model again, and whether a version was stored for it. */
  unchanged?: string;
  seconds: number;
}

/**
 * The trainings of a model queued in one process, per registry: each runs once the one before it
 * is over. `doing` says what the one running does, for a training queued behind it; `queued`
 * counts those not over.
 */
interface Queue {
  tail: Promise<unknown>;
  doing: string;
  queued: number;
}
const queues = new WeakMap<ModelRegistry, Map<string, Queue>>();

/**
 * Runs `fn` once no other training of `name` on this registry is running — unless `stop` settles
 * before `fn` began: then `fn` never runs, and the answer is what the training ahead was doing.
 * `doing` says what this training does (once it began); `onBehind` hears at once what the training
 * ahead does, when there is one.
 */
function oneAtATime<T>(registry: ModelRegistry, name: string, doing: () => string, fn: (q: Queue) => Promise<T>, stop: Promise<unknown>, onBehind: (doing: string) => void): Promise<{ ran: T } | { behind: string }> {
  const byName = queues.get(registry) ?? queues.set(registry, new Map()).get(registry)!;
  const q = byName.get(name) ?? { tail: Promise.resolve(), doing: '', queued: 0 };
  byName.set(name, q);
  if (q.queued++) onBehind(q.doing);
  else q.doing = doing();
  return new Promise((resolve, reject) => {
    let began = false;
    let gaveUp = false;
    const settled = q.tail.then(async () => {
      if (gaveUp) return;
      began = true;
      q.doing = doing();
      await fn(q).then((ran) => resolve({ ran }), reject);
    });
    q.tail = settled;
    void settled.then(() => (q.queued--, q.tail === settled && byName.delete(name)));
    void stop.then(() => {
      if (began) return;
      gaveUp = true;
      resolve({ behind: q.doing });
    });
  });
}

/** How `trainModels` runs. */
export interface TrainOptions {
  /** Hears each model as soon as it is done (progress of a long run). */
  onResult?: (r: TrainResult) => void;
  /** A model another process is training: `wait` for it, then train (on demand, the default), or `skip` it (the schedule). */
  ifBusy?: 'wait' | 'skip';
  /** With `ifBusy: 'wait'`: waits at most this long per model, then skips it (`busy`) with whom it waited for (default: waits on). */
  waitMs?: number;
  /**
   * Ctrl-C of `tact train`: once aborted, a wait ends at once (the model is left out of the
   * results), a training running is finished and stored, and no other model is started.
   */
  signal?: AbortSignal;
  /** Hears whom a training waits for: the training of the model ahead of it in this process, and (then, or else) the process holding the model. */
  onBusy?: (sentence: string) => void;
  /** Hears each model as its training starts (after any wait). */
  onTaken?: (name: string) => void;
  /** How often a waiting training looks again (default 1 s). */
  pollMs?: number;
  /**
   * `tact train` of several models: a model whose training throws is answered with its `error`
   * and the next models still train (by default the error is thrown, and no later model starts).
   */
  keepGoing?: boolean;
  /**
   * The server stopping: once aborted, the training running is abandoned — its fit in a worker
   * thread terminated, nothing of it stored, its lease given back — and the call rejects with
   * TrainingStopped (abandon.ts). Unlike `signal`, which lets a training running finish.
   */
  abandon?: AbortSignal;
  /**
   * A training that makes the live version's model again (equal state: no new data since it):
   * `keep` stores it as a version, which its promotion refuses unless `force` (on demand, the default);
   * `skip` stores nothing (the schedule: a new identical version each run would only lengthen the
   * way back of a rollback). Either way the result says so (`sameAs`, `unchanged`).
   */
  ifUnchanged?: 'keep' | 'skip';
  /**
   * With `ifUnchanged: 'keep'`: a version the same model as the live one is asked to be promoted
   * as any other. Without it such a version is stored and refused (its comparison still run and
   * recorded): replacing the live model by itself changes nothing but the way back of a rollback.
   */
  force?: boolean;
}

/** Settles after `ms` (never when undefined) or once `signal` aborts; `cancel` lets go of the timer. */
function stopAfter(ms: number | undefined, signal: AbortSignal | undefined): { stop: Promise<void>; cancel: () => void } {
  let cancel = () => {};
  const stop = new Promise<void>((resolve) => {
    const timer = ms === undefined ? undefined : setTimeout(resolve, ms);
    const onAbort = () => resolve();
    signal?.addEventListener('abort', onAbort, { once: true });
    cancel = () => (clearTimeout(timer), signal?.removeEventListener('abort', onAbort));
  });
  return { stop, cancel };
}

/**
 * Trains each named model in order, stores each version and asks the registry to promote it. A
 * model already training — in this process (the schedule, or another request), or in another
 * process sharing the store (a lease per model, training-lease.ts) — is trained again only once
 * that run is over (`ifBusy: 'wait'`, for at most `waitMs`), or skipped with the reason
 * (`ifBusy: 'skip'`, or the wait ran out: `busy`), so two versions are never trained and promoted
 * side by side.
 *
 * @example
 * const results = await trainModels(ctx, trainers, ['send-time'], 'cli', { onResult: (r) => print(r) });
 */
export async function trainModels(ctx: TrainContext, trainers: readonly Trainer[], names: readonly string[], actor: string, o: TrainOptions = {}): Promise<TrainResult[]> {
  const out: TrainResult[] = [];
  for (const t of trainers) {
    if (!names.includes(t.name)) continue;
    if (o.signal?.aborted) break;
    if (o.abandon?.aborted) throw new TrainingStopped(t.name);
    const started = Date.now();
    // Waits (in this process, and for another's lease) end on either signal.
    const ends = o.signal && o.abandon ? AbortSignal.any([o.signal, o.abandon]) : (o.signal ?? o.abandon);
    const waiting = stopAfter(o.waitMs, ends);
    let r: TrainResult | undefined;
    try {
      // A training of the model ahead in this process (the schedule, another request) is waited for as another process's is: `onBusy` says so.
      const doing = () => busySentence({ name: t.name, token: '', holder: HOLDER, actor, since: Date.now(), until: 0 });
      const queued = await oneAtATime(ctx.registry, t.name, doing, async (q) => {
        const lease = {
          ifBusy: o.ifBusy ?? 'wait', pollMs: o.pollMs, log: ctx.log, signal: ends,
          waitMs: o.waitMs === undefined ? undefined : Math.max(0, started + o.waitMs - Date.now()),
          onBusy: (sentence: string) => ((q.doing = sentence), o.onBusy?.(sentence)),
          onTaken: (held: TrainingLease) => ((q.doing = busySentence(held)), o.onTaken?.(t.name)),
        } as const;
        // Abandoned, trainOne rejects at once: the lease is released (withTrainingLease's finally) while the store is open.
        const leased = await withTrainingLease(ctx.registry.store, t.name, actor, lease, () => trainOne(ctx, t, actor, o.abandon, o.ifUnchanged ?? 'keep', o.force === true));
        if ('stopped' in leased) {
          if (o.abandon?.aborted) throw new TrainingStopped(t.name);
          return undefined;
        }
        return 'busy' in leased ? { model: t.name, skipped: leased.busy, busy: true as const, seconds: (Date.now() - started) / 1000 } : leased.value;
      }, waiting.stop, (ahead) => o.onBusy?.(ahead));
      if ('behind' in queued) {
        if (o.abandon?.aborted) throw new TrainingStopped(t.name);
        if (!o.signal?.aborted) r = { model: t.name, skipped: queued.behind, busy: true, seconds: (Date.now() - started) / 1000 };
      } else r = queued.ran;
    } catch (err) {
      if (!o.keepGoing || err instanceof TrainingStopped) throw err;
      ctx.log('model training failed', { model: t.name, error: (err as Error).message });
      r = { model: t.name, error: err instanceof Error ? err.message : String(err), seconds: (Date.now() - started) / 1000 };
    } finally {
      waiting.cancel();
    }
    if (!r) break;
    out.push(r);
    o.onResult?.(r);
  }
  return out;
}

/**
 * The live version of `t` whose model `state` is again (its state, or the part of it the trainer
 * names as its identity, equal once both are stored as JSON), or null. Read from the store, not the
 * registry's cache: another process may have promoted a moment ago.
 */
async function sameAsLive(ctx: TrainContext, t: Trainer, state: unknown): Promise<number | null> {
  const live = await ctx.registry.store.live(t.name);
  const v = live && (await ctx.registry.store.getVersion(t.name, live.version));
  if (!v) return null;
  const identity = (s: unknown) => JSON.parse(JSON.stringify(t.identity ? t.identity(s) : s)) as unknown;
  return isDeepStrictEqual(identity(state), identity(v.state)) ? v.version : null;
}

/**
 * Trains `t`, registers and promotes its version. Abandoned (`abandon`) while its trainer runs, it
 * rejects at once and registers nothing; while the promotion's comparison runs, the version stays
 * registered and unpromoted (as a refused one would). A model equal to the live version's is
 * registered only with `ifUnchanged: 'keep'`, and promoted only with `force`.
 */
async function trainOne(ctx: TrainContext, t: Trainer, actor: string, abandon: AbortSignal | undefined, ifUnchanged: 'keep' | 'skip', force: boolean): Promise<TrainResult> {
  const started = performance.now();
  const outcome = await untilAbandoned(withAbandonSignal(abandon, () => t.train({ ...ctx, now: Date.now(), signal: abandon })), abandon, t.name);
  const seconds = Math.round(performance.now() - started) / 1000;
  if ('skipped' in outcome) return { model: t.name, skipped: outcome.skipped, seconds };
  if (abandon?.aborted) throw new TrainingStopped(t.name);
  const sameAs = await sameAsLive(ctx, t, outcome.state);
  if (sameAs !== null && ifUnchanged === 'skip') {
    const unchanged = `the training made the same model as live version ${sameAs} (nothing new since it was trained): no version was stored`;
    ctx.log('model trained; the same as the live version, so no version was stored', { model: t.name, live: sameAs });
    return { model: t.name, sameAs, unchanged, metrics: outcome.metrics, seconds };
  }
  const v = await ctx.registry.register(t.name, outcome, actor);
  const promotion = await untilAbandoned(withAbandonSignal(abandon, () => ctx.registry.promote(t.name, v.version, { actor, reason: 'trained', ...(sameAs === null || force ? {} : { sameAs }) })), abandon, t.name);
  ctx.log(promotion.promoted ? 'model trained and promoted' : 'model trained; promotion refused', { model: t.name, version: v.version, reason: promotion.reason, ...(sameAs === null ? {} : { sameAs }) });
  const kept = promotion.promoted || force ? '' : ', so it was not promoted (train with force to promote it as any other)';
  const same = sameAs === null ? {} : { sameAs, unchanged: `version ${v.version} is the same model as version ${sameAs}, live when it was trained (nothing new since)${kept}` };
  return { model: t.name, version: v.version, promotion, metrics: outcome.metrics, ...same, seconds };
}
