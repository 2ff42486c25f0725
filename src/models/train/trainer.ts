import type { Settings } from '../../config/settings.js';
import type { Store } from '../../store/store.js';
import type { ModelRegistry, Promotion, TrainedModel } from '../registry/registry.js';
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

/**
 * Trains each named model in order, stores each version and asks the registry to promote it.
 *
 * @example
 * const results = await trainModels(ctx, trainers, ['send-time'], 'cli');
 */
export async function trainModels(ctx: TrainContext, trainers: readonly Trainer[], names: readonly string[], actor: string): Promise<TrainResult[]> {
  const out: TrainResult[] = [];
  for (const t of trainers) {
    if (!names.includes(t.name)) continue;
    const started = performance.now();
    const outcome = await t.train({ ...ctx, now: Date.now() });
    const seconds = Math.round(performance.now() - started) / 1000;
    if ('skipped' in outcome) {
      out.push({ model: t.name, skipped: outcome.skipped, seconds });
      continue;
    }
    const v = await ctx.registry.register(t.name, outcome, actor);
    const promotion = await ctx.registry.promote(t.name, v.version, { actor, reason: 'trained' });
    ctx.log(promotion.promoted ? 'model trained and promoted' : 'model trained; promotion refused', { model: t.name, version: v.version, reason: promotion.reason });
    out.push({ model: t.name, version: v.version, promotion, metrics: outcome.metrics, seconds });
  }
  return out;
}
