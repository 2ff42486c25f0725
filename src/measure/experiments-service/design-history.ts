import type { DocumentStore } from '../../config/document-store.js';
import { armShares } from '../experiments/assignment.js';
import { experimentsKind, type ExperimentsBody } from './experiments-kind.js';
import type { Exposure } from './subject-metrics.js';

/** One stretch of time over which an experiment's design (status, salt, arms and weights) stayed the same. */
export interface DesignPeriod {
  /** When the configuration version that set this design was written (ms). */
  from: number;
  /** When the next different design was written, or undefined while it is in force. */
  to?: number;
  status: 'running' | 'stopped';
  salt: string;
  /** The arms with their weights normalised to sum to 1. */
  arms: { id: string; weight: number }[];
  /** Units first exposed in this period, per arm of the experiment (filled by `unitsByPeriod`). */
  units: Record<string, number>;
}

const same = (a: DesignPeriod, b: DesignPeriod) =>
  a.status === b.status && a.salt === b.salt && a.arms.length === b.arms.length && a.arms.every((x, i) => x.id === b.arms[i].id && Math.abs(x.weight - b.arms[i].weight) < 1e-12);

/**
 * The designs an experiment had over the window, oldest first, from the configuration history (the
 * latest 1,000 versions of the `experiments` document): consecutive versions that leave it unchanged
 * are one period; periods that ended before `from` or began at or after `to` are left out.
 *
 * @example
 * await designPeriods(store.documents, 'hero-test', { to: Date.now() });
 * // [{ from: …, to: …, status: 'running', salt: 'hero-test', arms: [{ id: 'control', weight: 0.9 }, …], units: {} }, { from: …, arms: [… 0.5 …] }]
 */
export async function designPeriods(documents: Pick<DocumentStore, 'history'>, id: string, window: { from?: number; to: number }): Promise<DesignPeriod[]> {
  const periods: DesignPeriod[] = [];
  const versions = (await documents.history(experimentsKind.kind, 1000)).reverse();
  for (const d of versions) {
    const e = (d.body as ExperimentsBody | undefined)?.[id];
    const last = periods.at(-1);
    if (!e) {
      if (last && last.to === undefined) last.to = d.createdAt;
      continue;
    }
    const shares = armShares(e.arms.map((a) => a.weight));
    const p: DesignPeriod = { from: d.createdAt, status: e.status ?? 'running', salt: e.salt ?? id, arms: e.arms.map((a, i) => ({ id: a.id, weight: shares[i] })), units: {} };
    if (last && last.to === undefined && same(last, p)) continue;
    if (last && last.to === undefined) last.to = d.createdAt;
    periods.push(p);
  }
  const from = window.from ?? -Infinity;
  return periods.filter((p) => (p.to === undefined || p.to > from) && p.from < window.to);
}

/**
 * Counts each unit in the period of its first exposure (one before every period — a log older than
 * the history read — in the first), and gives the weights the sample-ratio check should expect: each
 * arm's share averaged over the periods, weighted by the units first exposed in each
 * (Σ_p n_p·w_{p,i} / Σ_p n_p). With one period these are its weights.
 *
 * @example
 * unitsByPeriod(periods, exposures, ['control', 'treat']); // [{ id: 'control', weight: 0.7 }, { id: 'treat', weight: 0.3 }] after 300 at 90/10 and 300 at 50/50
 */
export function unitsByPeriod(periods: DesignPeriod[], exposures: ReadonlyMap<string, Exposure>, arms: readonly string[]): { id: string; weight: number }[] | undefined {
  if (!periods.length) return undefined;
  for (const p of periods) p.units = Object.fromEntries(arms.map((a) => [a, 0]));
  let n = 0;
  for (const x of exposures.values()) {
    if (!arms.includes(x.arm)) continue;
    let i = periods.length - 1;
    while (i > 0 && periods[i].from > x.first) i--;
    periods[i].units[x.arm] += 1;
    n++;
  }
  if (n === 0) return undefined;
  return arms.map((id) => ({
    id,
    weight: periods.reduce((s, p) => s + Object.values(p.units).reduce((t, u) => t + u, 0) * (p.arms.find((a) => a.id === id)?.weight ?? 0), 0) / n,
  }));
}

/**
 * Sentences on a design that changed inside the window: weights (or arms) changed — the pooled
 * comparison mixes periods with different shares of each arm (Simpson's paradox) — the salt changed
 * (everyone re-drawn), the experiment was stopped and restarted, or it was absent from the
 * experiments document for a while (removed, then added again: either way its units decided with
 * the policy in force meanwhile, their outcomes still credited to their arms). A period that ends
 * where the next begins is a change of design; one that ends before it, a gap the experiment was
 * absent for (`designPeriods` ends a period at the version without it).
 *
 * @example
 * designWarnings('hero-test', periods); // ['The arms\' weights changed during the window …']
 */
export function designWarnings(id: string, periods: readonly DesignPeriod[]): string[] {
  const iso = (t: number) => new Date(t).toISOString();
  const running = periods.filter((p) => p.status === 'running');
  // A `to` also ends the outcomes counted, so an earlier period's units are followed up to its end only.
  const split = running.map((p) => `from=${iso(p.from)}${p.to === undefined ? '' : `&to=${iso(p.to)}`}`).join(', ');
  const notes: string[] = [];
  const weights = (p: DesignPeriod) => p.arms.map((a) => `${a.id}:${a.weight.toPrecision(9)}`).join(',');
  const designs = new Set(running.map(weights)).size;
  if (designs > 1) {
    // As many digits as it takes for weights that differ to read differently (50% then 50% named no change).
    let digits = 3;
    const sharesAt = (p: DesignPeriod, d: number) => p.arms.map((a) => `${a.id} ${Number((a.weight * 100).toPrecision(d))}%`).join(' / ');
    while (digits < 9 && new Set(running.map((p) => sharesAt(p, digits))).size < designs) digits++;
    const shares = (p: DesignPeriod) => sharesAt(p, digits);
    notes.push(
      `The arms' weights of "${id}" changed during the window (${running.map((p) => `${shares(p)} from ${iso(p.from)}`).join('; then ')}): the sample-ratio check expects each unit under the weights of its first exposure, but the pooled comparison mixes periods with different shares of each arm, so a metric that drifts over time favours the arm that was larger while it was high (Simpson's paradox). Compare like with like: read each period apart (${split}).`,
    );
  }
  if (new Set(running.map((p) => p.salt)).size > 1) {
    notes.push(`The salt of "${id}" changed during the window: everyone was re-drawn, and subjects exposed before stay in their first arm (counted in \`crossovers\`). Read each period apart (${split}).`);
  }
  periods.forEach((p, i) => {
    const next = periods[i + 1];
    if (!next || p.to === undefined || p.to >= next.from) return;
    notes.push(
      `"${id}" was absent from the experiments configuration from ${iso(p.to)} to ${iso(next.from)} (removed, then added again): no unit was assigned to its arms then, its units decided with the policy in force, and their outcomes then are still credited to their arms, which pulls the difference towards 0. Read each period apart (${split}).`,
    );
  });
  periods.forEach((p, i) => {
    if (p.status !== 'stopped' || i === 0 || i === periods.length - 1 || p.to === undefined) return;
    notes.push(
      `"${id}" was stopped from ${iso(p.from)} to ${iso(p.to)} and restarted: meanwhile its units decided with the policy in force, and their outcomes then are still credited to their arms, which pulls the difference towards 0. Read each period apart (${split}).`,
    );
  });
  return notes;
}
