import type { DocumentStore } from '../../config/document-store.js';
import { policyKind } from '../../decide/kinds.js';
import type { Policy } from '../../decide/policy.js';
import { type DesignPeriod, unitsByPeriod } from './design-history.js';
import type { Exposure } from './subject-metrics.js';

/** One stretch of time over which the policy's global holdout (share and salt) stayed the same. */
export interface HoldoutPeriod {
  /** When the policy version that set this holdout was written (ms). */
  from: number;
  /** When the next different holdout was written, or undefined while it is in force. */
  to?: number;
  /** The share held out; 0 where the policy had no holdout. */
  share: number;
  /** The salt of the draw; null where the policy had no holdout. */
  salt: string | null;
  /** Subjects first decided in this period, per group (filled by `holdoutUnitsByPeriod`). */
  units: { holdout: number; personalized: number };
}

/** The holdout a policy version sets, as the decider compiles it (src/decide/policy-compile.ts). */
const holdoutOf = (body: Policy | undefined): { share: number; salt: string | null } =>
  body?.holdout && body.holdout.share > 0 ? { share: body.holdout.share, salt: body.holdout.salt ?? 'holdout' } : { share: 0, salt: null };

/**
 * The global holdout's shares and salts over the window, oldest first, from the configuration history
 * (the latest 1,000 versions of the `policy` document): consecutive versions that leave the holdout
 * unchanged are one period; periods that ended before `from` or began at or after `to` are left out.
 *
 * @example
 * await holdoutPeriods(store.documents, { to: Date.now() });
 * // [{ from: …, to: …, share: 0.2, salt: 'global', units: … }, { from: …, share: 0.05, salt: 'global', units: … }]
 */
export async function holdoutPeriods(documents: Pick<DocumentStore, 'history'>, window: { from?: number; to: number }): Promise<HoldoutPeriod[]> {
  const periods: HoldoutPeriod[] = [];
  for (const d of (await documents.history(policyKind.kind, 1000)).reverse()) {
    const h = holdoutOf(d.body as Policy | undefined);
    const last = periods.at(-1);
    if (last && last.share === h.share && last.salt === h.salt) continue;
    if (last) last.to = d.createdAt;
    periods.push({ from: d.createdAt, ...h, units: { holdout: 0, personalized: 0 } });
  }
  const from = window.from ?? -Infinity;
  return periods.filter((p) => (p.to === undefined || p.to > from) && p.from < window.to);
}

/**
 * Counts each subject in the period of its first decision (one before every period in the first) and
 * gives the shares the sample-ratio check should expect: the holdout's share averaged over the
 * periods, weighted by the subjects first decided in each (Σ_p n_p·s_p / Σ_p n_p); undefined without
 * a subject.
 *
 * @example
 * holdoutUnitsByPeriod(periods, exposures); // [{ id: 'holdout', weight: 0.125 }, { id: 'personalized', weight: 0.875 }] after 300 at 20% and 300 at 5%
 */
export function holdoutUnitsByPeriod(periods: HoldoutPeriod[], exposures: ReadonlyMap<string, Exposure>): { id: string; weight: number }[] | undefined {
  const designs: DesignPeriod[] = periods.map((p) => ({
    from: p.from,
    to: p.to,
    status: 'running',
    salt: p.salt ?? '',
    arms: [{ id: 'holdout', weight: p.share }, { id: 'personalized', weight: 1 - p.share }],
    units: {},
  }));
  const expected = unitsByPeriod(designs, exposures, ['holdout', 'personalized']);
  designs.forEach((d, i) => (periods[i].units = { holdout: d.units.holdout ?? 0, personalized: d.units.personalized ?? 0 }));
  return expected;
}

/**
 * Sentences on a holdout that changed inside the window, among the periods with subjects: its share
 * changed (or it was set up or removed) — the pooled comparison mixes periods with different shares
 * held out (Simpson's paradox) — or its salt changed (everyone re-drawn). Each gives the `from`/`to`
 * of the periods with a holdout, to read them apart.
 *
 * @example
 * holdoutWarnings(periods); // ['The share of the global holdout changed during the window (20% from …; then 5% from …): …']
 */
export function holdoutWarnings(periods: readonly HoldoutPeriod[]): string[] {
  const iso = (t: number) => new Date(t).toISOString();
  const used = periods.filter((p) => p.units.holdout + p.units.personalized > 0);
  const held = used.filter((p) => p.share > 0);
  // A `to` also ends the outcomes counted, so an earlier period's subjects are followed up to its end only.
  const split = held.map((p) => `from=${iso(p.from)}${p.to === undefined ? '' : `&to=${iso(p.to)}`}`).join(', ');
  const share = (p: HoldoutPeriod) => (p.share > 0 ? `${Number((p.share * 100).toPrecision(3))}%` : 'no global holdout');
  const notes: string[] = [];
  if (new Set(used.map((p) => p.share)).size > 1) {
    notes.push(
      `The share of the global holdout changed during the window (${used.map((p) => `${share(p)} from ${iso(p.from)}`).join('; then ')}): the sample-ratio check expects each subject under the share in force at its first decision, but the pooled comparison mixes periods with different shares held out, so a metric that drifts over time favours the group that was larger while it was high (Simpson's paradox). Compare like with like: read each period apart (${split}).`,
    );
  }
  if (new Set(held.map((p) => p.salt)).size > 1) {
    notes.push(`The salt of the global holdout changed during the window: everyone was re-drawn, and subjects decided before stay in their first group (counted in \`crossovers\`). Read each period apart (${split}).`);
  }
  return notes;
}
