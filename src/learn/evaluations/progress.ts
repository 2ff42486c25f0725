/**
 * One progress bar over an evaluation's stages. Each stage reports its own done / total; the bar
 * (`ctx.progress`) sees the whole run in UNITS steps, each stage taking its share by weight (its
 * measured seconds in a full run), and `finish()` takes it to exactly UNITS of UNITS. A stage
 * that is skipped (a memoised fit or simulation) just lets the bar jump past its share.
 *
 * @example
 * const bar = stages(ctx.progress, { simulation: 16, 'frozen-policy check': 2, bootstrap: 1 });
 * runBanditSimulation({ …, progress: bar.stage('simulation') });
 * bar.finish();
 */
import type { EvaluationContext } from '../../evaluate/evaluation.js';

/** Steps of the whole bar. */
export const UNITS = 1000;

/** The reporters of one evaluation's stages. */
export interface Stages {
  /** A reporter for `name` (one of the weights' keys): call it with the stage's own done / total. */
  stage(name: string): (done: number, total: number) => void;
  /** The bar at UNITS of UNITS (call once at the end). */
  finish(): void;
}

/**
 * Stages reporting through `progress` (nothing happens without it). Calls are passed on only when
 * the bar moves by a unit, and never backwards.
 */
export function stages(progress: EvaluationContext['progress'], weights: Record<string, number>): Stages {
  const names = Object.keys(weights);
  const sum = names.reduce((s, k) => s + weights[k], 0);
  const offsets: Record<string, number> = {};
  let at = 0;
  for (const k of names) {
    offsets[k] = at;
    at += weights[k];
  }
  let shown = -1;
  let label = names[0] ?? '';
  const report = (units: number, name: string) => {
    if (!progress) return;
    const u = Math.min(UNITS, Math.max(0, Math.floor(units)));
    if (u <= shown && name === label) return;
    label = name;
    shown = Math.max(shown, u);
    progress(shown, UNITS, name);
  };
  return {
    stage(name) {
      if (!(name in weights)) throw new Error(`progress: no stage "${name}" (stages: ${names.join(', ')})`);
      return (done, total) => report(((offsets[name] + weights[name] * (total > 0 ? Math.min(done, total) / total : 1)) / sum) * UNITS, name);
    },
    finish() {
      report(UNITS, label);
    },
  };
}

/**
 * A counter over `total` steps of one stage: each call is one step done.
 *
 * @example
 * const tick = ticker(2 * 1001, bar.stage('intervals')); // two bootstraps of 1,000 resamples
 * bootstrap(n, counted((w) => weightedMean(xs, w), tick), { reps: 1000 });
 */
export function ticker(total: number, report: (done: number, total: number) => void): () => void {
  let done = 0;
  return () => report(++done, total);
}

/**
 * A bootstrap statistic that ticks at each call: a bootstrap of `reps` resamples calls it
 * reps + 1 times (the estimate on all rows, then one per resample).
 *
 * @example
 * bootstrap(n, counted((w) => weightedMean(xs, w), tick), { reps: 1000 });
 */
export function counted<A extends unknown[], R>(statistic: (...a: A) => R, tick: () => void): (...a: A) => R {
  return (...a: A) => {
    const r = statistic(...a);
    tick();
    return r;
  };
}
