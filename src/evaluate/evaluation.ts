/**
 * An evaluation runs one fixed protocol on real (or simulated, seeded) data from `datasets/`
 * and returns its figures. `tact evaluate <name> --json` prints the human lines on stderr and
 * the JSON object on stdout, its last (and only) line there.
 */
import type { Glyphs } from '../cli/chart.js';

export interface EvaluationContext {
  /** Absolute path of the repository's datasets/ folder. */
  datasetsDir: string;
  /** Human-readable progress and figure lines (printed by the CLI). */
  log: (line: string) => void;
  /**
   * Prints a chart among the human lines: `build` gets the glyphs to draw with and returns the
   * lines. Absent with --json (and in tests that only want the figures), so call it as
   * `ctx.chart?.(…)` and never compute a figure only for the chart's sake.
   */
  chart?: (build: (g: Glyphs) => string[]) => void;
  /** Optional progress reporting for long runs: done out of total units. */
  progress?: (done: number, total: number, label?: string) => void;
  /** Run a smaller version (used by unit tests); full runs ignore it. */
  quick?: boolean;
}

export interface Evaluation {
  /** CLI name, e.g. "bandit", "obd", "hillstrom", "air-quality", "calibration", "ope-obd". */
  name: string;
  /** One sentence shown by `tact evaluate --help`. */
  description: string;
  /**
   * Each field of the object `run` returns, with its meaning in one line (an object's own fields
   * named in backticks): what `tact evaluate --help` lists. Build it with {@link withIntervals}.
   */
  fields?: Readonly<Record<string, string>>;
  /** Runs the protocol; the returned object is printed as the last line with --json. It must contain `evaluation: name`. */
  run(ctx: EvaluationContext): Promise<Record<string, unknown> & { evaluation: string }>;
}

/**
 * An evaluation's {@link Evaluation.fields}: the figures as given, and for each named in `withCi`
 * its `<name>_ci`, the figure's 95% interval [low, high].
 *
 * @example
 * withIntervals({ evaluation: '"bandit"', ctr_last10k: 'CTR of the last 10k rounds' }, ['ctr_last10k']);
 * // { evaluation: …, ctr_last10k: …, ctr_last10k_ci: '95% interval of `ctr_last10k`' }
 */
export function withIntervals(fields: Record<string, string>, withCi: readonly string[]): Readonly<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [k, meaning] of Object.entries(fields)) {
    out[k] = meaning;
    if (withCi.includes(k)) out[`${k}_ci`] = `95% interval of \`${k}\` [low, high]`;
  }
  return out;
}
