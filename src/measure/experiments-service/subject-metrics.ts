import type { OutcomeRecord } from '../../decide/records.js';
import type { MetricSpec, MetricSums } from '../experiments/readout.js';

/** A subject's first exposure to an experiment: the unit of analysis. */
export interface Exposure {
  arm: string;
  first: number;
  /** Its decisions in scope (at or after the window's start). */
  decisions?: number;
}

/** One subject's metric values over a period. */
type Values = Record<string, number>;

/**
 * The metrics of an experiment readout: the value function (`value`), `conversion` (share of
 * subjects who converted), `revenue` (conversion value per subject), and one guardrail per
 * negative outcome type seen (share of subjects with one; lower is better).
 *
 * @example
 * metricSpecs(['unsubscribe']); // [value, conversion, revenue, { name: 'unsubscribe', kind: 'proportion', lowerIsBetter: true, guardrail: true }]
 */
export function metricSpecs(negativeTypes: readonly string[]): MetricSpec[] {
  return [
    { name: 'value', kind: 'mean' },
    { name: 'conversion', kind: 'proportion' },
    { name: 'revenue', kind: 'mean' },
    ...negativeTypes.map((t) => ({ name: t, kind: 'proportion' as const, lowerIsBetter: true, guardrail: true })),
  ];
}

/**
 * A subject's metric values from its outcome records (an outcome credited to several decisions
 * has one record each; their rewards add up to the outcome's whole reward, its value counts once).
 *
 * @example
 * subjectValues(records, ['unsubscribe']); // { value: 37, conversion: 1, revenue: 42, unsubscribe: 1 }
 */
export function subjectValues(records: readonly OutcomeRecord[], negativeTypes: readonly string[]): Values {
  const v: Values = { value: 0, conversion: 0, revenue: 0 };
  for (const t of negativeTypes) v[t] = 0;
  const seen = new Set<string>();
  for (const r of records) {
    v.value += r.reward;
    if (seen.has(r.id)) continue;
    seen.add(r.id);
    if (r.type === 'conversion') {
      v.conversion = 1;
      v.revenue += r.value ?? 0;
    }
    if (r.type in v && negativeTypes.includes(r.type)) v[r.type] = 1;
  }
  return v;
}

/**
 * Accumulates per-arm sufficient statistics, subject by subject, with the pre-period (the N days
 * before first exposure) alongside for CUPED.
 *
 * @example
 * const acc = new ArmSums(specs); acc.add('b', post, pre); acc.sums('b').value; // { n, sum, sumSquares, pre }
 */
export class ArmSums {
  private readonly by = new Map<string, Record<string, MetricSums & { pre: { sum: number; sumSquares: number; sumProducts: number } }>>();
  constructor(private readonly specs: readonly MetricSpec[]) {}

  add(arm: string, post: Values, pre: Values): void {
    let a = this.by.get(arm);
    if (!a) {
      a = {};
      for (const s of this.specs) a[s.name] = { n: 0, sum: 0, sumSquares: 0, pre: { sum: 0, sumSquares: 0, sumProducts: 0 } };
      this.by.set(arm, a);
    }
    for (const s of this.specs) {
      const m = a[s.name];
      const y = post[s.name] ?? 0;
      const x = pre[s.name] ?? 0;
      m.n += 1;
      m.sum += y;
      m.sumSquares! += y * y;
      m.pre.sum += x;
      m.pre.sumSquares += x * x;
      m.pre.sumProducts += x * y;
    }
  }

  /** The arm's sums; `pre` only when every arm has two units and the pre-period varies over the pooled arms (else CUPED has nothing to use). */
  sums(arm: string, arms: readonly string[]): Record<string, MetricSums> {
    const out: Record<string, MetricSums> = {};
    for (const s of this.specs) {
      const m = this.by.get(arm)?.[s.name] ?? { n: 0, sum: 0, sumSquares: 0, pre: { sum: 0, sumSquares: 0, sumProducts: 0 } };
      const all = arms.map((x) => this.by.get(x)?.[s.name]);
      const n = all.reduce((t, p) => t + (p?.n ?? 0), 0);
      const sum = all.reduce((t, p) => t + (p?.pre.sum ?? 0), 0);
      const squares = all.reduce((t, p) => t + (p?.pre.sumSquares ?? 0), 0);
      const usePre = all.every((p) => !!p && p.n > 1) && squares - (sum * sum) / n > 1e-12;
      out[s.name] = usePre ? { ...m, pre: { ...m.pre } } : { n: m.n, sum: m.sum, sumSquares: m.sumSquares };
    }
    return out;
  }
}
