import type { Settings } from '../../config/settings.js';
import type { Store } from '../../store/store.js';
import type { ModelRegistry, Promotion, TrainedModel } from '../registry/registry.js';
import { withTrainingLease } from './training-lease.js';
import type { ModelName } from './training-kind.js';

/** What a trainer gets: the store, the settings in force, the registry (for the live versions of other models). */
export interface TrainContext {
  store: Store;
  settings: Settings;
  registry: ModelRegistry;
  now: number;
  log: (msg: string, data?: object) => void;
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
}

/** What one training run did. */
export interface TrainResult {
  model: string;
  version?: number;
  skipped?: string;
  promotion?: Promotion;
  metrics?: Record<string, unknown>;
  seconds: number;
}

/** The training running per model, per registry (one per process): a new run of a model waits for it. */
const running = new WeakMap<ModelRegistry, Map<string, Promise<unknown>>>();

/** Runs `fn` once no other training of `name` on this registry is running. */
function oneAtATime<T>(registry: ModelRegistry, name: string, fn: () => Promise<T>): Promise<T> {
  const byName = running.get(registry) ?? running.set(registry, new Map()).get(registry)!;
  const next = (byName.get(name) ?? Promise.resolve()).then(fn, fn);
  const settled = next.catch(() => undefined);
  byName.set(name, settled);
  void settled.then(() => byName.get(name) === settled && byName.delete(name));
  return next;
}

/** How `trainModels` runs. */
export interface TrainOptions {
  /** Hears each model as soon as it is done (progress of a long run). */
  onResult?: (r: TrainResult) => void;
  /** A model another process is training: `wait` for it, then train (on demand, the default), or `skip` it (the schedule). */
  ifBusy?: 'wait' | 'skip';
  /** Hears, once per model, whom a training waits for. */
  onBusy?: (sentence: string) => void;
  /** How often a waiting training looks again (default 1 s). */
  pollMs?: number;
}

/**
 * Trains each named model in order, stores each version and asks the registry to promote it. A
 * model already training — in this process (the schedule, or another request), or in another
 * process sharing the store (a lease per model, training-lease.ts) — is trained again only once
 * that run is over (`ifBusy: 'wait'`), or skipped with the reason (`ifBusy: 'skip'`), so two
 * versions are never trained and promoted side by side.
 *
 * @example
 * const results = await trainModels(ctx, trainers, ['send-time'], 'cli', { onResult: (r) => print(r) });
 */
export async function trainModels(ctx: TrainContext, trainers: readonly Trainer[], names: readonly string[], actor: string, o: TrainOptions = {}): Promise<TrainResult[]> {
  const out: TrainResult[] = [];
  const lease = { ifBusy: o.ifBusy ?? 'wait', onBusy: o.onBusy, pollMs: o.pollMs, log: ctx.log } as const;
  for (const t of trainers) {
    if (!names.includes(t.name)) continue;
    const r = await oneAtATime(ctx.registry, t.name, async () => {
      const leased = await withTrainingLease(ctx.registry.store, t.name, actor, lease, () => trainOne(ctx, t, actor));
      return 'busy' in leased ? { model: t.name, skipped: leased.busy, seconds: 0 } : leased.value;
    });
    out.push(r);
    o.onResult?.(r);
  }
  return out;
}

async function trainOne(ctx: TrainContext, t: Trainer, actor: string): Promise<TrainResult> {
  const started = performance.now();
  const outcome = await t.train({ ...ctx, now: Date.now() });
  const seconds = Math.round(performance.now() - started) / 1000;
  if ('skipped' in outcome) return { model: t.name, skipped: outcome.skipped, seconds };
  const v = await ctx.registry.register(t.name, outcome, actor);
  const promotion = await ctx.registry.promote(t.name, v.version, { actor, reason: 'trained' });
  ctx.log(promotion.promoted ? 'model trained and promoted' : 'model trained; promotion refused', { model: t.name, version: v.version, reason: promotion.reason });
  return { model: t.name, version: v.version, promotion, metrics: outcome.metrics, seconds };
}
