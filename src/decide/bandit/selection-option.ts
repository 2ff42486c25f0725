import type { Checker } from '../check.js';

/**
 * How a placement chooses among its scored options. `epsilon-greedy` (the default) takes the best
 * score with probability 1 − ε; `thompson` is a contextual bandit per placement (a logistic model
 * of each action's goal probability over the listed features, Thompson sampling with exact
 * propensities — see src/decide/bandit/bandit-select.ts).
 *
 * @example
 * { kind: 'thompson', features: ['context.mobile', 'features.orders', 'traits.plan=pro'] }
 */
export interface SelectionOption {
  kind: 'epsilon-greedy' | 'thompson';
  /**
   * Numeric context of the bandit, one entry per feature: a fact path (`context.x`, `features.x`,
   * `traits.x` — a number, or a boolean as 1/0, anything else 0) or `path=value` (1 when the fact
   * equals the value, else 0).
   */
  features?: string[];
  /** Uniform floor ε of the bandit's mixture (default 0.01; never more than the policy's exploration budget, which bounds it). */
  floor?: number;
  /** Prior variance of each coefficient before any action is established (default 1). */
  priorVariance?: number;
}

/** A feature compiled to a reader of the rule variables. @example featureReader('context.mobile')({ context: { mobile: true } }) // 1 */
export type FeatureReader = (vars: Record<string, unknown>) => number;

/** The selection option ready for decisions. @example compileSelection({ kind: 'thompson', features: ['context.mobile'] }) */
export interface CompiledSelection {
  kind: 'epsilon-greedy' | 'thompson';
  features: readonly string[];
  read: readonly FeatureReader[];
  floor?: number;
  priorVariance: number;
}

const ROOTS = ['context', 'features', 'traits', 'consent', 'flags'];

/**
 * Checks `placements[i].selection`.
 *
 * @example
 * checkSelection(c, { kind: 'thompson', features: ['context.mobile'] }, 'placements[0].selection');
 */
export function checkSelection(c: Checker, v: unknown, at: string): void {
  if (v === undefined || !c.object(v, at)) return;
  c.known(v, at, ['kind', 'features', 'floor', 'priorVariance']);
  c.oneOf(v.kind, `${at}.kind`, ['epsilon-greedy', 'thompson']);
  if (c.strings(v.features, `${at}.features`) && Array.isArray(v.features)) {
    v.features.forEach((f, k) => {
      const path = String(f).split('=')[0];
      if (!ROOTS.includes(path.split('.')[0]) || path.split('.').length < 2) {
        c.add(`${at}.features[${k}]`, `The \`${at}.features[${k}]\` must be a fact path such as \`context.mobile\`, \`features.orders\` or \`traits.plan=pro\` (roots: ${ROOTS.join(', ')}).`);
      }
    });
    if (v.features.length > 64) c.add(`${at}.features`, `The \`${at}.features\` may list at most 64 features.`);
  }
  c.number(v.floor, `${at}.floor`, { min: 0, max: 1 });
  c.number(v.priorVariance, `${at}.priorVariance`, { min: 1e-6, max: 1e6 });
  // The bandit's own settings mean nothing to ε-greedy selection (the default kind): taken, they
  // were ignored without a word, and the placement was no bandit (until 2026-12-05).
  if (v.kind !== 'thompson') {
    for (const key of ['features', 'floor', 'priorVariance'] as const) {
      if (v[key] !== undefined) c.add(`${at}.${key}`, `The \`${at}.${key}\` is a setting of the contextual bandit, which needs \`${at}.kind: thompson\`; ${v.kind === undefined ? 'without a `kind`' : `with \`kind: ${String(v.kind)}\``} the placement selects by ε-greedy and would ignore it.`);
    }
  }
  if (Array.isArray(v.features)) {
    const seen = new Set<string>();
    v.features.forEach((f, k) => {
      if (typeof f !== 'string') return;
      if (seen.has(f)) c.add(`${at}.features[${k}]`, `The \`${at}.features[${k}]\` (\`${f}\`) is listed twice; each feature once.`);
      seen.add(f);
      if (/=$/.test(f)) c.add(`${at}.features[${k}]`, `The \`${at}.features[${k}]\` (\`${f}\`) names no value after \`=\`: write \`${f.replace(/=+$/, '')}\` for the value itself, or \`${f.replace(/=+$/, '')}=<value>\` for one value.`);
    });
  }
}

/**
 * Compiles a checked option (absent = ε-greedy).
 *
 * @example
 * compileSelection({ kind: 'thompson', features: ['context.mobile'] }).read[0]({ context: { mobile: true } }); // 1
 */
export function compileSelection(o: SelectionOption | undefined): CompiledSelection {
  const features = o?.features ?? [];
  return { kind: o?.kind ?? 'epsilon-greedy', features, read: features.map(featureReader), floor: o?.floor, priorVariance: o?.priorVariance ?? 1 };
}

/**
 * The reader of one feature.
 *
 * @example
 * featureReader('traits.plan=pro')({ traits: { plan: 'pro' } }); // 1
 */
export function featureReader(feature: string): FeatureReader {
  const eq = feature.indexOf('=');
  const path = (eq < 0 ? feature : feature.slice(0, eq)).split('.');
  const want = eq < 0 ? undefined : feature.slice(eq + 1);
  const get = (vars: Record<string, unknown>): unknown => {
    let v: unknown = vars;
    for (const p of path) {
      if (v === null || typeof v !== 'object') return undefined;
      v = (v as Record<string, unknown>)[p];
    }
    return v;
  };
  if (want !== undefined) return (vars) => (String(get(vars)) === want ? 1 : 0);
  return (vars) => {
    const v = get(vars);
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (typeof v === 'boolean') return v ? 1 : 0;
    return 0;
  };
}

/**
 * The bandit's context vector for one decision.
 *
 * @example
 * contextVector(sel, vars); // Float64Array [1, 0, 3]
 */
export function contextVector(sel: CompiledSelection, vars: Record<string, unknown>): Float64Array {
  const x = new Float64Array(sel.read.length);
  for (let i = 0; i < x.length; i++) x[i] = sel.read[i](vars);
  return x;
}
